// Loading plugins: every broken plugin is refused with a message naming the
// file and the problem while the host keeps working; the ABI handshake on
// both sides; the plugin guide's minimal plugin loads and works.
#include <dlfcn.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "allot_plugin.h"
#include "server/policy/host_api.h"
#include "server/policy/plugin.h"
#include "tests/policy/policy_test_util.h"

namespace allot::policy {
namespace {

using ::testing::HasSubstr;
using testutil::TempDir;
using testutil::Users;

struct LoadCase {
  const char* plugin;
  std::vector<std::string> error_parts;
};
// gtest prints the case by its label, not as bytes.
void PrintTo(const LoadCase& c, std::ostream* os) { *os << c.plugin; }

class BrokenPluginIsRefused : public ::testing::TestWithParam<LoadCase> {};

TEST_P(BrokenPluginIsRefused, WithAClearMessage) {
  TempDir dir;
  dir.WritePolicy("broken", GetParam().plugin, nlohmann::json::object());
  auto set = PolicySet::Load(dir.path(), testutil::kBrokenPluginDir);
  ASSERT_EQ(set->Statuses().size(), 1u);
  const PolicyStatus& st = set->Statuses()[0];
  EXPECT_FALSE(st.ok);
  EXPECT_THAT(st.error, HasSubstr("policy \"broken\""));
  EXPECT_THAT(st.error, HasSubstr(std::string(GetParam().plugin) + ".so"));
  for (const std::string& part : GetParam().error_parts) EXPECT_THAT(st.error, HasSubstr(part));
}

INSTANTIATE_TEST_SUITE_P(
    Table, BrokenPluginIsRefused,
    ::testing::Values(
        LoadCase{"broken_wrong_abi", {"ABI version 999, this host speaks 1"}},
        LoadCase{"broken_no_entry", {"entry symbol allot_plugin_init not found", "undefined symbol"}},
        LoadCase{"broken_init_fails", {"allot_plugin_init failed", "this plugin refuses to start"}},
        LoadCase{"broken_small_table", {"plugin table too small (struct_size 8"}},
        LoadCase{"broken_null_table", {"returned no plugin table"}},
        LoadCase{"broken_missing_hook", {"lacks on_create, on_evaluate or on_destroy"}},
        LoadCase{"no_such_plugin", {"cannot load", "No such file"}}),
    [](const auto& test_info) { return std::string(test_info.param.plugin); });

// Tables only grow at the end: a plugin built against a newer header (a
// larger table) still loads, and the host uses only the fields it knows.
TEST(PluginLoad, AcceptsALargerTableFromANewerPlugin) {
  auto plugin = Plugin::Open(testutil::kBrokenPluginDir + "/broken_newer_table.so");
  ASSERT_TRUE(plugin.has_value()) << plugin.error();
  EXPECT_GT((*plugin)->api().struct_size, sizeof(allot_plugin_api));
}

TEST(PluginLoad, RefusesAFileThatIsNotASharedObject) {
  TempDir plugins;
  plugins.Write("fake.so", "this is not an ELF file");
  auto plugin = Plugin::Open(plugins.path() + "/fake.so");
  ASSERT_FALSE(plugin.has_value());
  EXPECT_THAT(plugin.error(), HasSubstr("plugin " + plugins.path() + "/fake.so: cannot load: "));
  EXPECT_THAT(plugin.error(), HasSubstr("fake.so"));  // dlerror() names it too
}

TEST(PluginLoad, CreateFailureMarksThePolicyFailedWithThePluginsMessage) {
  TempDir dir;
  dir.WritePolicy("p", "broken_misbehaves", {{"create", "fail"}});
  auto set = PolicySet::Load(dir.path(), testutil::kBrokenPluginDir);
  EXPECT_FALSE(set->Statuses()[0].ok);
  EXPECT_THAT(set->Statuses()[0].error, HasSubstr("invalid config: broken: create refused on purpose"));
}

TEST(PluginLoad, CreateReturningNoInstanceMarksThePolicyFailed) {
  TempDir dir;
  dir.WritePolicy("p", "broken_misbehaves", {{"create", "null_instance"}});
  auto set = PolicySet::Load(dir.path(), testutil::kBrokenPluginDir);
  EXPECT_FALSE(set->Statuses()[0].ok);
  EXPECT_THAT(set->Statuses()[0].error, HasSubstr("on_create returned no instance"));
}

TEST(PluginLoad, BrokenPolicyDoesNotStopTheOthers) {
  TempDir dir;
  dir.WritePolicy("a-broken", "broken_wrong_abi", nlohmann::json::object());
  dir.WritePolicy("b-fine", "broken_misbehaves", {{"emit", "valid"}, {"subscription", "s1"}});
  auto set = PolicySet::Load(dir.path(), testutil::kBrokenPluginDir);
  ASSERT_EQ(set->Statuses().size(), 2u);
  EXPECT_FALSE(set->Statuses()[0].ok);
  EXPECT_TRUE(set->Statuses()[1].ok) << set->Statuses()[1].error;
  Users users;
  users.Add({{"id", "u"}});
  auto results = set->Evaluate("default", users.batch(), {"s1"});
  ASSERT_EQ(results.size(), 2u);
  EXPECT_FALSE(results[0].second.ok);
  EXPECT_THAT(results[0].second.error, HasSubstr("ABI version 999"));
  EXPECT_TRUE(results[1].second.ok) << results[1].second.error;
}

TEST(PluginLoad, ExportsOnlyTheEntryPoint) {
  void* handle = dlopen((testutil::kPluginDir + "/group_map.so").c_str(), RTLD_NOW | RTLD_LOCAL);
  ASSERT_NE(handle, nullptr) << dlerror();
  EXPECT_NE(dlsym(handle, ALLOT_PLUGIN_ENTRY_SYMBOL), nullptr);
  EXPECT_EQ(dlsym(handle, "_ZNSt8__detail18__to_chars_10_implIjEEvPcjT_"), nullptr);
  dlclose(handle);
}

// The other side of the handshake: a sample plugin refuses a host table of
// another ABI version or one too small, before touching anything in it.
class SamplePluginChecksTheHost : public ::testing::Test {
 protected:
  void SetUp() override {
    handle_ = dlopen((testutil::kPluginDir + "/group_map.so").c_str(), RTLD_NOW | RTLD_LOCAL);
    ASSERT_NE(handle_, nullptr) << dlerror();
    init_ = reinterpret_cast<allot_plugin_init_fn>(dlsym(handle_, ALLOT_PLUGIN_ENTRY_SYMBOL));
    ASSERT_NE(init_, nullptr);
  }
  void TearDown() override {
    if (handle_ != nullptr) dlclose(handle_);
  }
  void* handle_ = nullptr;
  allot_plugin_init_fn init_ = nullptr;
};

TEST_F(SamplePluginChecksTheHost, AcceptsTheRealHostTable) {
  const allot_plugin_api* api = nullptr;
  allot_error err;
  EXPECT_EQ(init_(&HostApi(), &err, &api), ALLOT_OK);
  ASSERT_NE(api, nullptr);
  EXPECT_EQ(api->abi_version, ALLOT_PLUGIN_ABI_VERSION);
  EXPECT_EQ(api->struct_size, sizeof(allot_plugin_api));
}

TEST_F(SamplePluginChecksTheHost, RefusesAnotherAbiVersion) {
  allot_host_api host = HostApi();
  host.abi_version = ALLOT_PLUGIN_ABI_VERSION + 1;
  const allot_plugin_api* api = nullptr;
  allot_error err;
  EXPECT_NE(init_(&host, &err, &api), ALLOT_OK);
  EXPECT_EQ(api, nullptr);
}

TEST_F(SamplePluginChecksTheHost, RefusesATooSmallHostTable) {
  allot_host_api host = HostApi();
  host.struct_size = ALLOT_HOST_API_V1_SIZE - sizeof(void*);
  const allot_plugin_api* api = nullptr;
  allot_error err;
  EXPECT_NE(init_(&host, &err, &api), ALLOT_OK);
}

TEST(HostApi, DeclaresItsSizeAndVersion) {
  EXPECT_EQ(HostApi().struct_size, sizeof(allot_host_api));
  EXPECT_GE(HostApi().struct_size, ALLOT_HOST_API_V1_SIZE);
  EXPECT_EQ(HostApi().abi_version, ALLOT_PLUGIN_ABI_VERSION);
  EXPECT_TRUE(ALLOT_HAS_FIELD(&HostApi(), allot_host_api, host_emit_grant));
}

TEST(HostApi, HasFieldIsFalseBeyondStructSize) {
  allot_host_api host = HostApi();
  host.struct_size = offsetof(allot_host_api, host_emit_grant);
  EXPECT_FALSE(ALLOT_HAS_FIELD(&host, allot_host_api, host_emit_grant));
  EXPECT_TRUE(ALLOT_HAS_FIELD(&host, allot_host_api, host_user_attr_visit));
}

TEST(MinimalPlugin, LoadsAndGrantsActiveUsers) {
  TempDir dir;
  dir.WritePolicy("everyone", "minimal_plugin", {{"subscription", "basic-2026"}});
  auto set = PolicySet::Load(dir.path(), testutil::kExamplePluginDir);
  ASSERT_TRUE(set->Statuses()[0].ok) << set->Statuses()[0].error;
  Users users;
  users.Add({{"id", "a"}, {"active", true}}).Add({{"id", "b"}, {"active", false}});
  BatchResult r = testutil::EvaluateOne(*set, users, {"basic-2026"});
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(testutil::GrantedIds(r),
            (std::vector<std::vector<std::string>>{{"basic-2026"}, {}}));
}

TEST(MinimalPlugin, RejectsAConfigWithoutSubscription) {
  TempDir dir;
  dir.WritePolicy("everyone", "minimal_plugin", nlohmann::json::object());
  auto set = PolicySet::Load(dir.path(), testutil::kExamplePluginDir);
  EXPECT_FALSE(set->Statuses()[0].ok);
  EXPECT_THAT(set->Statuses()[0].error, HasSubstr("config needs \"subscription\""));
}

}  // namespace
}  // namespace allot::policy
