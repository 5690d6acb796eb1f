import type { AuditFilters } from "./types";

// Every cache key in one place, so the event stream and the mutations touch the same entries.
export const queryKeys = {
  session: ["session"] as const,
  info: ["info"] as const,
  apps: ["apps"] as const,
  appSettingsSchema: ["schema", "app-settings"] as const,
  instances: ["instances"] as const,
  networks: ["networks"] as const,
  tasks: ["tasks"] as const,
  audit: ["audit"] as const,
  auditPage: (filters: AuditFilters, page: number, pageSize: number) =>
    ["audit", filters, page, pageSize] as const,
};
