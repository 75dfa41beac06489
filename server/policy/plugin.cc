// server/policy/plugin.cc — see plugin.h.
#include "server/policy/plugin.h"

#include <dlfcn.h>

#include "server/policy/host_api.h"

namespace allot::policy {
namespace {

std::string DlError() {
  const char* e = dlerror();
  return e != nullptr ? e : "no detail from the loader";
}

}  // namespace

std::expected<std::shared_ptr<const Plugin>, std::string> Plugin::Open(
    const std::string& path) {
  const std::string where = "plugin " + path + ": ";
  dlerror();  // clear any stale message
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) return std::unexpected(where + "cannot load: " + DlError());
  // From here on the handle is owned by `plugin` and closed with it.
  std::shared_ptr<Plugin> plugin(new Plugin(path, handle));

  void* sym = dlsym(handle, ALLOT_PLUGIN_ENTRY_SYMBOL);
  if (sym == nullptr) {
    return std::unexpected(where + "entry symbol " ALLOT_PLUGIN_ENTRY_SYMBOL
                           " not found (is it exported with ALLOT_PLUGIN_EXPORT?): " +
                           DlError());
  }
  auto init = reinterpret_cast<allot_plugin_init_fn>(sym);
  allot_error err;
  const allot_plugin_api* api = nullptr;
  int32_t rc = init(&HostApi(), &err, &api);
  if (rc != ALLOT_OK) {
    return std::unexpected(where + ALLOT_PLUGIN_ENTRY_SYMBOL " failed (code " +
                           std::to_string(rc) + "): " +
                           (err.set ? err.message : "no message given"));
  }
  if (api == nullptr) {
    return std::unexpected(where + ALLOT_PLUGIN_ENTRY_SYMBOL
                           " returned no plugin table");
  }
  // The version first: a table of another ABI may have any layout.
  if (api->abi_version != ALLOT_PLUGIN_ABI_VERSION) {
    return std::unexpected(where + "built for plugin ABI version " +
                           std::to_string(api->abi_version) + ", this host speaks " +
                           std::to_string(ALLOT_PLUGIN_ABI_VERSION) +
                           ": rebuild it against this allot_plugin.h");
  }
  if (api->struct_size < ALLOT_PLUGIN_API_V1_SIZE) {
    return std::unexpected(where + "plugin table too small (struct_size " +
                           std::to_string(api->struct_size) + ", at least " +
                           std::to_string(ALLOT_PLUGIN_API_V1_SIZE) + " expected)");
  }
  if (api->on_create == nullptr || api->on_evaluate == nullptr ||
      api->on_destroy == nullptr) {
    return std::unexpected(where + "plugin table lacks on_create, on_evaluate or on_destroy");
  }
  plugin->api_ = api;
  return plugin;
}

Plugin::~Plugin() {
  if (handle_ != nullptr) dlclose(handle_);
}

}  // namespace allot::policy
