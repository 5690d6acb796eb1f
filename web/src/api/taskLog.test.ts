import { afterEach, describe, expect, it, vi } from "vitest";
import { fakeSources } from "../test/fakeEventSource";
import { connectTaskLog, newPart, taskLogStreamUrl } from "./taskLog";
import type { TaskPhase } from "./types";

const chunk = (offset: number, text: string) => JSON.stringify({ offset, text });

function follow(name = "install-ntp-web-1") {
  const { sources, createSource } = fakeSources();
  let text = "";
  const ends: (TaskPhase | null)[] = [];
  const states: string[] = [];
  const stop = connectTaskLog(
    name,
    {
      onText: (part) => {
        text += part;
      },
      onEnd: (phase) => ends.push(phase),
      onStateChange: (state) => states.push(state),
    },
    { createSource },
  );
  return { sources, stop, ends, states, text: () => text };
}

describe("newPart", () => {
  it("keeps a chunk that starts where the log ends, and counts its bytes", () => {
    expect(newPart(0, { offset: 0, text: "PLAY [all]\n" })).toEqual({
      text: "PLAY [all]\n",
      received: 11,
    });
    // "é" is two bytes of UTF-8: offsets count bytes, not characters.
    expect(newPart(11, { offset: 11, text: "café\n" })).toEqual({ text: "café\n", received: 17 });
  });

  it("drops a chunk already shown, and keeps only the new end of one that overlaps", () => {
    expect(newPart(17, { offset: 11, text: "café\n" })).toBeNull();
    expect(newPart(16, { offset: 11, text: "café\n" })).toEqual({ text: "\n", received: 17 });
    expect(newPart(13, { offset: 11, text: "café\n" })).toEqual({ text: "fé\n", received: 17 });
  });

  it("trusts the event id for where the chunk ends", () => {
    expect(newPart(0, { offset: 0, text: "ok" }, 2)).toEqual({ text: "ok", received: 2 });
    expect(newPart(5, { offset: 0, text: "hello" }, 5)).toBeNull();
  });
});

describe("task log stream", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("opens the task's stream and appends each chunk in order", () => {
    const log = follow();
    expect(log.sources[0]?.url).toBe("/api/v1/tasks/install-ntp-web-1/log/stream");
    log.sources[0]?.emit("open");
    log.sources[0]?.emit("log", chunk(0, "PLAY [all]\n"), "11");
    log.sources[0]?.emit("log", chunk(11, "TASK [ntp : install]\n"), "32");
    expect(log.text()).toBe("PLAY [all]\nTASK [ntp : install]\n");
    expect(log.states).toEqual(["connecting", "open"]);
  });

  it("does not repeat output that is sent again, whole or in part", () => {
    const log = follow();
    const source = log.sources[0];
    source?.emit("log", chunk(0, "one\n"), "4");
    source?.emit("log", chunk(4, "two\n"), "8");
    // The browser reconnected and the gateway replayed from further back than Last-Event-ID.
    source?.emit("error");
    source?.emit("open");
    source?.emit("log", chunk(0, "one\n"), "4");
    source?.emit("log", chunk(4, "two\nthree\n"), "14");
    source?.emit("log", chunk(14, "four\n"), "19");
    expect(log.text()).toBe("one\ntwo\nthree\nfour\n");
    // The browser did the reconnecting: no second stream.
    expect(log.sources).toHaveLength(1);
  });

  it("ends on the end event: reports the phase and closes, so the browser does not reconnect", () => {
    const log = follow();
    log.sources[0]?.emit("log", chunk(0, "done\n"), "5");
    log.sources[0]?.emit("end", JSON.stringify({ phase: "Succeeded" }));
    expect(log.ends).toEqual(["Succeeded"]);
    expect(log.sources[0]?.closed).toBe(true);
    expect(log.states.at(-1)).toBe("ended");
    log.sources[0]?.emit("error");
    expect(log.sources).toHaveLength(1);
  });

  it("opens a new stream from the bytes received when the browser gives up", () => {
    vi.useFakeTimers();
    const log = follow("backup web-1");
    log.sources[0]?.emit("log", chunk(0, "abc"), "3");
    log.sources[0]?.close();
    log.sources[0]?.emit("error");
    vi.advanceTimersByTime(3_000);
    expect(log.sources).toHaveLength(2);
    expect(log.sources[1]?.url).toBe(taskLogStreamUrl("backup web-1", 3));
    expect(log.sources[1]?.url).toBe("/api/v1/tasks/backup%20web-1/log/stream?offset=3");
    log.sources[1]?.emit("log", chunk(3, "def"), "6");
    expect(log.text()).toBe("abcdef");
  });

  it("stops for good when asked", () => {
    const log = follow();
    log.stop();
    expect(log.sources[0]?.closed).toBe(true);
  });
});
