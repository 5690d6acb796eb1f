import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { FakeEventSource } from "../test/fakeEventSource";
import { agents, catalog, makeApp, makeInstance, makeTask } from "../test/fixtures";
import { testQueryClient } from "../test/render";
import { connectEvents, EVENTS_URL } from "./events";
import { queryKeys } from "./queryKeys";
import type { AppList, InstanceList, TaskList } from "./types";

describe("event stream", () => {
  let sources: FakeEventSource[];
  const createSource = (url: string) => {
    const source = new FakeEventSource(url);
    sources.push(source);
    return source as unknown as EventSource;
  };

  beforeEach(() => {
    sources = [];
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("puts an app event in place in the cached list, leaving the others alone", () => {
    const queryClient = testQueryClient();
    queryClient.setQueryData<AppList>(queryKeys.apps, { items: catalog() });
    const before = queryClient.getQueryData<AppList>(queryKeys.apps);
    const stop = connectEvents(queryClient, { createSource });
    expect(sources[0]?.url).toBe(EVENTS_URL);

    sources[0]?.emit(
      "app",
      JSON.stringify(makeApp("ntp", { installed: true, phase: "Running", url: "" })),
    );

    const after = queryClient.getQueryData<AppList>(queryKeys.apps);
    expect(after?.items.map((a) => a.type)).toEqual(before?.items.map((a) => a.type));
    expect(after?.items.find((a) => a.type === "ntp")?.phase).toBe("Running");
    expect(after?.items.find((a) => a.type === "zabbix")).toBe(
      before?.items.find((a) => a.type === "zabbix"),
    );
    stop();
    expect(sources[0]?.closed).toBe(true);
  });

  it("does not let an older app version undo a newer one", () => {
    const queryClient = testQueryClient();
    queryClient.setQueryData<AppList>(queryKeys.apps, { items: catalog() }); // zabbix at rv 100
    connectEvents(queryClient, { createSource });
    sources[0]?.emit(
      "app",
      JSON.stringify(makeApp("zabbix", { phase: "Stopped", resourceVersion: "99" })),
    );
    expect(queryClient.getQueryData<AppList>(queryKeys.apps)?.items[0]?.phase).toBe("Running");
    sources[0]?.emit(
      "app",
      JSON.stringify(makeApp("zabbix", { phase: "Stopped", resourceVersion: "101" })),
    );
    expect(queryClient.getQueryData<AppList>(queryKeys.apps)?.items[0]?.phase).toBe("Stopped");
  });

  it("invalidates the audit pages on an audit event, and everything on reset", () => {
    const queryClient = testQueryClient();
    queryClient.setQueryData(queryKeys.auditPage({}, 1, 50), {
      items: [],
      total: 0,
      page: 1,
      pageSize: 50,
    });
    queryClient.setQueryData<AppList>(queryKeys.apps, { items: catalog() });
    connectEvents(queryClient, { createSource });

    sources[0]?.emit(
      "audit",
      JSON.stringify({
        name: "a",
        time: "2025-01-01T00:00:00Z",
        actor: "x",
        action: "y",
        result: "success",
      }),
    );
    expect(queryClient.getQueryState(queryKeys.auditPage({}, 1, 50))?.isInvalidated).toBe(true);
    expect(queryClient.getQueryState(queryKeys.apps)?.isInvalidated).toBe(false);

    sources[0]?.emit("reset");
    expect(queryClient.getQueryState(queryKeys.apps)?.isInvalidated).toBe(true);
  });

  it("puts instance events in the instances list, a new instance in name order", () => {
    const queryClient = testQueryClient();
    queryClient.setQueryData<InstanceList>(queryKeys.instances, {
      items: [makeInstance("db-1"), makeInstance("web-1")],
    });
    connectEvents(queryClient, { createSource });
    const installing = makeInstance("web-1", {
      agents: agents({ ntp: { wanted: true, state: "Installing", busy: true } }),
    });
    sources[0]?.emit("instance", JSON.stringify(installing));
    sources[0]?.emit("instance", JSON.stringify(makeInstance("mail-1")));
    sources[0]?.emit("instance", JSON.stringify({ name: "no agents" }));
    const items = queryClient.getQueryData<InstanceList>(queryKeys.instances)?.items ?? [];
    expect(items.map((i) => i.name)).toEqual(["db-1", "mail-1", "web-1"]);
    expect(items[2]?.agents.find((a) => a.name === "ntp")?.state).toBe("Installing");
  });

  it("puts task events in the tasks list, newest first, never back to an earlier phase", () => {
    const queryClient = testQueryClient();
    const older = makeTask("t1", { createdAt: "2025-01-31T10:00:00Z", phase: "Running" });
    queryClient.setQueryData<TaskList>(queryKeys.tasks, { items: [older] });
    connectEvents(queryClient, { createSource });
    sources[0]?.emit("task", JSON.stringify(makeTask("t2", { createdAt: "2025-01-31T11:00:00Z" })));
    sources[0]?.emit("task", JSON.stringify({ ...older, phase: "Succeeded", message: "done" }));
    // A late answer from before the task ended changes nothing.
    sources[0]?.emit("task", JSON.stringify({ ...older, phase: "Running", message: "late" }));
    const items = queryClient.getQueryData<TaskList>(queryKeys.tasks)?.items ?? [];
    expect(items.map((task) => task.name)).toEqual(["t2", "t1"]);
    expect(items[1]?.phase).toBe("Succeeded");
    expect(items[1]?.message).toBe("done");
  });

  it("ignores a malformed app event", () => {
    const queryClient = testQueryClient();
    queryClient.setQueryData<AppList>(queryKeys.apps, { items: catalog() });
    const before = queryClient.getQueryData<AppList>(queryKeys.apps);
    connectEvents(queryClient, { createSource });
    sources[0]?.emit("app", "not json");
    sources[0]?.emit("app", JSON.stringify({ hello: "world" }));
    expect(queryClient.getQueryData<AppList>(queryKeys.apps)).toBe(before);
  });

  it("opens a new stream after the browser gives up, and refetches once it is open", () => {
    vi.useFakeTimers();
    const queryClient = testQueryClient();
    queryClient.setQueryData<AppList>(queryKeys.apps, { items: catalog() });
    const states: string[] = [];
    connectEvents(queryClient, { createSource, onStateChange: (s) => states.push(s) });
    sources[0]?.emit("open");
    // A transient error: the browser retries by itself with Last-Event-ID; no new stream.
    sources[0]?.emit("error");
    expect(sources).toHaveLength(1);
    // The browser gave up (readyState CLOSED).
    sources[0]?.close();
    sources[0]?.emit("error");
    vi.advanceTimersByTime(5_000);
    expect(sources).toHaveLength(2);
    expect(queryClient.getQueryState(queryKeys.apps)?.isInvalidated).toBe(false);
    sources[1]?.emit("open");
    expect(queryClient.getQueryState(queryKeys.apps)?.isInvalidated).toBe(true);
    expect(states).toEqual([
      "connecting",
      "open",
      "reconnecting",
      "reconnecting",
      "connecting",
      "open",
    ]);
  });
});
