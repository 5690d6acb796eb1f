#include <mcm/audit/csv_export.hpp>
#include <mcm/audit/export_row.hpp>
#include <mcm/audit/text.hpp>

#include <span>
#include <string_view>

namespace mcm::audit {
namespace {

constexpr std::string_view kByteOrderMark = "\xEF\xBB\xBF";
constexpr std::string_view kLineEnd = "\r\n";
// The characters that make a spreadsheet read a cell as a formula.
constexpr std::string_view kFormulaStarts = "=+-@\t\r";

void append_field(std::string& out, std::string_view raw) {
  std::string field = to_valid_utf8(raw);
  if (!field.empty() && kFormulaStarts.find(field.front()) != std::string_view::npos) {
    field.insert(field.begin(), '\'');
  }
  if (field.find_first_of("\",\r\n") == std::string::npos) {
    out += field;
    return;
  }
  out += '"';
  for (const char c : field) {
    if (c == '"') {
      out += '"';
    }
    out += c;
  }
  out += '"';
}

template <class Cells>
void append_row(std::string& out, std::string_view first, const Cells& rest) {
  append_field(out, first);
  for (const auto cell : rest) {
    out += ',';
    append_field(out, cell);
  }
  out += kLineEnd;
}

}  // namespace

std::string to_csv(const std::vector<AuditRecord>& records) {
  std::string out(kByteOrderMark);
  append_row(out, kExportHeader.front(),
             std::span<const std::string_view>(kExportHeader).subspan(1));
  for (const auto& record : records) {
    append_row(out, format_rfc3339(record.time), export_text_cells(record));
  }
  return out;
}

}  // namespace mcm::audit
