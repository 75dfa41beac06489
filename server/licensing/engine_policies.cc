// server/licensing/engine_policies.cc — the admin side of a tenant's
// policies: installed plugins, the policy list with its status, PUT and
// DELETE of the tenant's own policies, and the reload of the operator's
// files for one tenant. See engine.h.
#include <soci/soci.h>

#include <algorithm>
#include <filesystem>

#include "server/base/log.h"
#include "server/licensing/engine.h"
#include "server/licensing/engine_tenant.h"
#include "server/licensing/policy_store.h"
#include "server/policy/policy_file.h"

namespace allot::licensing {
namespace fs = std::filesystem;

namespace {

PolicyView ViewOfDef(const policy::PolicyDef& d) {
  return PolicyView{.name = d.name,
                    .plugin = d.plugin,
                    .source = d.source,
                    .status = "ok",
                    .loaded_at = d.loaded_at,
                    .priority = d.priority,
                    .enabled = d.enabled,
                    .version = d.version,
                    .config = d.config};
}

PolicyView ViewOfStored(const StoredPolicy& p) {
  return PolicyView{.name = p.name,
                    .plugin = p.plugin,
                    .source = "api",
                    .status = "ok",
                    .loaded_at = p.updated_at,
                    .priority = p.priority,
                    .enabled = p.enabled,
                    .version = p.version,
                    .config = p.config};
}

std::vector<std::string> InstalledPlugins(const std::string& dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().extension() == ".so" && it->is_regular_file(ec)) {
      names.push_back(it->path().stem().string());
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::string Join(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
  return out.empty() ? "none" : out;
}

}  // namespace

Result<Engine::PluginRequest> Engine::BeginPluginRequest(const std::string& tenant) {
  Tenant& t = TenantOf(tenant);
  std::lock_guard lock(mu_);
  if (t.plugin_requests >= options_.max_plugin_requests_per_tenant) {
    return Fail(ErrorCode::kTooManyRequests,
                "other policy operations of this tenant are still running; retry in a moment");
  }
  ++t.plugin_requests;
  return PluginRequest(this, &t);
}

std::vector<PluginInfo> Engine::Plugins() {
  std::vector<PluginInfo> out;
  for (const std::string& name : InstalledPlugins(options_.plugins_dir)) {
    std::error_code ec;
    const auto path = fs::path(options_.plugins_dir) / (name + ".so");
    const int64_t stamp = fs::last_write_time(path, ec).time_since_epoch().count();
    {
      std::lock_guard lock(mu_);
      auto it = plugin_cache_.find(name);
      if (it != plugin_cache_.end() && it->second.first == stamp) {
        out.push_back(it->second.second);
        continue;
      }
    }
    // Loaded in a plugin host, never in the server: a .so runs code when loaded.
    PluginInfo info{.name = name};
    auto abi = runtime_->Probe(name);
    if (abi) {
      info.abi_version = *abi;
    } else {
      info.error = abi.error();
    }
    std::lock_guard lock(mu_);
    plugin_cache_[name] = {stamp, info};
    out.push_back(std::move(info));
  }
  return out;
}

Result<std::vector<PolicyView>> Engine::ListPolicies(const std::string& tenant) {
  Tenant& t = TenantOf(tenant);
  bool built;
  {
    std::lock_guard lock(mu_);
    built = t.set != nullptr;
  }
  if (!built) {
    // First look at this tenant's policies: load them (within the tenant's
    // limit; beyond it the list shows what the database knows).
    if (auto request = BeginPluginRequest(tenant); request) {
      if (auto b = Policies(tenant); !b) return std::unexpected(b.error());
    }
  }
  struct Stored {
    std::vector<StoredPolicy> policies;
    std::map<std::string, StoredStatus> statuses;
  };
  auto stored = db_.ReadValue<Stored>([&](soci::session& sql) -> Result<Stored> {
    auto list = ListStoredPolicies(sql, tenant);
    if (!list) return std::unexpected(list.error());
    auto statuses = ReadPolicyStatuses(sql, tenant);
    if (!statuses) return std::unexpected(statuses.error());
    return Stored{std::move(*list), std::move(*statuses)};
  });
  if (!stored) return std::unexpected(stored.error());
  std::vector<policy::PolicyDef> files;
  std::shared_ptr<const policy::PolicySet> set;
  {
    std::lock_guard lock(mu_);
    files = FileDefsFor(t, tenant);
    set = t.set;
  }
  std::vector<PolicyView> views;
  for (const policy::PolicyDef& d : files) views.push_back(ViewOfDef(d));
  for (const StoredPolicy& p : stored->policies) views.push_back(ViewOfStored(p));
  for (PolicyView& v : views) {
    // What loading it said, from the built set when it matches the definition.
    if (set != nullptr) {
      for (const policy::PolicyStatus& st : set->Statuses()) {
        if (st.name != v.name || st.source != v.source || st.version != v.version) continue;
        v.loaded_at = st.loaded_at;
        if (!st.ok) {
          v.status = "failed";
          v.error = st.error;
        }
      }
    }
    // What the last evaluation (by any instance) said.
    auto it = stored->statuses.find(v.name);
    if (it != stored->statuses.end() && it->second.status == "failed") {
      v.status = "failed";
      if (v.error.empty()) v.error = it->second.error;
      v.failed_at = it->second.failed_at;
    }
    if (v.status == "failed" && v.failed_at.empty()) v.failed_at = v.loaded_at;
  }
  return views;
}

Result<PolicyView> Engine::GetPolicy(const std::string& tenant, const std::string& name) {
  auto all = ListPolicies(tenant);
  if (!all) return std::unexpected(all.error());
  for (PolicyView& v : *all) {
    if (v.name == name) return std::move(v);
  }
  return Fail(ErrorCode::kNotFound, "no policy named \"" + name + "\"");
}

std::vector<PolicyView> Engine::PolicyStatuses(const std::string& tenant) {
  auto all = ListPolicies(tenant);
  return all ? std::move(*all) : std::vector<PolicyView>{};
}

namespace {

// kConflict when `name` is one of the operator's files for this tenant.
Status RefuseFilePolicy(const std::vector<policy::PolicyDef>& files, const std::string& name) {
  for (const policy::PolicyDef& d : files) {
    if (d.name == name) {
      return Fail(ErrorCode::kConflict, "policy \"" + name +
                                            "\" comes from the operator's policy files and is "
                                            "read-only here");
    }
  }
  return Ok();
}

}  // namespace

Result<Engine::PutResult> Engine::PutPolicy(const std::string& tenant, const std::string& name,
                                            const PolicyInput& input, const Actor& actor) {
  if (!policy::IsValidPolicyName(name)) {
    return Fail(ErrorCode::kInvalidRequest,
                "a policy name is 1-64 characters of [A-Za-z0-9_.-]: \"" + name + "\" is not");
  }
  if (!policy::IsValidPluginName(input.plugin)) {
    return Fail(ErrorCode::kInvalidRequest,
                "\"plugin\" must be a plugin name of 1-64 characters [A-Za-z0-9_-]");
  }
  if (!input.config.is_object()) {
    return Fail(ErrorCode::kInvalidRequest, "\"config\" must be a JSON object");
  }
  Tenant& t = TenantOf(tenant);
  {
    std::lock_guard lock(mu_);
    if (auto s = RefuseFilePolicy(FileDefsFor(t, tenant), name); !s) return std::unexpected(s.error());
  }
  const std::vector<std::string> installed = InstalledPlugins(options_.plugins_dir);
  if (std::find(installed.begin(), installed.end(), input.plugin) == installed.end()) {
    return Fail(ErrorCode::kInvalidRequest, "no plugin named \"" + input.plugin +
                                                "\" is installed (installed: " + Join(installed) +
                                                ")");
  }
  auto request = BeginPluginRequest(tenant);
  if (!request) return std::unexpected(request.error());
  // The plugin judges the config before anything is stored.
  {
    auto made = runtime_->Create(tenant, input.plugin, name, input.config);
    if (stopping_) return Fail(ErrorCode::kUnavailable, "the server is shutting down");
    if (!made) {
      std::string words = made.error();
      if (words.rfind("invalid config: ", 0) == 0) words = words.substr(16);
      return Fail(ErrorCode::kInvalidRequest,
                  "the plugin \"" + input.plugin + "\" refused the config: " + words);
    }
  }
  auto stored = db_.WriteValue<std::pair<StoredPolicy, bool>>(
      [&](soci::session& sql) { return PutStoredPolicy(sql, tenant, name, input, actor); });
  if (!stored) return std::unexpected(stored.error());
  {
    std::lock_guard lock(mu_);
    t.pass_actor = actor;
  }
  // This instance serves the new policy from now on; the others within a
  // poll interval. The re-evaluation of the tenant's users follows.
  if (auto built = Policies(tenant); !built) {
    log::Warn("policies not rebuilt after a change", {{"tenant", tenant}, {"error", built.error().message}});
  }
  Wake(tenant);
  auto view = GetPolicy(tenant, name);
  if (!view) return std::unexpected(view.error());
  return PutResult{std::move(*view), stored->second};
}

Status Engine::DeletePolicy(const std::string& tenant, const std::string& name, const Actor& actor) {
  Tenant& t = TenantOf(tenant);
  {
    std::lock_guard lock(mu_);
    if (auto s = RefuseFilePolicy(FileDefsFor(t, tenant), name); !s) return s;
  }
  Status deleted = db_.Write(
      [&](soci::session& sql) { return DeleteStoredPolicy(sql, tenant, name, actor); });
  if (!deleted) return deleted;
  {
    std::lock_guard lock(mu_);
    t.pass_actor = actor;
  }
  if (auto built = Policies(tenant); !built) {
    log::Warn("policies not rebuilt after a change", {{"tenant", tenant}, {"error", built.error().message}});
  }
  Wake(tenant);
  return Ok();
}

Result<ReloadOutcome> Engine::ReloadTenantPolicies(const std::string& tenant, const Actor& actor) {
  auto request = BeginPluginRequest(tenant);
  if (!request) return std::unexpected(request.error());
  auto files = std::make_shared<const std::vector<policy::PolicyDef>>(
      policy::ReadPolicyFiles(options_.policies_dir));
  Tenant& t = TenantOf(tenant);
  {
    std::lock_guard lock(mu_);
    t.files = std::move(files);
    t.files_generation = ++generations_;
    t.pass_requested = false;  // the pass below is that re-evaluation
  }
  auto counts = ReconcileTenant(tenant, actor);
  if (!counts) return std::unexpected(counts.error());
  auto views = ListPolicies(tenant);
  if (!views) return std::unexpected(views.error());
  return ReloadOutcome{std::move(*views), *counts};
}

}  // namespace allot::licensing
