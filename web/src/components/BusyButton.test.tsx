import { fireEvent, render, screen } from "@testing-library/react";
import { createRef } from "react";
import { describe, expect, it, vi } from "vitest";
import { BusyButton } from "./BusyButton";

describe("BusyButton", () => {
  it("shows its icon and label, and is pressed, while idle", () => {
    const onClick = vi.fn();
    render(
      <BusyButton busy={false} label="Save" busyLabel="Saving…" icon="play" onClick={onClick} />,
    );
    const button = screen.getByRole("button", { name: "Save" });
    expect(button.getAttribute("type")).toBe("button");
    expect(button.hasAttribute("disabled")).toBe(false);
    expect(button.querySelector("svg")).not.toBeNull();
    expect(button.querySelector(".spinner")).toBeNull();
    fireEvent.click(button);
    expect(onClick).toHaveBeenCalledTimes(1);
  });

  it("is disabled with a spinner in place of the icon and the busy label while busy", () => {
    render(<BusyButton busy label="Save" busyLabel="Saving…" icon="play" />);
    const button = screen.getByRole("button", { name: "Saving…" });
    expect(button.hasAttribute("disabled")).toBe(true);
    expect(button.querySelector("svg")).toBeNull();
    expect(button.querySelector(".spinner")?.getAttribute("aria-hidden")).toBe("true");
  });

  it("can be disabled while idle, by another request", () => {
    render(<BusyButton busy={false} disabled label="Stop" busyLabel="Stopping…" />);
    const button = screen.getByRole("button", { name: "Stop" });
    expect(button.hasAttribute("disabled")).toBe(true);
    expect(button.querySelector(".spinner")).toBeNull();
  });

  it("passes the button's own attributes and ref through", () => {
    const ref = createRef<HTMLButtonElement>();
    render(
      <form id="f">
        <BusyButton
          ref={ref}
          type="submit"
          form="f"
          className="btn btn--primary"
          data-testid="save"
          busy={false}
          label="Save"
          busyLabel="Saving…"
        />
      </form>,
    );
    const button = screen.getByTestId("save");
    expect(ref.current).toBe(button);
    expect(button.getAttribute("type")).toBe("submit");
    expect(button.getAttribute("form")).toBe("f");
    expect(button.className).toBe("btn btn--primary");
  });
});
