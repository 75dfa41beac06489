// server/policy/policy_set.cc — PolicySet: policy files, building a set's
// instances through a runtime, and evaluating batches. See policy.h.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <unordered_map>

#include "server/base/clock.h"
#include "server/base/log.h"
#include "server/policy/policy.h"
#include "server/policy/policy_file.h"

namespace allot::policy {
namespace fs = std::filesystem;

namespace {

void LogError(const std::string& msg) { log::Error(msg, {{"source", "policy"}}); }

std::string Quoted(const std::string& name) { return "policy \"" + name + "\""; }

bool AppliesTo(const std::vector<std::string>& tenants, std::string_view tenant) {
  return tenants.empty() || std::find(tenants.begin(), tenants.end(), tenant) != tenants.end();
}

}  // namespace

std::vector<PolicyDef> ReadPolicyFiles(const std::string& policies_dir) {
  std::vector<PolicyDef> out;
  if (policies_dir.empty()) return out;
  std::vector<fs::path> files;
  std::error_code ec;
  for (fs::directory_iterator it(policies_dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().extension() == ".json" && it->is_regular_file(ec)) files.push_back(it->path());
  }
  if (ec) LogError("cannot list policies directory " + policies_dir + ": " + ec.message());
  std::sort(files.begin(), files.end());

  std::map<std::string, std::string> defined_in;  // policy name -> file
  for (const fs::path& file : files) {
    PolicyDef def;
    def.file = file.string();
    def.name = file.stem().string();
    def.source = "file";
    def.loaded_at = NowRfc3339();
    std::ifstream in(file, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    ParsedPolicy parsed = ParsePolicy(in ? text.str() : std::string());
    if (!in) parsed.error = "cannot read the file";
    if (!parsed.spec.name.empty()) def.name = parsed.spec.name;
    def.plugin = parsed.spec.plugin;
    def.priority = parsed.spec.priority;
    def.config = parsed.spec.config;
    def.tenants = parsed.spec.tenants;
    if (parsed.error.empty()) {
      auto [it, fresh] = defined_in.emplace(def.name, def.file);
      if (!fresh) {
        parsed.error = "duplicate policy name \"" + def.name + "\" (already defined in " +
                       it->second + ")";
      }
    }
    if (!parsed.error.empty()) def.error = "policy file " + def.file + ": " + parsed.error;
    out.push_back(std::move(def));
  }
  return out;
}

PolicySet::~PolicySet() = default;

std::shared_ptr<const PolicySet> PolicySet::Build(std::vector<PolicyDef> defs,
                                                  std::shared_ptr<PluginRuntime> runtime,
                                                  std::string_view tenant,
                                                  const PolicySet* previous) {
  std::shared_ptr<PolicySet> set(new PolicySet());
  set->runtime_ = runtime;
  std::set<std::string> paths;
  for (PolicyDef& def : defs) {
    if (!tenant.empty() && !AppliesTo(def.tenants, tenant)) continue;
    PolicyStatus st{.name = def.name,
                    .plugin = def.plugin,
                    .file = def.file,
                    .source = def.source,
                    .priority = def.priority,
                    .enabled = def.enabled,
                    .version = def.version,
                    .tenants = def.tenants,
                    .ok = false,
                    .error = def.error,
                    .loaded_at = def.loaded_at.empty() ? NowRfc3339() : def.loaded_at};
    Entry entry{nullptr, def.config.dump()};
    if (st.error.empty() && st.enabled) {
      // An unchanged definition keeps its instance (no on_create again).
      if (previous != nullptr) {
        for (size_t i = 0; i < previous->statuses_.size(); ++i) {
          const PolicyStatus& old = previous->statuses_[i];
          if (old.ok && old.name == st.name && old.source == st.source &&
              old.plugin == st.plugin && previous->entries_[i].config == entry.config &&
              previous->entries_[i].instance != nullptr) {
            entry.instance = previous->entries_[i].instance;
            st.loaded_at = old.loaded_at;
            break;
          }
        }
      }
      if (entry.instance == nullptr) {
        auto created = runtime->Create(tenant, def.plugin, def.name, def.config);
        if (created) {
          entry.instance = std::move(*created);
          st.loaded_at = NowRfc3339();
        } else if (created.error().rfind("plugin ", 0) == 0) {
          st.error = Quoted(st.name) + ": " + created.error();
        } else {
          st.error = Quoted(st.name) + " (plugin " + def.plugin + "): " + created.error();
        }
      }
      if (entry.instance != nullptr) {
        for (const std::string& p : entry.instance->paths()) paths.insert(p);
      }
    }
    st.ok = st.error.empty();
    if (!st.ok) LogError(st.error);
    set->statuses_.push_back(std::move(st));
    set->entries_.push_back(std::move(entry));
  }
  set->paths_.assign(paths.begin(), paths.end());
  return set;
}

std::shared_ptr<const PolicySet> PolicySet::Load(const std::string& policies_dir,
                                                 const std::string& plugins_dir) {
  return Build(ReadPolicyFiles(policies_dir), MakeLocalRuntime(plugins_dir), "");
}

std::vector<std::pair<const PolicyStatus*, BatchResult>> PolicySet::Evaluate(
    const FactsBatch& facts) const {
  std::vector<std::pair<const PolicyStatus*, BatchResult>> out;
  std::vector<PolicyInstance*> instances;
  std::vector<size_t> slots;  // out index of each instance
  for (size_t p = 0; p < statuses_.size(); ++p) {
    const PolicyStatus& st = statuses_[p];
    if (!st.enabled || !AppliesTo(st.tenants, facts.tenant())) continue;
    BatchResult r;
    if (!st.ok) {
      r.error = st.error;
    } else {
      instances.push_back(entries_[p].instance.get());
      slots.push_back(out.size());
    }
    out.emplace_back(&st, std::move(r));
  }
  if (instances.empty()) return out;
  std::vector<BatchResult> results = runtime_->Evaluate(instances, facts);
  for (size_t k = 0; k < instances.size(); ++k) {
    auto& [st, r] = out[slots[k]];
    r = k < results.size() ? std::move(results[k]) : BatchResult{false, "no result", {}};
    if (!r.ok) {
      // The plugin's name, not its file: tenants' admins read this.
      r.error = Quoted(st->name) + " (plugin " + st->plugin + "): " + r.error;
      r.grants_by_user.clear();
    } else {
      r.grants_by_user.resize(facts.size());
    }
  }
  return out;
}

std::vector<std::pair<const PolicyStatus*, BatchResult>> PolicySet::Evaluate(
    std::string_view tenant, std::span<const UserFacts> users,
    const std::unordered_set<std::string>& subscriptions) const {
  FactsBatch facts(std::string(tenant),
                   std::vector<std::string>(subscriptions.begin(), subscriptions.end()), paths_);
  std::unordered_map<const GroupFacts*, uint32_t> group_index;
  for (const UserFacts& u : users) {
    facts.AddUser(u.id, u.active);
    for (const GroupFacts* g : u.groups) {
      auto [it, fresh] = group_index.try_emplace(g, 0);
      if (fresh) {
        it->second = g == nullptr ? facts.AddGroup("", "", "")
                                  : facts.AddGroup(g->id, g->display_name, g->external_id);
      }
      facts.AddUserGroup(it->second);
    }
    if (u.resource != nullptr) facts.AddUserValues(*u.resource);
  }
  return Evaluate(facts);
}

}  // namespace allot::policy
