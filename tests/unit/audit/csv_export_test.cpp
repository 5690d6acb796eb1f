#include <mcm/audit/csv_export.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

namespace mcm::audit {
namespace {

using namespace std::chrono_literals;

const std::string kBom = "\xEF\xBB\xBF";
const std::string kHeader =
    "Time,User,Action,Target kind,Target,Result,Source,Reason,Details\r\n";

AuditRecord failed_backup() {
  return AuditRecord{.actor = "zo\xC3\xAB",
                     .time = std::chrono::sys_days(2025y / std::chrono::June / 2) + 3h + 4min + 5s,
                     .action = "backupjob.run",
                     .target_kind = "BackupJob",
                     .target_name = "nightly",
                     .result = "failure",
                     .source = "2001:db8::1"};
}

// The data rows of `csv`, without the BOM and the header.
std::string rows_of(const std::string& csv) {
  EXPECT_EQ(csv.rfind(kBom + kHeader, 0), 0U) << csv;
  return csv.substr(kBom.size() + kHeader.size());
}

// The one data row of the failed backup with `details` (the last column).
std::string row_with_details(std::string details) {
  AuditRecord record = failed_backup();
  record.details = std::move(details);
  return rows_of(to_csv({record}));
}

TEST(CsvExport, StartsWithTheByteOrderMarkAndTheHeader) {
  EXPECT_EQ(to_csv({}), kBom + kHeader);
}

TEST(CsvExport, WritesOneCrlfRowPerRecordInOrder) {
  AuditRecord second = failed_backup();
  second.actor = "bob";
  const std::string rows = rows_of(to_csv({failed_backup(), second}));
  EXPECT_EQ(rows,
            "2025-06-02T03:04:05Z,zo\xC3\xAB,backupjob.run,BackupJob,nightly,failure,2001:db8::1,,"
            "\r\n"
            "2025-06-02T03:04:05Z,bob,backupjob.run,BackupJob,nightly,failure,2001:db8::1,,\r\n");
}

TEST(CsvExport, QuotesFieldsWithCommasQuotesOrLineBreaks) {
  EXPECT_TRUE(row_with_details("disk full, \"/var\" at 100%")
                  .ends_with(",\"disk full, \"\"/var\"\" at 100%\"\r\n"));
  EXPECT_TRUE(row_with_details("line one\nline two\r\nend")
                  .ends_with(",\"line one\nline two\r\nend\"\r\n"));
}

TEST(CsvExport, LeavesPlainFieldsUnquoted) {
  const std::string row = row_with_details("timeout after 30 s; retried");
  EXPECT_TRUE(row.ends_with(",timeout after 30 s; retried\r\n")) << row;
  EXPECT_EQ(row.find('"'), std::string::npos);
}

TEST(CsvExport, NeutralisesFormulaInjection) {
  AuditRecord record = failed_backup();
  record.actor = "=HYPERLINK(\"http://evil\",\"x\")";
  record.target_name = "+1";
  record.source = "-2";
  record.reason = "@SUM(A1)";
  record.details = "\tcmd";
  const std::string rows = rows_of(to_csv({record}));
  EXPECT_NE(rows.find(",\"'=HYPERLINK(\"\"http://evil\"\",\"\"x\"\")\","), std::string::npos)
      << rows;
  EXPECT_NE(rows.find(",'+1,"), std::string::npos) << rows;
  EXPECT_NE(rows.find(",'-2,"), std::string::npos) << rows;
  EXPECT_NE(rows.find(",'@SUM(A1),"), std::string::npos) << rows;
  EXPECT_NE(rows.find(",'\tcmd\r\n"), std::string::npos) << rows;
}

TEST(CsvExport, NeutralisesACarriageReturnAtTheStartAndQuotesIt) {
  EXPECT_TRUE(row_with_details("\r=1+1").ends_with(",\"'\r=1+1\"\r\n"));
}

TEST(CsvExport, LeavesAFormulaCharacterInsideACellAlone) {
  EXPECT_TRUE(row_with_details("a=b+c-d@e").ends_with(",a=b+c-d@e\r\n"));
}

TEST(CsvExport, RepairsInvalidUtf8) {
  EXPECT_TRUE(row_with_details("x\xFFy").ends_with(",x\xEF\xBF\xBDy\r\n"));
}

}  // namespace
}  // namespace mcm::audit
