// duplicity: what the backup feature needs in the cluster, and nothing that runs. Backups are
// Jobs the backup feature launches on demand and on schedule from the runner image; between two
// backups no pod is needed, so this App renders only a ConfigMap recording the runner image,
// the target and where the encryption passphrase lives.

#include <app/render.hpp>

namespace mcm::app::detail {

void render_duplicity(Children& c) {
  Json data = {{"runner-image", c.image("runner")},
               {"passphrase-secret", c.secret()},
               {"passphrase-key", "backup-passphrase"},
               {"timezone", c.settings().timezone}};
  if (!c.settings().backup_target.empty()) {
    data["backup-target"] = c.settings().backup_target;
  }
  c.add(kube::resources::config_maps(), c.config_map(c.name("duplicity"), "duplicity", data));
}

}  // namespace mcm::app::detail
