// server/policy/local_runtime.cc — MakeLocalRuntime: plugins dlopen'ed in
// this process, one load per plugin file, shared by its instances.
#include <map>
#include <mutex>

#include "server/policy/local_instance.h"
#include "server/policy/plugin.h"
#include "server/policy/policy.h"

namespace allot::policy {
namespace {

class LocalPolicyInstance final : public PolicyInstance {
 public:
  LocalPolicyInstance(std::unique_ptr<LocalInstance> instance, std::string path)
      : instance_(std::move(instance)), path_(std::move(path)) {}
  const std::vector<std::string>& paths() const override { return instance_->paths(); }
  const std::string& plugin_path() const override { return path_; }
  const LocalInstance& instance() const { return *instance_; }

 private:
  std::unique_ptr<LocalInstance> instance_;
  std::string path_;
};

class LocalRuntime final : public PluginRuntime {
 public:
  explicit LocalRuntime(std::string plugins_dir) : plugins_dir_(std::move(plugins_dir)) {}

  std::expected<std::shared_ptr<PolicyInstance>, std::string> Create(
      std::string_view, const std::string& plugin, const std::string& policy_name,
      const nlohmann::json& config) override {
    std::shared_ptr<const Plugin> loaded;
    {
      // One dlopen and handshake per plugin file, kept while instances live.
      std::lock_guard lock(mu_);
      auto it = plugins_.find(plugin);
      if (it == plugins_.end() || it->second.expired()) {
        auto opened = Plugin::Open(PluginPath(plugin));
        if (!opened) return std::unexpected(opened.error());
        plugins_[plugin] = *opened;
        loaded = *opened;
      } else {
        loaded = it->second.lock();
      }
    }
    auto instance = LocalInstance::Create(loaded, config, policy_name);
    if (!instance) return std::unexpected(instance.error());
    return std::make_shared<LocalPolicyInstance>(std::move(*instance), PluginPath(plugin));
  }

  std::vector<BatchResult> Evaluate(std::span<PolicyInstance* const> instances,
                                    const FactsBatch& facts) override {
    std::vector<BatchResult> out;
    for (PolicyInstance* i : instances) {
      out.push_back(static_cast<const LocalPolicyInstance*>(i)->instance().Evaluate(facts));
    }
    return out;
  }

  std::expected<uint32_t, std::string> Probe(const std::string& plugin) override {
    auto opened = Plugin::Open(PluginPath(plugin));
    if (!opened) return std::unexpected(opened.error());
    return (*opened)->api().abi_version;
  }

  std::string PluginPath(const std::string& plugin) const override {
    return plugins_dir_ + "/" + plugin + ".so";
  }

 private:
  const std::string plugins_dir_;
  std::mutex mu_;
  std::map<std::string, std::weak_ptr<const Plugin>> plugins_;
};

}  // namespace

std::shared_ptr<PluginRuntime> MakeLocalRuntime(std::string plugins_dir) {
  return std::make_shared<LocalRuntime>(std::move(plugins_dir));
}

}  // namespace allot::policy
