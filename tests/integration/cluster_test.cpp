// The local control plane itself: scheduler + kwok make a Deployment Available, PVCs bind.
#include "support.hpp"

#include <fstream>

namespace mcm::test {
namespace {

// kubectl apply of a manifest, through a file as a user would.
CommandResult apply_yaml(const std::string& ns, const std::string& yaml) {
  const std::string path = std::string(MCM_BINARY_DIR) + "/manifest-" + ns + ".yaml";
  std::ofstream(path) << yaml;
  return kubectl("apply -n " + ns + " -f " + path);
}

TEST(LocalCluster, DeploymentAppliedWithKubectlBecomesAvailable) {
  net::io_context io;
  auto client = make_client(io);
  const auto ns = make_namespace(io, *client);
  auto applied = apply_yaml(ns, R"(apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: nginx:1.27}]
)");
  ASSERT_EQ(applied.status, 0) << applied.output;
  auto available = kubectl("wait -n " + ns +
                           " --for=condition=Available --timeout=90s deployment/web");
  ASSERT_EQ(available.status, 0) << available.output;
  auto deployment = run(io, client->get(kube::resources::deployments(), ns, "web"));
  ASSERT_TRUE(deployment);
  EXPECT_EQ((*deployment)["status"].value("readyReplicas", 0), 2);
}

TEST(LocalCluster, StatefulSetClaimsBindAndBecomeReady) {
  net::io_context io;
  auto client = make_client(io);
  const auto ns = make_namespace(io, *client);
  auto applied = apply_yaml(ns, R"(apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  replicas: 1
  serviceName: db
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      containers: [{name: db, image: postgres:16}]
  volumeClaimTemplates:
    - metadata: {name: data}
      spec:
        accessModes: [ReadWriteOnce]
        resources: {requests: {storage: 1Gi}}
)");
  ASSERT_EQ(applied.status, 0) << applied.output;
  auto ready = kubectl("rollout status -n " + ns + " --timeout=120s statefulset/db");
  ASSERT_EQ(ready.status, 0) << ready.output;
  auto bound = kubectl("get pvc -n " + ns + " data-db-0 -o jsonpath={.status.phase}");
  ASSERT_EQ(bound.status, 0) << bound.output;
  EXPECT_EQ(bound.output, "Bound");
}

}  // namespace
}  // namespace mcm::test
