#include <mcm/core/base64.hpp>
#include <mcm/kube/config.hpp>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace mcm::kube {
namespace {

namespace fs = std::filesystem;

std::string kubeconfig(const std::string& cluster_extra, const std::string& user_body) {
  return R"(apiVersion: v1
kind: Config
current-context: dev
clusters:
- name: local
  cluster:
    server: https://127.0.0.1:6443
    certificate-authority-data: )" +
         base64_encode("CA PEM") + "\n" + cluster_extra + R"(
contexts:
- name: dev
  context: {cluster: local, user: admin, namespace: ops}
- name: other
  context: {cluster: missing, user: admin}
users:
- name: admin
  user:
)" + user_body;
}

TEST(Kubeconfig, ReadsInlineClientCertificate) {
  const auto text = kubeconfig("", "    client-certificate-data: " + base64_encode("CERT") +
                                       "\n    client-key-data: " + base64_encode("KEY") + "\n");
  auto config = parse_kubeconfig(text, "/nonexistent");
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->server, "https://127.0.0.1:6443");
  EXPECT_EQ(config->host, "127.0.0.1");
  EXPECT_EQ(config->port, "6443");
  EXPECT_EQ(config->ca_pem, "CA PEM");
  EXPECT_EQ(config->client_cert_pem, "CERT");
  EXPECT_EQ(config->client_key_pem, "KEY");
  EXPECT_EQ(config->default_namespace, "ops");
  EXPECT_EQ(config->context, "dev");
}

TEST(Kubeconfig, ReadsTokenAndRelativeFiles) {
  const auto dir = fs::temp_directory_path() / "mcm-kubeconfig-test";
  fs::create_directories(dir);
  std::ofstream(dir / "ca.crt") << "FILE CA";
  const std::string text = R"(current-context: c
clusters: [{name: k, cluster: {server: "https://[::1]:7443", certificate-authority: ca.crt}}]
contexts: [{name: c, context: {cluster: k, user: u}}]
users: [{name: u, user: {token: s3cret, tokenFile: tok}}]
)";
  auto config = parse_kubeconfig(text, dir);
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->ca_pem, "FILE CA");
  EXPECT_EQ(config->host, "::1");
  EXPECT_EQ(config->port, "7443");
  EXPECT_EQ(config->token, "s3cret");
  EXPECT_EQ(config->token_file, dir / "tok");
  EXPECT_EQ(config->default_namespace, "default");
  fs::remove_all(dir);
}

TEST(Kubeconfig, DefaultsPortTo443) {
  auto config = parse_kubeconfig(
      "current-context: c\nclusters: [{name: k, cluster: {server: 'https://api.example.com'}}]\n"
      "contexts: [{name: c, context: {cluster: k}}]\n",
      "/");
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->host, "api.example.com");
  EXPECT_EQ(config->port, "443");
}

TEST(Kubeconfig, RefusesInsecureSkipVerify) {
  auto config = parse_kubeconfig(kubeconfig("    insecure-skip-tls-verify: true", ""), "/");
  ASSERT_FALSE(config);
  EXPECT_NE(config.error().message.find("TLS is always verified"), std::string::npos);
}

TEST(Kubeconfig, RefusesPlainHttp) {
  auto config = parse_kubeconfig(
      "current-context: c\nclusters: [{name: k, cluster: {server: 'http://127.0.0.1:8080'}}]\n"
      "contexts: [{name: c, context: {cluster: k}}]\n",
      "/");
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().code, Errc::Invalid);
}

TEST(Kubeconfig, NamesAMissingContextOrCluster) {
  auto missing_context = parse_kubeconfig(kubeconfig("", ""), "/", "nope");
  ASSERT_FALSE(missing_context);
  EXPECT_EQ(missing_context.error().message, "kubeconfig: context 'nope' not found");
  auto missing_cluster = parse_kubeconfig(kubeconfig("", ""), "/", "other");
  ASSERT_FALSE(missing_cluster);
  EXPECT_NE(missing_cluster.error().message.find("cluster 'missing'"), std::string::npos);
}

TEST(Kubeconfig, RejectsMalformedYamlAndBadData) {
  EXPECT_EQ(parse_kubeconfig("{{{", "/").error().code, Errc::Invalid);
  EXPECT_EQ(parse_kubeconfig("- a list", "/").error().code, Errc::Invalid);
  auto bad_data = parse_kubeconfig(
      kubeconfig("", "    client-certificate-data: '***'\n    client-key-data: eA==\n"), "/");
  ASSERT_FALSE(bad_data);
  EXPECT_NE(bad_data.error().message.find("client-certificate-data"), std::string::npos);
}

TEST(Kubeconfig, CertificateWithoutKeyIsRefused) {
  auto config =
      parse_kubeconfig(kubeconfig("", "    client-certificate-data: " + base64_encode("C") + "\n"),
                       "/");
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().code, Errc::Invalid);
}

TEST(InClusterConfig, ReadsTheServiceAccount) {
  const auto dir = fs::temp_directory_path() / "mcm-sa-test";
  fs::create_directories(dir);
  std::ofstream(dir / "ca.crt") << "SA CA";
  std::ofstream(dir / "token") << "tok";
  std::ofstream(dir / "namespace") << "mcm-system";
  auto config = in_cluster_config("10.96.0.1", "443", dir);
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->server, "https://10.96.0.1:443");
  EXPECT_EQ(config->token, "tok");
  EXPECT_EQ(config->default_namespace, "mcm-system");
  EXPECT_FALSE(in_cluster_config("", "", dir));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace mcm::kube
