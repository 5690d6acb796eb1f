#pragma once
// The Excel export of audit events (GET /api/v1/audit/export.xlsx), written with libxlsxwriter.
//
// One sheet, "Audit": a bold header row (kExportHeader in export_row.hpp) frozen at the top, an
// autofilter over the header and the data, set column widths, then one row a record in the order
// given. Time is a real Excel date-time (a number with the format yyyy-mm-dd hh:mm:ss, in UTC, so
// that it sorts and filters as a date); every other cell is text, written as a string so that
// nothing a user typed is ever read as a formula. Text is made valid UTF-8 and cut to Excel's
// 32,767 characters a cell.
//
// Errors: Errc::Invalid when there are more records than a sheet has rows (1,048,575 below the
// header); Errc::Internal when the temporary file cannot be made or read, or libxlsxwriter
// fails, with a message that says which step failed and why.
//
// libxlsxwriter writes to a file: each call makes its own temporary file (mkstemps, mode 0600)
// in `temp_dir` (by default std::filesystem::temp_directory_path(), that is $TMPDIR or /tmp),
// reads it back and removes it on every path. libxlsxwriter's own scratch files go to the same
// directory.
//
// Threading: safe to call from several threads at once. Calls share no workbook state; the one
// step libxlsxwriter 1.1.4 does with a non-reentrant C function (workbook_close() formats the
// document's creation time with gmtime()) is serialised by a mutex private to the export.
// Blocking (file I/O): call it from a thread pool, not from the event loop.

#include <mcm/audit/audit_event.hpp>
#include <mcm/core/result.hpp>

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

namespace mcm::audit {

// The data rows one sheet holds below its header row.
inline constexpr std::size_t kMaxXlsxRecords = 1'048'575;

[[nodiscard]] Result<std::string> to_xlsx(const std::vector<AuditRecord>& records);
[[nodiscard]] Result<std::string> to_xlsx(const std::vector<AuditRecord>& records,
                                          const std::filesystem::path& temp_dir);

}  // namespace mcm::audit
