import { act, fireEvent, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { fakeSources } from "../../test/fakeEventSource";
import { makeTask } from "../../test/fixtures";
import { renderWithProviders } from "../../test/render";
import { TaskLog } from "./TaskLog";

/** jsdom lays nothing out: give the <pre> a height, a content height and a scroll position. */
function layout(element: HTMLElement, clientHeight: number) {
  const box = { scrollHeight: 0, scrollTop: 0 };
  Object.defineProperty(element, "clientHeight", { configurable: true, get: () => clientHeight });
  Object.defineProperty(element, "scrollHeight", {
    configurable: true,
    get: () => box.scrollHeight,
  });
  Object.defineProperty(element, "scrollTop", {
    configurable: true,
    get: () => box.scrollTop,
    set: (value: number) => {
      box.scrollTop = Math.max(0, Math.min(value, box.scrollHeight - clientHeight));
    },
  });
  return box;
}

const chunk = (offset: number, text: string) => JSON.stringify({ offset, text });

/** A log 100px high showing the end of 40 lines (500px of content). */
function renderAtEnd() {
  const { sources, createSource } = fakeSources();
  renderWithProviders(<TaskLog task={makeTask("t1")} options={{ createSource }} />);
  const output = screen.getByTestId("task-log-output");
  const box = layout(output, 100);
  box.scrollHeight = 500;
  act(() => sources[0]?.emit("log", chunk(0, "a\n".repeat(40)), "80"));
  expect(output.scrollTop).toBe(400);
  return { sources, output, box };
}

describe("TaskLog", () => {
  it("follows the end while the reader is there, and stays put once they scroll up", () => {
    const { sources, output, box } = renderAtEnd();

    // The reader scrolls up to read: new output does not move the view.
    output.scrollTop = 120;
    fireEvent.scroll(output);
    box.scrollHeight = 800;
    act(() => sources[0]?.emit("log", chunk(80, "b\n".repeat(30)), "140"));
    expect(output.scrollTop).toBe(120);

    fireEvent.click(screen.getByTestId("task-log-follow"));
    expect(output.scrollTop).toBe(700);
    expect(screen.queryByTestId("task-log-follow")).toBeNull();
    box.scrollHeight = 900;
    act(() => sources[0]?.emit("log", chunk(140, "c\n"), "142"));
    expect(output.scrollTop).toBe(800);
  });

  it("keeps to the end when the view is resized, unless the reader scrolled up", () => {
    const observers: (() => void)[] = [];
    const original = globalThis.ResizeObserver;
    globalThis.ResizeObserver = class {
      constructor(callback: () => void) {
        observers.push(callback);
      }
      observe() {}
      unobserve() {}
      disconnect() {}
    } as unknown as typeof ResizeObserver;
    try {
      const { output, box } = renderAtEnd();

      // Narrower: the lines wrap, the content grows without any new output.
      box.scrollHeight = 900;
      act(() => observers.forEach((notify) => notify()));
      expect(output.scrollTop).toBe(800);

      output.scrollTop = 120;
      fireEvent.scroll(output);
      box.scrollHeight = 1200;
      act(() => observers.forEach((notify) => notify()));
      expect(output.scrollTop).toBe(120);
    } finally {
      globalThis.ResizeObserver = original;
    }
  });

  it("says so when a finished task wrote nothing", () => {
    const { sources, createSource } = fakeSources();
    renderWithProviders(<TaskLog task={makeTask("t1")} options={{ createSource }} />, {
      language: "fr",
    });
    expect(screen.getByTestId("task-log-output").textContent).toBe("En attente de la sortie…");
    act(() => sources[0]?.emit("end", JSON.stringify({ phase: "Cancelled" })));
    expect(screen.getByTestId("task-log-output").textContent).toBe("Cette tâche n'a rien écrit.");
    expect(screen.getByTestId("task-log-state").textContent).toBe("Terminée : Annulée");
  });
});
