#pragma once
// The CSV export of audit events (GET /api/v1/audit/export.csv).
//
// RFC 4180: CRLF line ends, a field in double quotes when it holds '"', ',', CR or LF, quotes
// inside doubled. UTF-8 with a byte order mark, so that spreadsheet programs read accents right.
// A header row (kExportHeader in export_row.hpp), then one row a record in the order given; the
// time as RFC 3339 UTC ("2025-01-31T14:05:00Z").
//
// The file is made to be opened in a spreadsheet, where a cell starting with = + - @ (or a tab
// or CR, which some programs skip first) is read as a formula: such a cell gets a leading
// apostrophe, so that what a user typed into a name or a detail is never run.
//
// A pure function: safe to call from any thread.

#include <mcm/audit/audit_event.hpp>

#include <string>
#include <vector>

namespace mcm::audit {

[[nodiscard]] std::string to_csv(const std::vector<AuditRecord>& records);

}  // namespace mcm::audit
