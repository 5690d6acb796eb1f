#include <app/desired.hpp>

#include <app/render.hpp>

#include <mcm/core/json_path.hpp>

#include <algorithm>

namespace mcm::app {
namespace {

using detail::AppSpec;
using detail::Children;

using TypeRenderer = void (*)(Children&);

TypeRenderer renderer_for(const std::string& type) {
  static const std::pair<const char*, TypeRenderer> kRenderers[] = {
      {"zabbix", &detail::render_zabbix},
      {"graylog", &detail::render_graylog},
      {"rundeck", &detail::render_rundeck},
      {"clamav-mirror", &detail::render_clamav_mirror},
      {"artifactory", &detail::render_artifactory},
      {"ntp", &detail::render_ntp},
      {"duplicity", &detail::render_duplicity},
  };
  for (const auto& [name, renderer] : kRenderers) {
    if (type == name) {
      return renderer;
    }
  }
  return nullptr;
}

std::string host_of(const RenderContext& ctx) {
  const bool ipv6 = ctx.node_address.find(':') != std::string::npos;
  return ipv6 ? "[" + ctx.node_address + "]" : ctx.node_address;
}

}  // namespace

Result<std::vector<Rendered>> render_children(const kube::Json& app, const RenderContext& ctx) {
  auto spec = detail::parse_spec(app);
  if (!spec) {
    return spec.error();
  }
  const TypeRenderer render = renderer_for(spec->entry->type);
  if (!render) {
    // The catalog lists a type no renderer knows: a bug of this file, not of the App.
    return fail(Errc::Internal, "no renderer for app type " + spec->entry->type);
  }
  Children children(*spec, ctx);
  render(children);
  return children.take();
}

std::string url_for(const kube::Json& app, const RenderContext& ctx) {
  auto spec = detail::parse_spec(app);
  if (!spec || spec->entry->web_port.empty()) {
    return "";
  }
  return "http://" + host_of(ctx) + ":" +
         std::to_string(spec->node_ports.at(spec->entry->web_port)) + spec->entry->ui_path;
}

kube::Json endpoints_for(const kube::Json& app, const RenderContext& ctx) {
  kube::Json out = kube::Json::object();
  auto spec = detail::parse_spec(app);
  if (!spec) {
    return out;
  }
  for (const auto& port : spec->entry->node_ports) {
    const std::string address = host_of(ctx) + ":" + std::to_string(spec->node_ports.at(port.name));
    if (port.name == spec->entry->web_port) {
      out[port.name] = "http://" + address + spec->entry->ui_path;
    } else if (port.protocol == "UDP") {
      out[port.name] = "udp://" + address;
    } else {
      out[port.name] = "tcp://" + address;
    }
  }
  return out;
}

std::vector<VolumeClaim> volumes_for(const kube::Json& app) {
  std::vector<VolumeClaim> out;
  auto spec = detail::parse_spec(app);
  if (!spec) {
    return out;
  }
  for (const auto& volume : spec->entry->volumes) {
    out.push_back(
        VolumeClaim{detail::claim_name(*spec, volume), detail::volume_size(*spec, volume)});
  }
  std::sort(out.begin(), out.end(),
            [](const VolumeClaim& a, const VolumeClaim& b) { return a.name < b.name; });
  return out;
}

std::vector<SecretKey> secret_keys_for(const kube::Json& app) {
  const auto type = json::find_string(app, {"spec", "type"});
  if (!type) {
    return {};
  }
  const CatalogEntry* entry = find_catalog_entry(*type);
  return entry ? entry->secret_keys : std::vector<SecretKey>{};
}

std::string admin_secret_name(const kube::Json& app, const RenderContext& ctx) {
  if (!ctx.admin_secret_name.empty()) {
    return ctx.admin_secret_name;
  }
  const auto name = json::find_string(app, {"metadata", "name"});
  return name ? *name + "-admin" : std::string();
}

}  // namespace mcm::app
