// server/policy/host_api.cc — the host_ callbacks. Every callback is
// noexcept, checks its handles and indexes, and never trusts a length or a
// string from the plugin to be anything but bytes.
#include "server/policy/host_api.h"

#include "server/base/log.h"

#include <cstdio>
#include <iterator>

#include "server/policy/text.h"

namespace allot::policy {
namespace {

using nlohmann::json;

thread_local const std::string* t_log_policy = nullptr;
std::string g_log_tenant;  // set once, before any plugin runs

const json* J(const allot_config* c) { return reinterpret_cast<const json*>(c); }

std::string_view View(const char* p, uint32_t n) {
  return p == nullptr ? std::string_view() : std::string_view(p, n);
}

int32_t Out(std::string_view s, const char** data, uint32_t* len) {
  if (data != nullptr) *data = s.data();
  if (len != nullptr) *len = static_cast<uint32_t>(s.size());
  return ALLOT_OK;
}

void HostLog(int32_t level, const char* msg, uint32_t msg_len) noexcept {
  static constexpr log::Level kLevels[] = {log::Level::kDebug, log::Level::kInfo,
                                           log::Level::kWarn, log::Level::kError};
  try {
    const std::string text = IsValidUtf8(View(msg, msg_len)) ? std::string(View(msg, msg_len))
                                                             : Printable(View(msg, msg_len), 1024);
    log::Write(level >= 0 && level <= 3 ? kLevels[level] : log::Level::kInfo, text,
               {{"source", "plugin"},
                {"policy", t_log_policy != nullptr ? std::string_view(*t_log_policy) : ""},
                {"tenant", g_log_tenant}});
  } catch (...) {  // logging must never fail a plugin
  }
}

void HostSetError(allot_error* err, const char* msg, uint32_t msg_len) noexcept {
  if (err == nullptr) return;
  try {
    std::string_view m = View(msg, msg_len);
    err->message = IsValidUtf8(m) ? std::string(m) : Printable(m, kMaxReasonLen);
    err->set = true;
  } catch (...) {
    err->message = "(error message lost: out of memory)";
    err->set = true;
  }
}

int32_t HostConfigType(const allot_config* node) noexcept {
  if (node == nullptr) return ALLOT_CFG_ABSENT;
  switch (J(node)->type()) {
    case json::value_t::null: return ALLOT_CFG_NULL;
    case json::value_t::boolean: return ALLOT_CFG_BOOL;
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float: return ALLOT_CFG_NUMBER;
    case json::value_t::string: return ALLOT_CFG_STRING;
    case json::value_t::array: return ALLOT_CFG_ARRAY;
    case json::value_t::object: return ALLOT_CFG_OBJECT;
    default: return ALLOT_CFG_ABSENT;
  }
}

const allot_config* HostConfigGet(const allot_config* node, const char* key,
                                  uint32_t key_len) noexcept {
  if (node == nullptr || !J(node)->is_object()) return nullptr;
  const auto& members = J(node)->get_ref<const json::object_t&>();
  auto it = members.find(View(key, key_len));
  return it == members.end() ? nullptr : ToConfig(it->second);
}

uint32_t HostConfigSize(const allot_config* node) noexcept {
  if (node == nullptr || !(J(node)->is_array() || J(node)->is_object())) return 0;
  return static_cast<uint32_t>(J(node)->size());
}

const allot_config* HostConfigAt(const allot_config* node, uint32_t i,
                                 const char** key, uint32_t* key_len) noexcept {
  if (i >= HostConfigSize(node)) return nullptr;
  const json& j = *J(node);
  if (j.is_array()) return ToConfig(j[i]);
  // Config objects are small; a linear walk keeps the view allocation-free.
  auto it = std::next(j.get_ref<const json::object_t&>().begin(), i);
  if (key != nullptr) Out(it->first, key, key_len);
  return ToConfig(it->second);
}

int32_t HostConfigString(const allot_config* node, const char** data,
                         uint32_t* len) noexcept {
  if (node == nullptr || !J(node)->is_string()) return ALLOT_ERR_TYPE;
  return Out(J(node)->get_ref<const std::string&>(), data, len);
}

int32_t HostConfigBool(const allot_config* node, int32_t* out) noexcept {
  if (node == nullptr || !J(node)->is_boolean()) return ALLOT_ERR_TYPE;
  if (out != nullptr) *out = J(node)->get<bool>() ? 1 : 0;
  return ALLOT_OK;
}

int32_t HostConfigNumber(const allot_config* node, double* out) noexcept {
  if (node == nullptr || !J(node)->is_number()) return ALLOT_ERR_TYPE;
  if (out != nullptr) *out = J(node)->get<double>();
  return ALLOT_OK;
}

const allot_attr_path* HostAttrPathResolve(allot_create_ctx* ctx, const char* path,
                                           uint32_t path_len, allot_error* err) noexcept {
  try {
    if (ctx == nullptr || ctx->paths == nullptr) {
      HostSetError(err, "attribute paths can only be resolved in on_create", 48);
      return nullptr;
    }
    // Parsed here only to refuse a malformed path in on_create, where the
    // plugin can report it; the values are read by the path's text.
    auto parsed = AttributePath::Parse(View(path, path_len));
    if (!parsed) {
      std::string m = parsed.error();
      HostSetError(err, m.data(), static_cast<uint32_t>(m.size()));
      return nullptr;
    }
    auto resolved = std::make_unique<ResolvedPath>();
    resolved->text = std::string(View(path, path_len));
    resolved->index = static_cast<uint32_t>(ctx->paths->size());
    ctx->paths->push_back(std::move(resolved));
    return reinterpret_cast<const allot_attr_path*>(ctx->paths->back().get());
  } catch (...) {
    HostSetError(err, "out of memory", 13);
    return nullptr;
  }
}

uint32_t HostBatchSize(const allot_batch* b) noexcept {
  return b == nullptr ? 0 : b->facts->size();
}

int32_t HostBatchTenant(const allot_batch* b, const char** data, uint32_t* len) noexcept {
  if (b == nullptr) return ALLOT_ERR_INVALID;
  return Out(b->facts->tenant(), data, len);
}

uint32_t HostSubscriptionCount(const allot_batch* b) noexcept {
  return b == nullptr ? 0 : static_cast<uint32_t>(b->facts->subscriptions().size());
}

int32_t HostSubscriptionAt(const allot_batch* b, uint32_t k, const char** data,
                           uint32_t* len) noexcept {
  if (b == nullptr || k >= b->facts->subscriptions().size()) return ALLOT_ERR_INVALID;
  return Out(b->facts->subscriptions()[k], data, len);
}

int32_t HostUserId(const allot_batch* b, uint32_t i, const char** data,
                   uint32_t* len) noexcept {
  if (b == nullptr || i >= b->facts->size()) return ALLOT_ERR_INVALID;
  return Out(b->facts->user_id(i), data, len);
}

int32_t HostUserActive(const allot_batch* b, uint32_t i) noexcept {
  if (b == nullptr || i >= b->facts->size()) return -ALLOT_ERR_INVALID;
  return b->facts->user_active(i) ? 1 : 0;
}

uint32_t HostUserGroupCount(const allot_batch* b, uint32_t i) noexcept {
  if (b == nullptr || i >= b->facts->size()) return 0;
  return b->facts->user_group_count(i);
}

int32_t HostUserGroup(const allot_batch* b, uint32_t i, uint32_t g, uint32_t field,
                      const char** data, uint32_t* len) noexcept {
  if (b == nullptr || i >= b->facts->size() || g >= b->facts->user_group_count(i)) {
    return ALLOT_ERR_INVALID;
  }
  const FactsBatch::Group group = b->facts->group(b->facts->user_group(i, g));
  switch (field) {
    case ALLOT_GROUP_ID: return Out(group.id, data, len);
    case ALLOT_GROUP_DISPLAY_NAME: return Out(group.display_name, data, len);
    case ALLOT_GROUP_EXTERNAL_ID: return Out(group.external_id, data, len);
    default: return ALLOT_ERR_INVALID;
  }
}

int32_t HostUserAttrVisit(const allot_batch* b, uint32_t i, const allot_attr_path* path,
                          allot_value_visitor visit, void* user_data) noexcept {
  if (b == nullptr || i >= b->facts->size() || path == nullptr || visit == nullptr) {
    return -ALLOT_ERR_INVALID;
  }
  const auto* p = reinterpret_cast<const ResolvedPath*>(path);
  if (p->index >= b->columns.size() || b->columns[p->index] < 0) return 0;
  const auto column = static_cast<uint32_t>(b->columns[p->index]);
  const uint32_t n = b->facts->value_count(i, column);
  for (uint32_t k = 0; k < n; ++k) {
    const std::string_view v = b->facts->value(i, column, k);
    if (visit(user_data, v.data(), static_cast<uint32_t>(v.size())) != 0) return static_cast<int32_t>(k + 1);
  }
  return static_cast<int32_t>(n);
}

int32_t HostEmitGrant(allot_grant_sink* sink, uint32_t i, const char* sub,
                      uint32_t sub_len, const char* reason, uint32_t reason_len) noexcept {
  if (sink == nullptr) return ALLOT_ERR_INVALID;
  if (!sink->error.empty()) return ALLOT_ERR_INVALID;  // the batch already failed
  try {
    std::string_view s = View(sub, sub_len), r = View(reason, reason_len);
    const FactsBatch& facts = *sink->batch->facts;
    std::string problem = CheckGrant(facts, i, s, r);
    if (!problem.empty()) {
      sink->error = std::move(problem);
      return ALLOT_ERR_INVALID;
    }
    std::vector<Grant>& grants = (*sink->grants_by_user)[i];
    for (const Grant& g : grants) {
      if (g.subscription_id == s) return ALLOT_OK;  // one seat however often asked
    }
    grants.push_back(Grant{std::string(s), std::string(r)});
    return ALLOT_OK;
  } catch (...) {
    sink->error = "out of memory while recording a grant";
    return ALLOT_ERR;
  }
}

constexpr allot_host_api kHostApi = {
    .struct_size = sizeof(allot_host_api),
    .abi_version = ALLOT_PLUGIN_ABI_VERSION,
    .host_log = HostLog,
    .host_set_error = HostSetError,
    .host_config_type = HostConfigType,
    .host_config_get = HostConfigGet,
    .host_config_size = HostConfigSize,
    .host_config_at = HostConfigAt,
    .host_config_string = HostConfigString,
    .host_config_bool = HostConfigBool,
    .host_config_number = HostConfigNumber,
    .host_attr_path_resolve = HostAttrPathResolve,
    .host_batch_size = HostBatchSize,
    .host_batch_tenant = HostBatchTenant,
    .host_subscription_count = HostSubscriptionCount,
    .host_subscription_at = HostSubscriptionAt,
    .host_user_id = HostUserId,
    .host_user_active = HostUserActive,
    .host_user_group_count = HostUserGroupCount,
    .host_user_group = HostUserGroup,
    .host_user_attr_visit = HostUserAttrVisit,
    .host_emit_grant = HostEmitGrant,
};

}  // namespace

const allot_host_api& HostApi() { return kHostApi; }

std::string CheckGrant(const FactsBatch& facts, uint32_t i, std::string_view s, std::string_view r) {
  const uint32_t n = facts.size();
  std::string problem;
  if (i >= n) {
    problem = "grant for user index " + std::to_string(i) + ", out of range (the batch has " +
              std::to_string(n) + " users)";
  } else if (s.empty()) {
    problem = "grant with an empty subscription id";
  } else if (s.size() > kMaxSubscriptionIdLen) {
    problem = "grant with an oversized subscription id (" + std::to_string(s.size()) +
              " bytes, at most " + std::to_string(kMaxSubscriptionIdLen) + ")";
  } else if (!facts.HasSubscription(s)) {
    problem = "grant of unknown subscription \"" + Printable(s, 64) +
              "\" (not one of the tenant's subscriptions)";
  } else if (r.size() > kMaxReasonLen || !IsValidUtf8(r)) {
    problem = "grant with a reason that is oversized or not UTF-8";
  }
  if (!problem.empty() && i < n) {
    problem += " for user " + std::to_string(i) + " (id \"" + Printable(facts.user_id(i), 64) + "\")";
  }
  return problem;
}

void SetLogTenant(std::string tenant) { g_log_tenant = std::move(tenant); }

LogScope::LogScope(const std::string* policy_name) : previous_(t_log_policy) {
  t_log_policy = policy_name;
}
LogScope::~LogScope() { t_log_policy = previous_; }

}  // namespace allot::policy
