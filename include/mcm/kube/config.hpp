#pragma once
// How to reach and authenticate to a Kubernetes API server: from a kubeconfig file or from the
// service account mounted in a pod. TLS is always verified: a kubeconfig asking to skip
// verification is refused.

#include <mcm/core/result.hpp>

#include <filesystem>
#include <string>

namespace mcm::kube {

struct Config {
  std::string server;            // "https://127.0.0.1:6443"
  std::string host;              // parsed from server
  std::string port;              // parsed from server, "443" when absent
  std::string ca_pem;            // trusted CA bundle (PEM)
  std::string client_cert_pem;   // client certificate authentication, if any
  std::string client_key_pem;
  std::string token;             // bearer token, if any; never logged
  std::filesystem::path token_file;  // re-read on each new connection when set (rotated tokens)
  std::string default_namespace = "default";
  std::string context;  // the kubeconfig context used, for messages
};

// Parses kubeconfig text. `base_dir` resolves relative file paths (certificate-authority,
// client-certificate, client-key, tokenFile). An empty `context` means current-context.
Result<Config> parse_kubeconfig(const std::string& yaml_text,
                                const std::filesystem::path& base_dir,
                                const std::string& context = "");

Result<Config> load_kubeconfig(const std::filesystem::path& path, const std::string& context = "");

// The in-cluster service account: `root` holds token, ca.crt and namespace; host and port come
// from KUBERNETES_SERVICE_HOST / KUBERNETES_SERVICE_PORT, passed in by the caller.
Result<Config> in_cluster_config(const std::string& service_host, const std::string& service_port,
                                 const std::filesystem::path& root =
                                     "/var/run/secrets/kubernetes.io/serviceaccount");

// Picks a kubeconfig path if given (flag or $KUBECONFIG, resolved by the caller), else the
// in-cluster service account, else ~/.kube/config.
struct ConfigSources {
  std::string kubeconfig;  // explicit path, may be empty
  std::string context;
  std::string service_host;  // KUBERNETES_SERVICE_HOST
  std::string service_port;  // KUBERNETES_SERVICE_PORT
  std::string home;          // $HOME
};
Result<Config> resolve_config(const ConfigSources& sources);

}  // namespace mcm::kube
