// The decoding of one line of a watch stream: every shape the API server (or something between
// it and us) could send, including lines that are no watch event at all. None may throw.
#include <mcm/kube/watch_event.hpp>

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace mcm::kube {
namespace {

constexpr std::string_view kWhat = "watch widgets.test.mycloudmanager.io";

TEST(WatchEvent, DecodesEachKnownTypeWithItsObject) {
  const struct {
    std::string line;
    EventType type;
  } cases[] = {
      {R"({"type":"ADDED","object":{"metadata":{"name":"a","resourceVersion":"7"}}})",
       EventType::Added},
      {R"({"type":"MODIFIED","object":{"metadata":{"name":"a"}}})", EventType::Modified},
      {R"({"type":"DELETED","object":{"metadata":{"name":"a"}}})", EventType::Deleted},
      {R"({"type":"BOOKMARK","object":{"metadata":{"resourceVersion":"9"}}})",
       EventType::Bookmark},
      // Metadata of the wrong shape is the reader's to cope with (json_path), not a bad line.
      {R"({"type":"ADDED","object":{"metadata":"a"}})", EventType::Added},
      {R"({"type":"ADDED","object":{}})", EventType::Added},
  };
  for (const auto& c : cases) {
    auto event = decode_watch_event(c.line, kWhat);
    ASSERT_TRUE(event) << c.line << ": " << event.error().message;
    ASSERT_TRUE(event->has_value()) << c.line;
    EXPECT_EQ((*event)->type, c.type) << c.line;
    EXPECT_EQ((*event)->object, Json::parse(c.line)["object"]) << c.line;
  }
}

TEST(WatchEvent, AnUnknownTypeIsSkipped) {
  auto event = decode_watch_event(R"({"type":"RENAMED","object":{"metadata":{}}})", kWhat);
  ASSERT_TRUE(event) << event.error().message;
  EXPECT_FALSE(event->has_value());
}

TEST(WatchEvent, AnErrorEventIsTheErrorItsStatusSays) {
  const struct {
    std::string line;
    Errc code;
    std::string in_message;
  } cases[] = {
      {R"({"type":"ERROR","object":{"kind":"Status","code":410,"reason":"Expired",)"
       R"x("message":"too old resource version: 1 (5)"}})x",
       Errc::Gone, "410 Expired: too old resource version"},
      {R"({"type":"ERROR","object":{"kind":"Status","code":500,"message":"etcd down"}})",
       Errc::Unavailable, "500: etcd down"},
      // A code that is no HTTP status, or none at all, is read as a 500.
      {R"({"type":"ERROR","object":{"kind":"Status","message":"no code"}})", Errc::Unavailable,
       "500: no code"},
      {R"({"type":"ERROR","object":{"code":"410"}})", Errc::Unavailable, "500"},
      {R"({"type":"ERROR","object":{"code":1e99}})", Errc::Unavailable, "500"},
      {R"({"type":"ERROR","object":{"code":4294967706}})", Errc::Unavailable, "500"},
      {R"({"type":"ERROR","object":{"code":-410}})", Errc::Unavailable, "500"},
      // Not a Status at all.
      {R"({"type":"ERROR","object":"boom"})", Errc::Unavailable,
       "ERROR event whose object is a string, not a Status"},
      {R"({"type":"ERROR","object":[410]})", Errc::Unavailable,
       "ERROR event whose object is an array, not a Status"},
      {R"({"type":"ERROR"})", Errc::Unavailable, "ERROR event whose object is a null"},
  };
  for (const auto& c : cases) {
    auto event = decode_watch_event(c.line, kWhat);
    ASSERT_FALSE(event) << c.line;
    EXPECT_EQ(event.error().code, c.code) << c.line << ": " << event.error().message;
    EXPECT_NE(event.error().message.find(c.in_message), std::string::npos)
        << c.line << ": " << event.error().message;
    EXPECT_EQ(event.error().message.rfind(std::string(kWhat) + ": ", 0), 0U)
        << event.error().message;
  }
}

TEST(WatchEvent, ALineThatIsNoEventIsInvalidAndSaysWhy) {
  const struct {
    std::string line;
    std::string in_message;
  } cases[] = {
      {R"({"type":"ADDED","object":{"metadata":)", "undecodable event: not JSON at byte "},
      {"not json", "undecodable event: not JSON at byte "},
      {"\xff\xfe", "undecodable event: not JSON at byte "},
      {R"(["ADDED",{}])", "an event is an array, not a JSON object"},
      {R"("ADDED")", "an event is a string, not a JSON object"},
      {"null", "an event is a null, not a JSON object"},
      {"42", "an event is a number, not a JSON object"},
      {R"({"object":{"metadata":{}}})", "an event has no type"},
      {R"({"type":7,"object":{"metadata":{}}})", "an event has no type"},
      {R"({"type":null,"object":{}})", "an event has no type"},
      {R"({"type":"ADDED"})", "ADDED event whose object is a null, not a JSON object"},
      {R"({"type":"MODIFIED","object":"a"})",
       "MODIFIED event whose object is a string, not a JSON object"},
      {R"({"type":"DELETED","object":[{}]})",
       "DELETED event whose object is an array, not a JSON object"},
      {R"({"type":"BOOKMARK","object":5})",
       "BOOKMARK event whose object is a number, not a JSON object"},
  };
  for (const auto& c : cases) {
    auto event = decode_watch_event(c.line, kWhat);
    ASSERT_FALSE(event) << c.line;
    EXPECT_EQ(event.error().code, Errc::Invalid) << c.line;
    EXPECT_NE(event.error().message.find(c.in_message), std::string::npos)
        << c.line << ": " << event.error().message;
    EXPECT_EQ(event.error().message.rfind(std::string(kWhat) + ": ", 0), 0U)
        << event.error().message;
  }
}

TEST(WatchEvent, AMessageNeverQuotesTheLine) {
  // A watch of Secrets carries secrets: what is wrong is named, the content is not.
  for (const std::string line :
       {R"({"type":"ADDED","object":"c2VjcmV0LXBhc3N3b3Jk"})",
        R"({"type":"ERROR","object":"c2VjcmV0LXBhc3N3b3Jk"})",
        R"(["c2VjcmV0LXBhc3N3b3Jk"])",
        // A parser's message quotes what it read last: a string cut by a control character.
        "{\"type\":\"ADDED\",\"object\":{\"data\":{\"p\":\"c2VjcmV0LXBhc3N3b3Jk\x01\"}}}",
        R"({"type":"ADDED","object":{"data":{"p":"c2VjcmV0LXBhc3N3b3Jk)"}) {
    auto event = decode_watch_event(line, kWhat);
    ASSERT_FALSE(event) << line;
    EXPECT_EQ(event.error().message.find("c2VjcmV0"), std::string::npos) << event.error().message;
  }
}

}  // namespace
}  // namespace mcm::kube
