#pragma once
// The dashboard's accounts and the gateway's own secrets, kept in Kubernetes Secrets of the
// gateway's namespace (the gateway stores nothing of its own):
//   mcm-admin            username + password-hash (argon2id): what logins are checked against
//   mcm-admin-initial    password: the generated first password, for the operator to read once
//                        (`make run` says where); deleting it changes nothing
//   mcm-gateway-session  key: 48 random bytes signing session tokens, shared by every replica
//   mcm-instance-ssh     private-key + public-key: the ed25519 key instances trust (enrollment
//                        installs the public key; the task runner logs in with the private one)
// Each is created at start-up when missing, race-free between replicas (create, and on
// AlreadyExists read what the other replica made). No password ever has a default value.

#include <mcm/core/result.hpp>
#include <mcm/kube/client.hpp>

#include <boost/asio/awaitable.hpp>

#include <string>

namespace mcm::gateway {

inline constexpr const char* kAdminSecret = "mcm-admin";
inline constexpr const char* kAdminInitialSecret = "mcm-admin-initial";
inline constexpr const char* kSessionSecret = "mcm-gateway-session";
inline constexpr const char* kInstanceSshSecret = "mcm-instance-ssh";

// The value of `key` in a Secret's data, decoded: Errc::NotFound when the Secret has no such key
// (no data, or a value that is not a string), Errc::Invalid when the value is not base64.
Result<std::string> secret_value(const kube::Json& secret, const std::string& key);

struct Account {
  std::string username;
  std::string password_hash;
};

// Creates mcm-admin (and mcm-admin-initial) when there is none. `hash` turns a password into its
// stored form (argon2id, run off the loop by the caller's choice).
boost::asio::awaitable<Result<void>> ensure_admin_account(
    kube::Client& client, std::string ns,
    std::function<boost::asio::awaitable<Result<std::string>>(std::string)> hash);

// The signing key, created when missing.
boost::asio::awaitable<Result<std::string>> ensure_session_key(kube::Client& client,
                                                               std::string ns);

// The public half of the instances' SSH key ("ssh-ed25519 AAAA... mycloudmanager"), the pair
// made with ssh-keygen and stored when missing.
boost::asio::awaitable<Result<std::string>> ensure_instance_ssh_key(kube::Client& client,
                                                                    std::string ns);

// The account named `username`, read from mcm-admin; Errc::NotFound when there is no such user.
boost::asio::awaitable<Result<Account>> find_account(kube::Client& client, std::string ns,
                                                     std::string username);

}  // namespace mcm::gateway
