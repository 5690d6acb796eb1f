import { fireEvent, screen } from "@testing-library/react";
import { useState } from "react";
import { describe, expect, it, vi } from "vitest";
import { renderWithProviders } from "../test/render";
import { Modal } from "./Modal";

function Harness({ onClose }: { onClose: () => void }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button type="button" onClick={() => setOpen(true)}>
        open
      </button>
      {open && (
        <Modal
          title="Confirm"
          onClose={() => {
            onClose();
            setOpen(false);
          }}
          footer={<button type="button">OK</button>}
        >
          <input aria-label="first" />
        </Modal>
      )}
    </>
  );
}

describe("Modal", () => {
  it("is a labelled modal dialog that takes the focus and gives it back on close", () => {
    const onClose = vi.fn();
    renderWithProviders(<Harness onClose={onClose} />);
    const opener = screen.getByRole("button", { name: "open" });
    opener.focus();
    fireEvent.click(opener);
    const dialog = screen.getByRole("dialog", { name: "Confirm" });
    expect(dialog.getAttribute("aria-modal")).toBe("true");
    expect(dialog.contains(document.activeElement)).toBe(true);

    fireEvent.keyDown(dialog, { key: "Escape" });
    expect(onClose).toHaveBeenCalledTimes(1);
    expect(screen.queryByRole("dialog")).toBeNull();
    expect(document.activeElement).toBe(opener);
  });

  it("adds no banner or content-info landmark to the page", () => {
    renderWithProviders(<Harness onClose={vi.fn()} />);
    fireEvent.click(screen.getByRole("button", { name: "open" }));
    expect(screen.getByRole("dialog").textContent).toContain("Confirm");
    expect(screen.queryByRole("banner")).toBeNull();
    expect(screen.queryByRole("contentinfo")).toBeNull();
  });

  it("wraps Tab and Shift+Tab inside the dialog", () => {
    renderWithProviders(<Harness onClose={vi.fn()} />);
    fireEvent.click(screen.getByRole("button", { name: "open" }));
    const dialog = screen.getByRole("dialog");
    const close = screen.getByRole("button", { name: "Close" });
    const ok = screen.getByRole("button", { name: "OK" });
    ok.focus();
    fireEvent.keyDown(dialog, { key: "Tab" });
    expect(document.activeElement).toBe(close);
    fireEvent.keyDown(dialog, { key: "Tab", shiftKey: true });
    expect(document.activeElement).toBe(ok);
  });

  it("closes on a click on the backdrop, not inside", () => {
    const onClose = vi.fn();
    renderWithProviders(<Harness onClose={onClose} />);
    fireEvent.click(screen.getByRole("button", { name: "open" }));
    fireEvent.mouseDown(screen.getByLabelText("first"));
    expect(onClose).not.toHaveBeenCalled();
    const backdrop = screen.getByRole("dialog").parentElement;
    if (!backdrop) {
      throw new Error("no backdrop");
    }
    fireEvent.mouseDown(backdrop);
    expect(onClose).toHaveBeenCalledTimes(1);
  });
});
