import { describe, expect, it } from "vitest";
import { settingsSchema } from "../../test/fixtures";
import {
  fieldKind,
  fromDraft,
  settingKeyOfField,
  settingsPatch,
  toDraft,
  validateValue,
} from "./settingsForm";

const props = settingsSchema.properties ?? {};

describe("settings form rules", () => {
  it("picks the widget from the schema", () => {
    expect(fieldKind("timezone", props.timezone)).toBe("text");
    expect(fieldKind("retentionDays", props.retentionDays)).toBe("number");
    expect(fieldKind("upstreamServers", props.upstreamServers)).toBe("list");
    expect(fieldKind("config", props.config)).toBe("code");
    expect(fieldKind("somethingNew", { type: "string", maxLength: 100_000 })).toBe("code");
    expect(fieldKind("somethingNew", undefined)).toBe("text");
  });

  it("turns input text into values, empty meaning not set", () => {
    expect(fromDraft(" 42 ", "number", props.retentionDays)).toEqual({ ok: true, value: 42 });
    expect(fromDraft("", "number", props.retentionDays)).toEqual({ ok: true, value: undefined });
    expect(fromDraft("1.5", "number", props.retentionDays)).toMatchObject({
      ok: false,
      issue: { key: "validation.integer" },
    });
    expect(fromDraft("a\n\n b \n", "list", props.upstreamServers)).toEqual({
      ok: true,
      value: ["a", "b"],
    });
    expect(fromDraft("  ", "list", props.upstreamServers)).toEqual({ ok: true, value: undefined });
    expect(toDraft(["a", "b"])).toBe("a\nb");
    expect(toDraft(undefined)).toBe("");
  });

  it("checks minimum and maximum", () => {
    expect(validateValue(props.retentionDays, 0)).toEqual({
      key: "validation.minimum",
      vars: { min: 1 },
    });
    expect(validateValue(props.retentionDays, 3651)).toEqual({
      key: "validation.maximum",
      vars: { max: 3650 },
    });
    expect(validateValue(props.retentionDays, 3650)).toBeNull();
  });

  it("checks patterns and lengths", () => {
    expect(validateValue(props.timezone, "Europe/Paris")).toBeNull();
    expect(validateValue(props.timezone, "Europe Paris")).toEqual({ key: "validation.pattern" });
    expect(validateValue(props.timezone, "A".repeat(65))).toEqual({
      key: "validation.maxLength",
      vars: { max: 64 },
    });
    expect(validateValue({ type: "string", minLength: 3 }, "ab")).toEqual({
      key: "validation.minLength",
      vars: { min: 3 },
    });
    expect(validateValue(props.refreshSchedule, "@daily")).toBeNull();
    expect(validateValue(props.refreshSchedule, "0 3 * * *")).toBeNull();
    expect(validateValue(props.refreshSchedule, "every day")).toEqual({
      key: "validation.pattern",
    });
    expect(validateValue(props.backupTarget, "swift://backups")).toBeNull();
    expect(validateValue(props.backupTarget, "http://x")).toEqual({ key: "validation.pattern" });
  });

  it("checks list sizes and each item against the items schema", () => {
    const servers = (n: number) => Array.from({ length: n }, (_, i) => `${i}.pool.ntp.org`);
    expect(validateValue(props.upstreamServers, servers(8))).toBeNull();
    expect(validateValue(props.upstreamServers, servers(9))).toEqual({
      key: "validation.maxItems",
      vars: { max: 8 },
    });
    expect(validateValue(props.upstreamServers, [])).toEqual({
      key: "validation.minItems",
      vars: { min: 1 },
    });
    expect(validateValue(props.upstreamServers, ["ok.example", "not ok"])).toEqual({
      key: "validation.item",
      vars: { line: 2 },
      detail: { key: "validation.pattern" },
    });
  });

  it("lets an unset value pass, since every setting is optional", () => {
    expect(validateValue(props.retentionDays, undefined)).toBeNull();
    expect(validateValue(props.upstreamServers, undefined)).toBeNull();
  });

  it("patches only what changed, with null for cleared keys", () => {
    const current = { timezone: "UTC", retentionDays: 30, upstreamServers: ["a"] };
    expect(
      settingsPatch(current, { timezone: "UTC", retentionDays: 30, upstreamServers: ["a"] }),
    ).toEqual({});
    expect(
      settingsPatch(current, {
        timezone: "Europe/Paris",
        retentionDays: undefined,
        upstreamServers: ["a", "b"],
      }),
    ).toEqual({
      timezone: "Europe/Paris",
      retentionDays: null,
      upstreamServers: ["a", "b"],
    });
    expect(settingsPatch({}, { timezone: undefined })).toEqual({});
  });

  it("finds the setting a server error names", () => {
    const keys = ["timezone", "upstreamServers", "config"];
    expect(settingKeyOfField("spec.settings.timezone", keys)).toBe("timezone");
    expect(settingKeyOfField("spec.settings.upstreamServers[1]", keys)).toBe("upstreamServers");
    expect(settingKeyOfField(".settings.config", keys)).toBe("config");
    expect(settingKeyOfField("settings.timezone", keys)).toBe("timezone");
    expect(settingKeyOfField("spec.storage.size", keys)).toBeNull();
    expect(settingKeyOfField(undefined, keys)).toBeNull();
  });
});
