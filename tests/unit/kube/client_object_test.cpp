// What the Client reads of the objects it is given to write (their namespace and name), from
// objects whose metadata is missing or of the wrong shape: each call answers with a Result, and
// none throws. No server listens: every request that gets as far as connecting fails with
// Unavailable, which shows the object was read without an exception.
#include <mcm/kube/client.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <gtest/gtest.h>

#include <exception>
#include <optional>
#include <string>

namespace mcm::kube {
namespace {

using tcp = net::ip::tcp;

// A loopback port nothing listens on: bound, then closed again.
std::string closed_port(net::io_context& io) {
  tcp::acceptor acceptor(io, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0));
  const auto port = acceptor.local_endpoint().port();
  acceptor.close();
  return std::to_string(port);
}

class ClientObject : public ::testing::Test {
 protected:
  void SetUp() override {
    Config config;
    config.host = "127.0.0.1";
    config.port = closed_port(io_);
    config.server = "https://127.0.0.1:" + config.port;
    config.context = "test";
    auto client = Client::create(io_.get_executor(), std::move(config));
    ASSERT_TRUE(client) << client.error().message;
    client_ = std::move(*client);
  }

  // Runs `call` to completion; fails the test if it threw.
  Result<Json> run(net::awaitable<Result<Json>> call) {
    std::optional<Result<Json>> out;
    std::exception_ptr thrown;
    net::co_spawn(io_, std::move(call), [&](std::exception_ptr e, Result<Json> result) {
      thrown = e;
      out.emplace(std::move(result));
    });
    io_.run();
    io_.restart();
    if (thrown) {
      try {
        std::rethrow_exception(thrown);
      } catch (const std::exception& e) {
        ADD_FAILURE() << "threw: " << e.what();
      }
    }
    if (!out) {
      return fail(Errc::Internal, "did not complete");
    }
    return std::move(*out);
  }

  net::io_context io_;
  std::unique_ptr<Client> client_;
};

const Json kOddObjects[] = {
    Json::object(),
    Json{{"metadata", "web-1"}},
    Json{{"metadata", Json::array({"web-1"})}},
    Json{{"metadata", {{"name", 1}, {"namespace", {{"x", 1}}}}}},
    Json{{"metadata", {{"name", Json()}, {"namespace", true}}}},
};

TEST_F(ClientObject, WritesOfObjectsWithOddMetadataDoNotThrow) {
  for (const Json& object : kOddObjects) {
    for (int call = 0; call < 4; ++call) {
      Result<Json> result = fail(Errc::Internal, "not run");
      switch (call) {
        case 0: result = run(client_->create(resources::config_maps(), object)); break;
        case 1: result = run(client_->update(resources::config_maps(), object)); break;
        case 2: result = run(client_->update_status(resources::config_maps(), object)); break;
        case 3: result = run(client_->apply(resources::config_maps(), object, "mcm-test")); break;
      }
      ASSERT_FALSE(result) << object;
      EXPECT_EQ(result.error().code, Errc::Unavailable)
          << object << " call " << call << ": " << result.error().message;
    }
  }
}

TEST_F(ClientObject, ApplyOfSomethingThatIsNoObjectIsInvalid) {
  for (const Json& object : {Json(), Json("web-1"), Json::array({1}), Json(5)}) {
    auto result = run(client_->apply(resources::config_maps(), object, "mcm-test"));
    ASSERT_FALSE(result) << object;
    EXPECT_EQ(result.error().code, Errc::Invalid) << object;
    EXPECT_NE(result.error().message.find("not a JSON object"), std::string::npos)
        << result.error().message;
  }
}

}  // namespace
}  // namespace mcm::kube
