#pragma once
// The columns of the audit exports (CSV and xlsx), so that both files read the same: the time
// first, then the text columns in the order of kExportHeader.
//
// Pure values: safe to use from any thread.

#include <mcm/audit/audit_event.hpp>

#include <array>
#include <cstddef>
#include <string_view>

namespace mcm::audit {

inline constexpr std::size_t kExportColumnCount = 9;

inline constexpr std::array<std::string_view, kExportColumnCount> kExportHeader = {
    "Time", "User", "Action", "Target kind", "Target", "Result", "Source", "Reason", "Details"};

// The cells of `record` after Time, in header order. The views point into `record`.
inline std::array<std::string_view, kExportColumnCount - 1> export_text_cells(
    const AuditRecord& record) {
  return {record.actor,       record.action, record.target_kind,
          record.target_name, record.result, record.source,
          record.reason,      record.details};
}

}  // namespace mcm::audit
