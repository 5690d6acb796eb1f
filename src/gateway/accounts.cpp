#include <gateway/accounts.hpp>

#include <mcm/core/base64.hpp>
#include <mcm/core/child_process.hpp>
#include <mcm/core/json_path.hpp>
#include <mcm/core/random.hpp>

#include <array>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace mcm::gateway {
namespace {

constexpr std::size_t kSessionKeyBytes = 48;
constexpr const char* kAdminUser = "admin";

kube::Json secret(const std::string& ns, const std::string& name, const kube::Json& data) {
  kube::Json encoded = kube::Json::object();
  for (const auto& [key, value] : data.items()) {
    encoded[key] = base64_encode(value.get<std::string>());
  }
  return {{"apiVersion", "v1"},
          {"kind", "Secret"},
          {"type", "Opaque"},
          {"metadata",
           {{"name", name},
            {"namespace", ns},
            {"labels", {{"app.kubernetes.io/part-of", "mycloudmanager"},
                        {"app.kubernetes.io/component", "gateway"}}}}},
          {"data", std::move(encoded)}};
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

struct KeyPair {
  std::string private_key;
  std::string public_key;
};

// A new ed25519 pair from ssh-keygen (OpenSSH's own private key format, which ssh reads).
boost::asio::awaitable<Result<KeyPair>> generate_key_pair(boost::asio::any_io_executor executor) {
  std::string dir_template = (std::filesystem::temp_directory_path() / "mcm-ssh-XXXXXX").string();
  if (::mkdtemp(dir_template.data()) == nullptr) {
    co_return fail(Errc::Unavailable, "cannot create a temporary directory for the SSH key");
  }
  const std::filesystem::path dir(dir_template);
  ChildOptions options;
  options.argv = {"ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "mycloudmanager",
                  "-f", (dir / "key").string()};
  options.env = {{"PATH", "/usr/local/bin:/usr/bin:/bin"}};
  auto child = ChildProcess::spawn(executor, options);
  if (!child) {
    std::filesystem::remove_all(dir);
    co_return child.error().with_context("generate the instances' SSH key (is openssh-client installed?)");
  }
  std::string output;
  std::array<char, 512> buffer{};
  for (std::size_t got = 0; (got = co_await (*child)->read_some(buffer)) > 0;) {
    output.append(buffer.data(), got);
  }
  const int code = co_await (*child)->wait();
  KeyPair pair{read_file(dir / "key"), read_file(dir / "key.pub")};
  std::filesystem::remove_all(dir);
  if (code != 0 || pair.private_key.empty() || pair.public_key.empty()) {
    co_return fail(Errc::Internal, "ssh-keygen failed (" + std::to_string(code) + "): " + output);
  }
  while (!pair.public_key.empty() && (pair.public_key.back() == '\n' || pair.public_key.back() == '\r')) {
    pair.public_key.pop_back();
  }
  co_return pair;
}

}  // namespace

Result<std::string> secret_value(const kube::Json& secret, const std::string& key) {
  const auto value = json::find_string(secret, {"data", key});
  if (!value) {
    return fail(Errc::NotFound,
                "Secret " + json::string_at(secret, {"metadata", "name"}) + " has no key " + key);
  }
  return base64_decode(*value);
}

boost::asio::awaitable<Result<std::string>> ensure_instance_ssh_key(kube::Client& client,
                                                                    std::string ns) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto existing = co_await client.get(kube::resources::secrets(), ns, kInstanceSshSecret);
    if (existing) {
      co_return secret_value(*existing, "public-key");
    }
    if (existing.error().code != Errc::NotFound) {
      co_return existing.error().with_context("read the instances' SSH key");
    }
    auto pair = co_await generate_key_pair(client.executor());
    if (!pair) {
      co_return pair.error();
    }
    kube::Json data = kube::Json::object();
    data["private-key"] = pair->private_key;
    data["public-key"] = pair->public_key;
    auto created = co_await client.create(kube::resources::secrets(),
                                          secret(ns, kInstanceSshSecret, data));
    if (created) {
      co_return pair->public_key;
    }
    if (created.error().code != Errc::AlreadyExists) {
      co_return created.error().with_context("store the instances' SSH key");
    }
  }
  co_return fail(Errc::Conflict, "the instances' SSH key Secret keeps changing");
}

boost::asio::awaitable<Result<void>> ensure_admin_account(
    kube::Client& client, std::string ns,
    std::function<boost::asio::awaitable<Result<std::string>>(std::string)> hash) {
  auto existing = co_await client.get(kube::resources::secrets(), ns, kAdminSecret);
  if (existing) {
    co_return Result<void>{};
  }
  if (existing.error().code != Errc::NotFound) {
    co_return existing.error().with_context("read the admin account");
  }
  const std::string password = random_password();
  auto hashed = co_await hash(password);
  if (!hashed) {
    co_return hashed.error();
  }
  // (Brace-initialised JSON inside a coroutine trips g++ 12: the objects are built key by key.)
  kube::Json account = kube::Json::object();
  account["username"] = std::string(kAdminUser);
  account["password-hash"] = *hashed;
  auto created = co_await client.create(kube::resources::secrets(),
                                        secret(ns, kAdminSecret, account));
  if (!created) {
    if (created.error().code == Errc::AlreadyExists) {
      co_return Result<void>{};  // another replica made it first: its password stands
    }
    co_return created.error().with_context("create the admin account");
  }
  // Only the replica that created the account writes its first password.
  kube::Json first = kube::Json::object();
  first["username"] = std::string(kAdminUser);
  first["password"] = password;
  auto initial = secret(ns, kAdminInitialSecret, first);
  auto written = co_await client.create(kube::resources::secrets(), initial);
  if (!written && written.error().code == Errc::AlreadyExists) {
    written = co_await client.update(kube::resources::secrets(), initial);
  }
  if (!written) {
    co_return written.error().with_context("write the first admin password");
  }
  co_return Result<void>{};
}

boost::asio::awaitable<Result<std::string>> ensure_session_key(kube::Client& client,
                                                               std::string ns) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto existing = co_await client.get(kube::resources::secrets(), ns, kSessionSecret);
    if (existing) {
      auto key = secret_value(*existing, "key");
      if (key && key->size() < 32) {
        co_return fail(Errc::Invalid, std::string("Secret ") + kSessionSecret +
                                          ": key must have at least 32 bytes");
      }
      co_return key;
    }
    if (existing.error().code != Errc::NotFound) {
      co_return existing.error().with_context("read the session key");
    }
    const std::string key = random_bytes(kSessionKeyBytes);
    kube::Json data = kube::Json::object();
    data["key"] = key;
    auto created = co_await client.create(kube::resources::secrets(),
                                          secret(ns, kSessionSecret, data));
    if (created) {
      co_return key;
    }
    if (created.error().code != Errc::AlreadyExists) {
      co_return created.error().with_context("create the session key");
    }
  }
  co_return fail(Errc::Conflict, "the session key Secret keeps changing");
}

boost::asio::awaitable<Result<Account>> find_account(kube::Client& client, std::string ns,
                                                     std::string username) {
  auto object = co_await client.get(kube::resources::secrets(), ns, kAdminSecret);
  if (!object) {
    co_return object.error();
  }
  auto name = secret_value(*object, "username");
  auto hash = secret_value(*object, "password-hash");
  if (!name || !hash) {
    co_return fail(Errc::Invalid, std::string("Secret ") + kAdminSecret +
                                      " needs the keys username and password-hash");
  }
  if (*name != username) {
    co_return fail(Errc::NotFound, "no such user");
  }
  co_return Account{*name, *hash};
}

}  // namespace mcm::gateway
