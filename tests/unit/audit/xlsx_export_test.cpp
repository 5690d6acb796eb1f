#include <mcm/audit/xlsx_export.hpp>

#include <gtest/gtest.h>
#include <zlib.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <regex>
#include <string>
#include <thread>
#include <vector>

namespace mcm::audit {
namespace {

using namespace std::chrono_literals;

// The entries of a zip archive, name to uncompressed content, read from its central directory
// (stored and deflated entries; what libxlsxwriter writes). Fails the test on anything else.
class ZipReader {
 public:
  explicit ZipReader(std::string bytes) : bytes_(std::move(bytes)) {}

  std::map<std::string, std::string> entries() const {
    std::map<std::string, std::string> out;
    const std::size_t end = find_end_of_central_directory();
    if (end == std::string::npos) {
      ADD_FAILURE() << "no end of central directory record";
      return out;
    }
    const std::size_t count = u16(end + 10);
    std::size_t at = u32(end + 16);
    for (std::size_t i = 0; i < count; ++i) {
      if (u32(at) != 0x02014b50) {
        ADD_FAILURE() << "bad central directory header at " << at;
        return out;
      }
      const std::size_t method = u16(at + 10);
      const std::size_t compressed = u32(at + 20);
      const std::size_t size = u32(at + 24);
      const std::size_t name_length = u16(at + 28);
      const std::size_t header = u32(at + 42);
      std::string name = bytes_.substr(at + 46, name_length);
      const std::size_t data = header + 30 + u16(header + 26) + u16(header + 28);
      out[name] = extract(method, bytes_.substr(data, compressed), size);
      at += 46 + name_length + u16(at + 30) + u16(at + 32);
    }
    return out;
  }

 private:
  std::size_t u16(std::size_t at) const {
    return static_cast<std::uint8_t>(bytes_.at(at)) |
           static_cast<std::size_t>(static_cast<std::uint8_t>(bytes_.at(at + 1))) << 8;
  }
  std::size_t u32(std::size_t at) const { return u16(at) | u16(at + 2) << 16; }

  std::size_t find_end_of_central_directory() const {
    if (bytes_.size() < 22) {
      return std::string::npos;
    }
    for (std::size_t at = bytes_.size() - 22;; --at) {
      if (u32(at) == 0x06054b50) {
        return at;
      }
      if (at == 0) {
        return std::string::npos;
      }
    }
  }

  static std::string extract(std::size_t method, const std::string& data, std::size_t size) {
    if (method == 0) {
      return data;
    }
    EXPECT_EQ(method, 8U) << "unexpected compression method";
    std::string out(size, '\0');
    z_stream stream{};
    EXPECT_EQ(inflateInit2(&stream, -MAX_WBITS), Z_OK);
    stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    stream.avail_in = static_cast<uInt>(data.size());
    stream.next_out = reinterpret_cast<Bytef*>(out.data());
    stream.avail_out = static_cast<uInt>(out.size());
    EXPECT_EQ(inflate(&stream, Z_FINISH), Z_STREAM_END);
    inflateEnd(&stream);
    return out;
  }

  std::string bytes_;
};

// A record as the gateway reads it from the cluster.
AuditRecord enable_zabbix() {
  auto record = from_resource(kube::Json::parse(R"({"kind": "AuditEvent", "spec": {
      "actor": "alice", "time": "2025-01-31T14:05:00Z", "action": "app.enable",
      "target": {"kind": "App", "name": "zabbix"}, "result": "success", "source": "10.8.0.6"}})"));
  EXPECT_TRUE(record);
  return record.value_or(AuditRecord{});
}

std::map<std::string, std::string> exported(const std::vector<AuditRecord>& records) {
  auto bytes = to_xlsx(records);
  if (!bytes) {
    ADD_FAILURE() << bytes.error().message;
    return {};
  }
  return ZipReader(*bytes).entries();
}

std::string sheet_of(const std::vector<AuditRecord>& records) {
  return exported(records)["xl/worksheets/sheet1.xml"];
}

// A fresh empty directory, removed with what it holds when the test ends.
class ScratchDir {
 public:
  ScratchDir() {
    std::string path = (std::filesystem::path(testing::TempDir()) / "xlsx-test-XXXXXX").string();
    EXPECT_NE(::mkdtemp(path.data()), nullptr);
    path_ = path;
  }
  ~ScratchDir() { std::filesystem::remove_all(path_); }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

TEST(XlsxExport, StartsWithTheZipSignature) {
  auto bytes = to_xlsx({enable_zabbix()});
  ASSERT_TRUE(bytes) << bytes.error().message;
  EXPECT_EQ(bytes->substr(0, 4), std::string("PK\x03\x04"));
}

TEST(XlsxExport, HoldsOneSheetNamedAudit) {
  auto entries = exported({enable_zabbix()});
  for (const char* part : {"[Content_Types].xml", "xl/workbook.xml", "xl/styles.xml",
                           "xl/worksheets/sheet1.xml"}) {
    EXPECT_EQ(entries.count(part), 1U) << part;
  }
  EXPECT_EQ(entries.count("xl/worksheets/sheet2.xml"), 0U);
  EXPECT_NE(entries["xl/workbook.xml"].find("<sheet name=\"Audit\""), std::string::npos);
}

TEST(XlsxExport, WritesTheHeaderAsBoldTextFrozenAtTheTop) {
  auto entries = exported({enable_zabbix()});
  const std::string& sheet = entries["xl/worksheets/sheet1.xml"];
  std::size_t col = 0;
  for (const char* title : {"Time", "User", "Action", "Target kind", "Target", "Result", "Source",
                            "Reason", "Details"}) {
    const std::string cell = std::string("r=\"") + static_cast<char>('A' + col++) + "1\"";
    const std::regex header(cell + " s=\"(\\d+)\" t=\"inlineStr\"><is><t>" + title + "</t>");
    EXPECT_TRUE(std::regex_search(sheet, header)) << title;
  }
  EXPECT_NE(sheet.find("ySplit=\"1\""), std::string::npos);
  EXPECT_NE(sheet.find("state=\"frozen\""), std::string::npos);
  EXPECT_NE(entries["xl/styles.xml"].find("<b/>"), std::string::npos);
}

TEST(XlsxExport, WritesTheTimeAsAnExcelDateNumberWithADateFormat) {
  auto entries = exported({enable_zabbix()});
  // 2025-01-31 is day 45688 since 1899-12-30; 14:05 is 0.5868055... of a day.
  const std::regex date_cell("<c r=\"A2\" s=\"\\d+\"><v>45688\\.58680555555\\d*</v></c>");
  EXPECT_TRUE(std::regex_search(entries["xl/worksheets/sheet1.xml"], date_cell))
      << entries["xl/worksheets/sheet1.xml"];
  EXPECT_NE(entries["xl/styles.xml"].find("formatCode=\"yyyy-mm-dd hh:mm:ss\""),
            std::string::npos);
}

TEST(XlsxExport, WritesEveryOtherColumnAsText) {
  AuditRecord record = enable_zabbix();
  record.actor = "=1+1";
  record.details = "42";
  const std::string sheet = sheet_of({record});
  EXPECT_NE(sheet.find("<c r=\"B2\" t=\"inlineStr\"><is><t>=1+1</t></is></c>"), std::string::npos)
      << sheet;
  EXPECT_NE(sheet.find("<c r=\"I2\" t=\"inlineStr\"><is><t>42</t></is></c>"), std::string::npos);
  EXPECT_EQ(sheet.find("<f>"), std::string::npos);
}

TEST(XlsxExport, SetsAnAutofilterOverTheDataAndColumnWidths) {
  const std::string sheet = sheet_of({enable_zabbix(), enable_zabbix()});
  EXPECT_NE(sheet.find("<autoFilter ref=\"A1:I3\"/>"), std::string::npos) << sheet;
  std::size_t widths = 0;
  for (std::size_t at = sheet.find("customWidth=\"1\""); at != std::string::npos;
       at = sheet.find("customWidth=\"1\"", at + 1)) {
    ++widths;
  }
  EXPECT_EQ(widths, 9U);
}

TEST(XlsxExport, KeepsAccentsAndEscapesMarkup) {
  AuditRecord record = enable_zabbix();
  record.reason = "d\xC3\xA9j\xC3\xA0 <b>&";
  const std::string sheet = sheet_of({record});
  EXPECT_NE(sheet.find("<t>d\xC3\xA9j\xC3\xA0 &lt;b&gt;&amp;</t>"), std::string::npos) << sheet;
}

TEST(XlsxExport, CutsTextToTheCellLimit) {
  AuditRecord record = enable_zabbix();
  std::string long_details;
  for (int i = 0; i < 20'000; ++i) {
    long_details += "\xC3\xA9";  // 40,000 bytes
  }
  record.details = long_details;
  const std::string sheet = sheet_of({record});
  const std::size_t start = sheet.find("<c r=\"I2\"");
  ASSERT_NE(start, std::string::npos);
  const std::string cell = sheet.substr(start, sheet.find("</c>", start) - start);
  EXPECT_LE(cell.size(), 32'767U + 64U);
  EXPECT_NE(cell.find("\xC3\xA9\xE2\x80\xA6</t>"), std::string::npos);
}

TEST(XlsxExport, WritesTimesBeforeExcelsEpochAsText) {
  AuditRecord record = enable_zabbix();
  record.time = std::chrono::sys_days(1850y / std::chrono::May / 1);
  const std::string sheet = sheet_of({record});
  EXPECT_NE(sheet.find("<c r=\"A2\" t=\"inlineStr\"><is><t>1850-05-01T00:00:00Z</t>"),
            std::string::npos)
      << sheet;
}

TEST(XlsxExport, LeavesNoTemporaryFileBehind) {
  ScratchDir dir;
  auto bytes = to_xlsx({enable_zabbix()}, dir.path());
  ASSERT_TRUE(bytes) << bytes.error().message;
  EXPECT_TRUE(std::filesystem::is_empty(dir.path()));
}

TEST(XlsxExport, ReportsAnUnusableTemporaryDirectoryAsInternal) {
  ScratchDir dir;
  const auto missing = dir.path() / "missing";
  auto bytes = to_xlsx({enable_zabbix()}, missing);
  ASSERT_FALSE(bytes);
  EXPECT_EQ(bytes.error().code, Errc::Internal);
  EXPECT_NE(bytes.error().message.find("create a temporary file in " + missing.string()),
            std::string::npos)
      << bytes.error().message;
}

TEST(XlsxExport, RunsFromSeveralThreadsAtOnce) {
  constexpr int kThreads = 4;
  std::vector<std::string> sheets(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([t, &sheets] {
      AuditRecord record = enable_zabbix();
      record.actor = "user-" + std::to_string(t);
      for (int round = 0; round < 3; ++round) {
        auto bytes = to_xlsx({record, record});
        sheets[t] = bytes ? ZipReader(*bytes).entries()["xl/worksheets/sheet1.xml"] : "";
      }
    });
  }
  for (auto& thread : threads) {
    thread.join();
  }
  for (int t = 0; t < kThreads; ++t) {
    EXPECT_NE(sheets[t].find("<t>user-" + std::to_string(t) + "</t>"), std::string::npos) << t;
  }
}

}  // namespace
}  // namespace mcm::audit
