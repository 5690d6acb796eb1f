import { screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { ApiError } from "../api/client";
import { renderWithProviders } from "../test/render";
import { ErrorBanner } from "./ErrorBanner";

describe("ErrorBanner", () => {
  it("shows the gateway's message as an alert", () => {
    renderWithProviders(<ErrorBanner error={new ApiError(403, "alice may not stop apps")} />);
    const alert = screen.getByRole("alert");
    expect(alert.textContent).toContain("Something went wrong");
    expect(alert.textContent).toContain("alice may not stop apps");
  });

  it("explains an unreachable gateway in the interface language", () => {
    renderWithProviders(<ErrorBanner error={new ApiError(0, "Failed to fetch")} />, {
      language: "fr",
    });
    expect(screen.getByRole("alert").textContent).toContain("La passerelle est injoignable");
  });

  it("has no retry button unless asked", () => {
    renderWithProviders(<ErrorBanner error={new Error("boom")} compact />);
    expect(screen.queryByRole("button")).toBeNull();
    expect(screen.getByRole("alert").textContent).toBe("boom");
  });
});
