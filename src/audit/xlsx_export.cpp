#include <mcm/audit/xlsx_export.hpp>
#include <mcm/audit/export_row.hpp>
#include <mcm/audit/text.hpp>

#include <xlsxwriter.h>

#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdlib>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>
#include <system_error>
#include <utility>

namespace mcm::audit {
namespace {

constexpr const char* kSheetName = "Audit";
constexpr const char* kDateFormat = "yyyy-mm-dd hh:mm:ss";
constexpr std::string_view kTempFileTemplate = "mcm-audit-XXXXXX.xlsx";
constexpr int kTempFileSuffixLength = 5;  // ".xlsx"
// Excel's limit on the text of a cell; libxlsxwriter checks it in bytes or in characters
// depending on the version, so both are kept under it.
constexpr std::size_t kMaxCellLength = 32767;
constexpr std::array<double, kExportColumnCount> kColumnWidths = {20, 16, 24, 12, 28,
                                                                  9,  16, 40, 60};
// Excel counts dates from 1900.
constexpr int kFirstExcelYear = 1900;
constexpr int kLastExcelYear = 9999;

Error internal(std::string_view step, std::string_view why) {
  return fail(Errc::Internal, "xlsx export: " + std::string(step) + ": " + std::string(why));
}

std::string errno_message() { return std::error_code(errno, std::generic_category()).message(); }

// libxlsxwriter 1.1.4 calls gmtime() while closing a workbook; see the header.
std::mutex& close_mutex() {
  static std::mutex mutex;
  return mutex;
}

lxw_error close_workbook(lxw_workbook* workbook) {
  const std::lock_guard lock(close_mutex());
  return workbook_close(workbook);
}

// Closing is also what frees a workbook, so an abandoned one is closed (and its file discarded).
struct WorkbookCloser {
  void operator()(lxw_workbook* workbook) const { static_cast<void>(close_workbook(workbook)); }
};
using WorkbookPtr = std::unique_ptr<lxw_workbook, WorkbookCloser>;

// A file made by mkstemps, open for reading and removed when this goes away.
class TempFile {
 public:
  static Result<TempFile> create(const std::filesystem::path& dir) {
    std::string path = (dir / kTempFileTemplate).string();
    const int fd = ::mkstemps(path.data(), kTempFileSuffixLength);
    if (fd < 0) {
      return internal("create a temporary file in " + dir.string(), errno_message());
    }
    return TempFile(std::move(path), fd);
  }

  TempFile(TempFile&& other) noexcept
      : path_(std::move(other.path_)), fd_(std::exchange(other.fd_, -1)) {}
  TempFile& operator=(TempFile&&) = delete;
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  ~TempFile() {
    if (fd_ >= 0) {
      ::close(fd_);
      ::unlink(path_.c_str());
    }
  }

  const std::string& path() const { return path_; }

  // Reads the whole file through the descriptor opened by mkstemps: the writer reopens the path
  // and truncates the same file, so no one can swap another file in under that name.
  Result<std::string> read_all() const {
    struct stat info {};
    if (::fstat(fd_, &info) != 0) {
      return internal("stat " + path_, errno_message());
    }
    std::string bytes(static_cast<std::size_t>(info.st_size), '\0');
    std::size_t done = 0;
    while (done < bytes.size()) {
      const ssize_t n =
          ::pread(fd_, bytes.data() + done, bytes.size() - done, static_cast<off_t>(done));
      if (n < 0 && errno == EINTR) {
        continue;
      }
      if (n <= 0) {
        return internal("read " + path_, n < 0 ? errno_message() : "file shrank while read");
      }
      done += static_cast<std::size_t>(n);
    }
    return bytes;
  }

 private:
  TempFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}

  std::string path_;
  int fd_ = -1;
};

Result<void> check(lxw_error error, std::string_view step) {
  if (error != LXW_NO_ERROR) {
    return internal(step, lxw_strerror(error));
  }
  return {};
}

std::string cell_text(std::string_view text) {
  return truncate_utf8(text, kMaxCellLength, kMaxCellLength);
}

// `time` as Excel's broken-down date-time in UTC, whole seconds; nullopt outside Excel's years.
std::optional<lxw_datetime> excel_datetime(std::chrono::system_clock::time_point time) {
  const auto seconds = std::chrono::floor<std::chrono::seconds>(time);
  const auto days = std::chrono::floor<std::chrono::days>(seconds);
  const std::chrono::year_month_day date{days};
  const std::chrono::hh_mm_ss clock{seconds - days};
  const int year = static_cast<int>(date.year());
  if (year < kFirstExcelYear || year > kLastExcelYear) {
    return std::nullopt;
  }
  return lxw_datetime{year,
                      static_cast<int>(static_cast<unsigned>(date.month())),
                      static_cast<int>(static_cast<unsigned>(date.day())),
                      static_cast<int>(clock.hours().count()),
                      static_cast<int>(clock.minutes().count()),
                      static_cast<double>(clock.seconds().count())};
}

// Fills a workbook's one sheet. Holds raw pointers owned by the workbook.
class SheetWriter {
 public:
  static Result<SheetWriter> create(lxw_workbook* workbook) {
    lxw_worksheet* sheet = workbook_add_worksheet(workbook, kSheetName);
    lxw_format* bold = workbook_add_format(workbook);
    lxw_format* date = workbook_add_format(workbook);
    if (sheet == nullptr || bold == nullptr || date == nullptr) {
      return internal("add the sheet and its formats", "out of memory");
    }
    format_set_bold(bold);
    format_set_num_format(date, kDateFormat);
    return SheetWriter(sheet, bold, date);
  }

  Result<void> write_layout(std::size_t rows) {
    for (lxw_col_t col = 0; col < kExportColumnCount; ++col) {
      if (auto r = check(worksheet_set_column(sheet_, col, col, kColumnWidths[col], nullptr),
                         "set column widths");
          !r) {
        return r;
      }
    }
    worksheet_freeze_panes(sheet_, 1, 0);
    return check(worksheet_autofilter(sheet_, 0, 0, static_cast<lxw_row_t>(rows),
                                      kExportColumnCount - 1),
                 "set the autofilter");
  }

  Result<void> write_header() {
    for (lxw_col_t col = 0; col < kExportColumnCount; ++col) {
      const std::string text(kExportHeader[col]);
      if (auto r = check(worksheet_write_string(sheet_, 0, col, text.c_str(), bold_),
                         "write the header");
          !r) {
        return r;
      }
    }
    return {};
  }

  Result<void> write_record(lxw_row_t row, const AuditRecord& record) {
    if (auto when = excel_datetime(record.time)) {
      if (auto r = check(worksheet_write_datetime(sheet_, row, 0, &*when, date_), "write a time");
          !r) {
        return r;
      }
    } else if (auto r = write_text(row, 0, format_rfc3339(record.time)); !r) {
      return r;
    }
    lxw_col_t col = 1;
    for (const std::string_view cell : export_text_cells(record)) {
      if (auto r = write_text(row, col++, cell); !r) {
        return r;
      }
    }
    return {};
  }

 private:
  SheetWriter(lxw_worksheet* sheet, lxw_format* bold, lxw_format* date)
      : sheet_(sheet), bold_(bold), date_(date) {}

  Result<void> write_text(lxw_row_t row, lxw_col_t col, std::string_view text) {
    if (text.empty()) {
      return {};
    }
    const std::string value = cell_text(text);
    return check(worksheet_write_string(sheet_, row, col, value.c_str(), nullptr), "write a cell");
  }

  lxw_worksheet* sheet_;
  lxw_format* bold_;
  lxw_format* date_;
};

}  // namespace

Result<std::string> to_xlsx(const std::vector<AuditRecord>& records) {
  std::error_code ec;
  std::filesystem::path dir = std::filesystem::temp_directory_path(ec);
  if (ec) {
    dir = "/tmp";
  }
  return to_xlsx(records, dir);
}

Result<std::string> to_xlsx(const std::vector<AuditRecord>& records,
                            const std::filesystem::path& temp_dir) {
  if (records.size() > kMaxXlsxRecords) {
    return fail(Errc::Invalid, "xlsx export: " + std::to_string(records.size()) +
                                   " events do not fit in one sheet (at most " +
                                   std::to_string(kMaxXlsxRecords) + "): narrow the filters");
  }
  auto file = TempFile::create(temp_dir);
  if (!file) {
    return file.error();
  }
  std::string scratch_dir = temp_dir.string();
  // Constant memory: rows go to disk as they are written, and strings are stored inline.
  lxw_workbook_options options{
      .constant_memory = LXW_TRUE, .tmpdir = scratch_dir.data(), .use_zip64 = LXW_FALSE};
  WorkbookPtr workbook(workbook_new_opt(file->path().c_str(), &options));
  if (!workbook) {
    return internal("create the workbook", "out of memory");
  }
  auto sheet = SheetWriter::create(workbook.get());
  if (!sheet) {
    return sheet.error();
  }
  if (auto r = sheet->write_layout(records.size()); !r) {
    return r.error();
  }
  if (auto r = sheet->write_header(); !r) {
    return r.error();
  }
  lxw_row_t row = 1;
  for (const auto& record : records) {
    if (auto r = sheet->write_record(row++, record); !r) {
      return r.error();
    }
  }
  if (auto r = check(close_workbook(workbook.release()), "write " + file->path()); !r) {
    return r.error();
  }
  return file->read_all();
}

}  // namespace mcm::audit
