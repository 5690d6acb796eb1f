// The audit trail: one filtered page at a time, and the export links for the same filters.

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { API_BASE, api } from "./client";
import { queryKeys } from "./queryKeys";
import type { AuditFilters, AuditPage } from "./types";

const FILTER_KEYS = ["action", "actor", "target", "from", "to"] as const;

/**
 * The query string of `filters` (no leading "?"), empty ones left out, in a stable order.
 * Percent-encoded throughout (a space is %20, never "+"), so any query parser reads it alike.
 */
export function auditQuery(filters: AuditFilters, extra: Record<string, string> = {}): string {
  const pairs: [string, string][] = [];
  for (const key of FILTER_KEYS) {
    const value = filters[key]?.trim();
    if (value) {
      pairs.push([key, value]);
    }
  }
  pairs.push(...Object.entries(extra));
  return pairs.map(([key, value]) => `${key}=${encodeURIComponent(value)}`).join("&");
}

/** Where the export of every event matching `filters` is downloaded from. */
export function auditExportUrl(format: "xlsx" | "csv", filters: AuditFilters): string {
  const query = auditQuery(filters);
  return `${API_BASE}/audit/export.${format}${query ? `?${query}` : ""}`;
}

export function useAuditEvents(filters: AuditFilters, page = 1, pageSize = 50) {
  return useQuery({
    queryKey: queryKeys.auditPage(filters, page, pageSize),
    queryFn: ({ signal }) =>
      api.get<AuditPage>(
        `/audit?${auditQuery(filters, { page: String(page), pageSize: String(pageSize) })}`,
        signal,
      ),
    placeholderData: keepPreviousData,
  });
}
