#include <mcm/kube/config.hpp>

#include <mcm/core/base64.hpp>

#include <yaml-cpp/yaml.h>

#include <fstream>
#include <sstream>

namespace mcm::kube {
namespace {

namespace fs = std::filesystem;

Result<std::string> read_file(const fs::path& path, std::string_view what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return fail(Errc::NotFound, std::string(what) + ": cannot read " + path.string());
  }
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

fs::path resolve(const fs::path& base, const std::string& file) {
  fs::path p(file);
  return p.is_absolute() ? p : base / p;
}

// Reads `<key>-data` (base64) or `<key>` (a file path) from a kubeconfig map.
Result<std::string> data_or_file(const YAML::Node& node, const std::string& key,
                                 const fs::path& base) {
  if (const auto data = node[key + "-data"]; data && !data.IsNull()) {
    auto decoded = base64_decode(data.as<std::string>());
    if (!decoded) {
      return decoded.error().with_context(key + "-data");
    }
    return decoded;
  }
  if (const auto file = node[key]; file && !file.IsNull()) {
    return read_file(resolve(base, file.as<std::string>()), key);
  }
  return std::string();
}

YAML::Node find_named(const YAML::Node& list, const std::string& name) {
  if (!list || !list.IsSequence()) {
    return YAML::Node();
  }
  for (const auto& item : list) {
    if (item["name"] && item["name"].as<std::string>() == name) {
      return item;
    }
  }
  return YAML::Node();
}

Result<void> split_server(Config& config) {
  std::string_view s = config.server;
  constexpr std::string_view kScheme = "https://";
  if (s.substr(0, kScheme.size()) != kScheme) {
    return fail(Errc::Invalid, "server '" + config.server +
                                   "': only https:// servers are supported (TLS is required)");
  }
  s.remove_prefix(kScheme.size());
  if (const auto slash = s.find('/'); slash != std::string_view::npos) {
    if (s.substr(slash) != "/") {
      return fail(Errc::Invalid, "server '" + config.server + "': a path prefix is not supported");
    }
    s = s.substr(0, slash);
  }
  if (s.empty()) {
    return fail(Errc::Invalid, "server '" + config.server + "': no host");
  }
  if (s.front() == '[') {  // IPv6 literal
    const auto close = s.find(']');
    if (close == std::string_view::npos) {
      return fail(Errc::Invalid, "server '" + config.server + "': unterminated IPv6 address");
    }
    config.host = std::string(s.substr(1, close - 1));
    const auto rest = s.substr(close + 1);
    config.port = rest.size() > 1 && rest.front() == ':' ? std::string(rest.substr(1)) : "443";
  } else if (const auto colon = s.rfind(':'); colon != std::string_view::npos) {
    config.host = std::string(s.substr(0, colon));
    config.port = std::string(s.substr(colon + 1));
  } else {
    config.host = std::string(s);
    config.port = "443";
  }
  if (config.port.empty() || config.port.find_first_not_of("0123456789") != std::string::npos) {
    return fail(Errc::Invalid, "server '" + config.server + "': bad port");
  }
  return {};
}

}  // namespace

Result<Config> parse_kubeconfig(const std::string& yaml_text, const fs::path& base_dir,
                                const std::string& context) {
  YAML::Node root;
  try {
    root = YAML::Load(yaml_text);
  } catch (const YAML::Exception& e) {
    return fail(Errc::Invalid, std::string("kubeconfig: not valid YAML: ") + e.what());
  }
  if (!root.IsMap()) {
    return fail(Errc::Invalid, "kubeconfig: expected a mapping at the top level");
  }
  try {
    Config config;
    config.context = context;
    if (config.context.empty() && root["current-context"]) {
      config.context = root["current-context"].as<std::string>();
    }
    if (config.context.empty()) {
      return fail(Errc::Invalid, "kubeconfig: no context given and no current-context set");
    }
    const auto ctx = find_named(root["contexts"], config.context);
    if (!ctx || !ctx["context"]) {
      return fail(Errc::NotFound, "kubeconfig: context '" + config.context + "' not found");
    }
    const auto context_node = ctx["context"];
    const auto cluster_name = context_node["cluster"].as<std::string>("");
    const auto user_name = context_node["user"].as<std::string>("");
    if (context_node["namespace"]) {
      config.default_namespace = context_node["namespace"].as<std::string>();
    }
    const auto cluster = find_named(root["clusters"], cluster_name)["cluster"];
    if (!cluster) {
      return fail(Errc::NotFound, "kubeconfig: cluster '" + cluster_name + "' of context '" +
                                      config.context + "' not found");
    }
    if (cluster["insecure-skip-tls-verify"] && cluster["insecure-skip-tls-verify"].as<bool>()) {
      return fail(Errc::Invalid, "kubeconfig: cluster '" + cluster_name +
                                     "' sets insecure-skip-tls-verify; TLS is always verified");
    }
    config.server = cluster["server"].as<std::string>("");
    if (auto split = split_server(config); !split) {
      return split.error().with_context("kubeconfig: cluster '" + cluster_name + "'");
    }
    auto ca = data_or_file(cluster, "certificate-authority", base_dir);
    if (!ca) {
      return ca.error().with_context("kubeconfig: cluster '" + cluster_name + "'");
    }
    config.ca_pem = std::move(*ca);

    if (!user_name.empty()) {
      const auto user = find_named(root["users"], user_name)["user"];
      if (!user) {
        return fail(Errc::NotFound, "kubeconfig: user '" + user_name + "' not found");
      }
      auto cert = data_or_file(user, "client-certificate", base_dir);
      auto key = data_or_file(user, "client-key", base_dir);
      if (!cert) {
        return cert.error().with_context("kubeconfig: user '" + user_name + "'");
      }
      if (!key) {
        return key.error().with_context("kubeconfig: user '" + user_name + "'");
      }
      if (cert->empty() != key->empty()) {
        return fail(Errc::Invalid, "kubeconfig: user '" + user_name +
                                       "' has a client certificate without a key, or the reverse");
      }
      config.client_cert_pem = std::move(*cert);
      config.client_key_pem = std::move(*key);
      config.token = user["token"].as<std::string>("");
      if (user["tokenFile"]) {
        config.token_file = resolve(base_dir, user["tokenFile"].as<std::string>());
      }
      if (user["exec"] || user["auth-provider"]) {
        return fail(Errc::Invalid, "kubeconfig: user '" + user_name +
                                       "' uses an exec or auth-provider plugin, which is not "
                                       "supported; use a token or client certificate");
      }
    }
    return config;
  } catch (const YAML::Exception& e) {
    return fail(Errc::Invalid, std::string("kubeconfig: unexpected structure: ") + e.what());
  }
}

Result<Config> load_kubeconfig(const fs::path& path, const std::string& context) {
  auto text = read_file(path, "kubeconfig");
  if (!text) {
    return text.error();
  }
  auto config = parse_kubeconfig(*text, path.parent_path(), context);
  if (!config) {
    return config.error().with_context(path.string());
  }
  return config;
}

Result<Config> in_cluster_config(const std::string& service_host, const std::string& service_port,
                                 const fs::path& root) {
  if (service_host.empty() || service_port.empty()) {
    return fail(Errc::NotFound,
                "in-cluster config: KUBERNETES_SERVICE_HOST/PORT are not set (not in a pod?)");
  }
  Config config;
  const bool ipv6 = service_host.find(':') != std::string::npos;
  config.server = "https://" + (ipv6 ? "[" + service_host + "]" : service_host) + ":" + service_port;
  config.host = service_host;
  config.port = service_port;
  auto ca = read_file(root / "ca.crt", "in-cluster config");
  if (!ca) {
    return ca.error();
  }
  config.ca_pem = std::move(*ca);
  config.token_file = root / "token";
  if (auto token = read_file(config.token_file, "in-cluster config"); token) {
    config.token = std::move(*token);
  } else {
    return token.error();
  }
  if (auto ns = read_file(root / "namespace", "in-cluster config"); ns) {
    config.default_namespace = std::move(*ns);
  }
  config.context = "in-cluster";
  return config;
}

Result<Config> resolve_config(const ConfigSources& sources) {
  if (!sources.kubeconfig.empty()) {
    return load_kubeconfig(sources.kubeconfig, sources.context);
  }
  if (!sources.service_host.empty()) {
    return in_cluster_config(sources.service_host, sources.service_port);
  }
  if (!sources.home.empty()) {
    return load_kubeconfig(fs::path(sources.home) / ".kube" / "config", sources.context);
  }
  return fail(Errc::NotFound, "no kubeconfig given, not in a cluster, and no $HOME");
}

}  // namespace mcm::kube
