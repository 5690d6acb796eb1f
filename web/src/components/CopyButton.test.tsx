import { fireEvent, screen, waitFor } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { renderWithProviders } from "../test/render";
import { CopyButton } from "./CopyButton";

describe("CopyButton", () => {
  it("copies through the selection fallback outside secure contexts and says so", async () => {
    const copied: string[] = [];
    const exec = vi.fn(() => {
      const area = document.activeElement as HTMLTextAreaElement | null;
      copied.push(area?.value ?? "");
      return true;
    });
    Object.defineProperty(document, "execCommand", { value: exec, configurable: true });
    renderWithProviders(<CopyButton value="s3cr3t" what="Password" />);
    const button = screen.getByRole("button", { name: "Copy Password" });
    button.focus();
    fireEvent.click(button);
    await waitFor(() => expect(screen.getByRole("button", { name: "Copied" })).toBeTruthy());
    expect(exec).toHaveBeenCalledWith("copy");
    expect(copied).toEqual(["s3cr3t"]);
    expect(document.querySelector("textarea")).toBeNull();
    expect(document.activeElement).toBe(screen.getByRole("button", { name: "Copied" }));
  });
});
