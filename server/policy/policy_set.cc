// server/policy/policy_set.cc — PolicySet: loading policy files with their
// plugins, and evaluating batches. See policy.h.
#include <dlfcn.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>

#include "server/policy/host_api.h"
#include "server/policy/plugin.h"
#include "server/policy/policy.h"
#include "server/policy/policy_file.h"

namespace allot::policy {
namespace fs = std::filesystem;

struct PolicySet::Entry {
  std::shared_ptr<const Plugin> plugin;  // null when the policy failed to load
  allot_instance* instance = nullptr;    // plugin-owned
  std::vector<std::unique_ptr<AttributePath>> paths;  // resolved in on_create
  std::mutex mu;  // serialises on_evaluate for plugins that are not concurrent

  ~Entry() {
    // The instance goes first, while its paths and its code are still there.
    if (instance != nullptr) plugin->api().on_destroy(instance);
  }
};

namespace {

std::string NowRfc3339() {
  std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

void LogError(const std::string& msg) {
  nlohmann::json line = {{"level", "error"}, {"source", "policy"}, {"msg", msg}};
  std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  std::fprintf(stderr, "%s\n", text.c_str());
}

std::string Quoted(const std::string& name) { return "policy \"" + name + "\""; }

}  // namespace

PolicySet::PolicySet() = default;
PolicySet::~PolicySet() = default;

std::shared_ptr<const PolicySet> PolicySet::Load(const std::string& policies_dir,
                                                 const std::string& plugins_dir) {
  std::shared_ptr<PolicySet> set(new PolicySet());
  std::vector<fs::path> files;
  std::error_code ec;
  for (fs::directory_iterator it(policies_dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().extension() == ".json" && it->is_regular_file(ec)) files.push_back(it->path());
  }
  if (ec) LogError("cannot list policies directory " + policies_dir + ": " + ec.message());
  std::sort(files.begin(), files.end());

  // One dlopen and handshake per plugin file per load, shared by its policies.
  std::map<std::string, std::expected<std::shared_ptr<const Plugin>, std::string>> plugins;
  std::map<std::string, std::string> defined_in;  // policy name -> file
  for (const fs::path& file : files) {
    PolicyStatus st;
    st.file = file.string();
    st.name = file.stem().string();
    st.loaded_at = NowRfc3339();
    auto entry = std::make_unique<Entry>();

    std::ifstream in(file, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    ParsedPolicy parsed = ParsePolicy(in ? text.str() : std::string());
    if (!in) parsed.error = "cannot read the file";
    if (!parsed.spec.name.empty()) st.name = parsed.spec.name;
    st.plugin = parsed.spec.plugin;
    st.priority = parsed.spec.priority;
    st.tenants = parsed.spec.tenants;
    if (parsed.error.empty()) {
      auto [it, fresh] = defined_in.emplace(st.name, st.file);
      if (!fresh) parsed.error = "duplicate policy name \"" + st.name + "\" (already defined in " + it->second + ")";
    }
    if (!parsed.error.empty()) {
      st.error = "policy file " + st.file + ": " + parsed.error;
    } else {
      const std::string path = plugins_dir + "/" + st.plugin + ".so";
      auto found = plugins.find(st.plugin);
      if (found == plugins.end()) found = plugins.emplace(st.plugin, Plugin::Open(path)).first;
      if (!found->second) {
        st.error = Quoted(st.name) + ": " + found->second.error();
      } else {
        entry->plugin = *found->second;
        allot_create_ctx ctx{&entry->paths};
        allot_error err;
        allot_instance* instance = nullptr;
        int32_t rc;
        {
          LogScope scope(&st.name);
          rc = entry->plugin->api().on_create(&ctx, ToConfig(parsed.spec.config), &err, &instance);
        }
        if (rc == ALLOT_OK && instance != nullptr) {
          entry->instance = instance;
        } else {
          st.error = Quoted(st.name) + " (plugin " + path + "): invalid config: " +
                     (err.set ? err.message
                              : rc == ALLOT_OK ? "on_create returned no instance"
                                               : "on_create failed with no message");
        }
      }
    }
    st.ok = st.error.empty();
    if (!st.ok) LogError(st.error);
    set->statuses_.push_back(std::move(st));
    set->entries_.push_back(std::move(entry));
  }
  return set;
}

std::vector<std::pair<const PolicyStatus*, BatchResult>> PolicySet::Evaluate(
    std::string_view tenant, std::span<const UserFacts> users,
    const std::unordered_set<std::string>& subscriptions) const {
  std::vector<std::pair<const PolicyStatus*, BatchResult>> out;
  // Views for the plugins (sorted, for a stable host_subscription_at) and for
  // the grant check (hashed, looked up without building a std::string).
  std::vector<std::string_view> subs(subscriptions.begin(), subscriptions.end());
  std::sort(subs.begin(), subs.end());
  const std::unordered_set<std::string_view> sub_set(subs.begin(), subs.end());
  const allot_batch batch{tenant, users, subs};

  for (size_t p = 0; p < statuses_.size(); ++p) {
    const PolicyStatus& st = statuses_[p];
    if (!st.tenants.empty() &&
        std::find(st.tenants.begin(), st.tenants.end(), tenant) == st.tenants.end()) {
      continue;
    }
    BatchResult r;
    if (!st.ok) {
      r.error = st.error;
    } else if (users.size() > UINT32_MAX) {
      r.error = Quoted(st.name) + ": batch too large for the plugin ABI";
    } else {
      Entry& e = *entries_[p];
      r.grants_by_user.resize(users.size());
      allot_grant_sink sink{&batch, &sub_set, &r.grants_by_user, {}};
      allot_error err;
      int32_t rc;
      {
        LogScope scope(&st.name);
        std::unique_lock lock(e.mu, std::defer_lock);
        if (!e.plugin->concurrent()) lock.lock();
        rc = e.plugin->api().on_evaluate(e.instance, &batch, &sink, &err);
      }
      const std::string where = Quoted(st.name) + " (plugin " + e.plugin->path() + "): ";
      if (!sink.error.empty()) {
        r.error = where + "invalid output: " + sink.error;
      } else if (rc != ALLOT_OK) {
        r.error = where + "evaluation failed (code " + std::to_string(rc) +
                  "): " + (err.set ? err.message : "no message given");
      }
      r.ok = r.error.empty();
      if (!r.ok) r.grants_by_user.clear();
    }
    out.emplace_back(&st, std::move(r));
  }
  return out;
}

}  // namespace allot::policy
