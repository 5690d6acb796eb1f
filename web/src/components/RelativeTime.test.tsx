import { screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { renderWithProviders } from "../test/render";
import { RelativeTime, formatRelative } from "./RelativeTime";

describe("RelativeTime", () => {
  const now = new Date("2025-01-31T12:00:00Z");

  it("uses the largest unit that fits, in the given language", () => {
    expect(formatRelative(new Date("2025-01-31T11:57:00Z"), now, "en")).toBe("3 minutes ago");
    expect(formatRelative(new Date("2025-01-31T09:00:00Z"), now, "en")).toBe("3 hours ago");
    expect(formatRelative(new Date("2025-01-29T12:00:00Z"), now, "fr")).toBe("avant-hier");
    expect(formatRelative(new Date("2025-01-31T11:59:50Z"), now, "en")).toBe("now");
  });

  it('says "a few seconds ago" for the last 45 seconds when given the words', () => {
    const words = { past: "il y a quelques secondes", future: "dans quelques secondes" };
    expect(formatRelative(new Date("2025-01-31T11:59:50Z"), now, "fr", words)).toBe(words.past);
    expect(formatRelative(new Date("2025-01-31T12:00:30Z"), now, "fr", words)).toBe(words.future);
    // A gateway clock a little ahead still reads as just now.
    expect(formatRelative(new Date("2025-01-31T12:00:03Z"), now, "fr", words)).toBe(words.past);
    expect(formatRelative(new Date("2025-01-31T11:59:00Z"), now, "fr", words)).toBe(
      "il y a 1 minute",
    );
  });

  it("renders a <time> with the machine-readable value and the other form as tooltip", () => {
    renderWithProviders(<RelativeTime value="2020-05-01T10:00:00Z" />);
    const time = document.querySelector("time");
    expect(time?.getAttribute("datetime")).toBe("2020-05-01T10:00:00Z");
    expect(time?.textContent).toMatch(/years? ago/);
    expect(time?.getAttribute("title")).toContain("2020");
  });

  it("shows what it was given when it is not a time", () => {
    renderWithProviders(<RelativeTime value="soon" />);
    expect(screen.getByText("soon")).toBeTruthy();
  });
});
