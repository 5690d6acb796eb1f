#pragma once
// Pure desired-state rendering of an App (mycloudmanager.io/v1alpha1): the App object in, the
// child objects the operator server-side applies out. No I/O, no clock, no randomness: the same
// App and context always give byte-identical JSON, so an apply whose body equals the last one
// can be skipped. Passwords are never rendered: they live in the admin Secret the reconciler
// generates (secret_keys_for) and reach containers only through secretKeyRef.
//
// Every child is in the App's namespace, named `<app>-<part>`, labelled
// app.kubernetes.io/{name,instance,component,managed-by} and owned by the App (controller
// ownerReference) -- except a standalone PersistentVolumeClaim, which the App owns only when
// spec.storage.deleteOnRemove is true so that deleting the App keeps its data otherwise.
// StatefulSet claims follow the same rule through persistentVolumeClaimRetentionPolicy.
//
// spec.enabled: false scales every Deployment and StatefulSet to zero and suspends CronJobs;
// volumes are kept. A spec the operator cannot render (unknown type, bad image reference,
// NodePort out of range or used twice, oversized config, ...) gives Errc::Invalid with a message
// naming the field: a terminal error that status reports, not something a retry fixes.

#include <app/catalog.hpp>

#include <mcm/core/result.hpp>
#include <mcm/kube/resource.hpp>

#include <string>
#include <vector>

namespace mcm::app {

struct RenderContext {
  // The Secret holding the generated credentials, created by the reconciler (passwords are
  // random, rendering is pure). Empty means the conventional `<app>-admin`.
  std::string admin_secret_name;
  // The address users and instances reach NodePorts on, for URLs and endpoints.
  std::string node_address = "127.0.0.1";
};

// One child to server-side apply.
struct Rendered {
  kube::Resource resource;
  kube::Json object;
};

// A persistent volume of an App as the status reports it.
struct VolumeClaim {
  std::string name;
  std::string size;
};

// The children of `app`, in apply order (configuration and claims before the workloads that
// mount them). Errc::Invalid for a spec that cannot be rendered.
Result<std::vector<Rendered>> render_children(const kube::Json& app, const RenderContext& ctx);

// The "GO" URL: http://<node_address>:<web NodePort><ui path>. Empty for a type without a UI
// (ntp, duplicity) or a spec that cannot be rendered.
std::string url_for(const kube::Json& app, const RenderContext& ctx);

// Every published port as a URL, keyed by port name, for status.endpoints:
// {"web": "http://10.0.0.1:30601/", "trapper": "tcp://10.0.0.1:30651"}. Empty object for a spec
// that cannot be rendered.
kube::Json endpoints_for(const kube::Json& app, const RenderContext& ctx);

// The claims the App's workloads use (name and requested size), sorted by name. Empty for a spec
// that cannot be rendered.
std::vector<VolumeClaim> volumes_for(const kube::Json& app);

// The keys the reconciler generates into the admin Secret for this App's type; empty for an
// unknown type or a type without credentials.
std::vector<SecretKey> secret_keys_for(const kube::Json& app);

// The admin Secret's name for `app` under `ctx`.
std::string admin_secret_name(const kube::Json& app, const RenderContext& ctx);

}  // namespace mcm::app
