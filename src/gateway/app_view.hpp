#pragma once
// What the dashboard shows of a catalog app: the catalog entry merged with the App resource of
// that type (if one is installed), in the shape of the API's `App` schema (openapi.json).
// Pure functions of their inputs; no I/O.

#include <app/catalog.hpp>

#include <mcm/kube/resource.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mcm::gateway {

// The spec.settings keys that apply to `type`; the CRD refuses the others for that type.
const std::vector<std::string>& setting_keys(std::string_view type);

// The login name of the app's generated admin account (the password is in its Secret).
std::string admin_user(std::string_view type);

// The phase the dashboard paints. Until the operator has observed the current generation, the
// spec says where the app is going: Installing when enabled, Stopped when not.
std::string app_phase(const kube::Json& app);

// Where an App's generated admin password is kept: status.adminSecretRef, which the app
// operator writes once it has made the Secret. Nothing for an App it has not reconciled yet (no
// status), an app without credentials, or a reference missing its name or key.
struct SecretRef {
  std::string name;
  std::string key;
};
std::optional<SecretRef> admin_secret_ref(const kube::Json& app);

// `app` is null when no App of that type exists.
kube::Json app_view(const app::CatalogEntry& entry, const kube::Json* app);

// The App resource the dashboard creates for `type` when a user starts or configures it.
kube::Json new_app(const std::string& type, const std::string& ns, bool enabled,
                   const kube::Json& settings);

}  // namespace mcm::gateway
