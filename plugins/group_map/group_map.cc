// group_map — sample policy plugin: members of a group get a subscription.
//
//   config: {"rules": [{"group": "Teachers", "subscription": "lit-2026"},
//                      {"group": "Grade 3 - Room 12", "subscription": "lit-core",
//                       "when": {"userType": "Student"}}]}
//
// `group` matches a group's displayName (ASCII case-insensitively) or its
// externalId (exactly). `when`, optional, narrows a rule to users whose
// attributes each equal (ASCII case-insensitively) the value, or one of the
// values, given for it: {"<SCIM attribute path>": value | [values]}; a
// multi-valued attribute holds when any of its values does. A user in several
// matching groups gets ONE grant per subscription; the reason names the first
// rule that matched.
//
// C++ inside, C at the line: every hook catches everything. The instance is
// read-only after on_create, so on_evaluate is safe to run concurrently.
#include <cstring>
#include <exception>
#include <initializer_list>
#include <memory>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

#include "allot_plugin.h"

namespace {

const allot_host_api* g_host = nullptr;  // host-owned, valid while loaded

// One `when` entry: the attribute holds one of `values` (lower-cased).
struct Condition {
  const allot_attr_path* path;  // host-owned, lives as long as the instance
  std::vector<std::string> values;
};

struct Rule {
  uint32_t subscription;  // index into allot_instance::subscriptions
  std::string reason;
  std::vector<Condition> when;  // all must hold
};

void ToLowerAscii(std::string& s) {
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  }
}

void SetError(allot_error* err, const std::string& msg) {
  g_host->host_set_error(err, msg.data(), static_cast<uint32_t>(msg.size()));
}

// A non-empty string member `key` of `node`, or an empty string.
std::string StringMember(const allot_config* node, const char* key) {
  const char* data = nullptr;
  uint32_t len = 0;
  if (g_host->host_config_string(g_host->host_config_get(node, key, std::strlen(key)),
                                 &data, &len) != ALLOT_OK) {
    return {};
  }
  return std::string(data, len);
}

// Throws std::runtime_error naming the first unknown key of `node`.
void RejectUnknownKeys(const allot_config* node, const std::string& where,
                       std::initializer_list<const char*> allowed) {
  for (uint32_t i = 0, n = g_host->host_config_size(node); i < n; ++i) {
    const char* key = nullptr;
    uint32_t len = 0;
    g_host->host_config_at(node, i, &key, &len);
    std::string k(key, len);
    bool known = false;
    for (const char* a : allowed) known = known || k == a;
    if (!known) throw std::runtime_error(where + "unknown field \"" + k + "\"");
  }
}

// A `when` value as text: strings as they are, booleans "true"/"false" and
// numbers in JSON form (how the host hands attribute values over).
std::string ScalarText(const allot_config* node, const std::string& where) {
  const char* data = nullptr;
  uint32_t len = 0;
  if (g_host->host_config_string(node, &data, &len) == ALLOT_OK) return std::string(data, len);
  int32_t b = 0;
  if (g_host->host_config_bool(node, &b) == ALLOT_OK) return b ? "true" : "false";
  double d = 0;
  if (g_host->host_config_number(node, &d) == ALLOT_OK) {
    if (d == static_cast<double>(static_cast<long long>(d))) {
      return std::to_string(static_cast<long long>(d));
    }
    return std::to_string(d);
  }
  throw std::runtime_error(where + "must be a string, number or boolean, or a list of them");
}

std::vector<Condition> BuildWhen(allot_create_ctx* ctx, const allot_config* when,
                                 const std::string& where) {
  std::vector<Condition> out;
  if (when == nullptr || g_host->host_config_type(when) == ALLOT_CFG_ABSENT) return out;
  if (g_host->host_config_type(when) != ALLOT_CFG_OBJECT || g_host->host_config_size(when) == 0) {
    throw std::runtime_error(where + "\"when\" must be an object of attribute paths to values");
  }
  for (uint32_t k = 0, n = g_host->host_config_size(when); k < n; ++k) {
    const char* key = nullptr;
    uint32_t key_len = 0;
    const allot_config* value = g_host->host_config_at(when, k, &key, &key_len);
    const std::string attribute(key, key_len);
    const std::string at = where + "\"when\".\"" + attribute + "\": ";
    allot_error* no_err = nullptr;  // rethrown with context below
    const allot_attr_path* path =
        g_host->host_attr_path_resolve(ctx, key, key_len, no_err);
    if (path == nullptr) throw std::runtime_error(at + "not a SCIM attribute path");
    Condition c{path, {}};
    if (g_host->host_config_type(value) == ALLOT_CFG_ARRAY) {
      const uint32_t m = g_host->host_config_size(value);
      if (m == 0) throw std::runtime_error(at + "the list of values is empty");
      for (uint32_t i = 0; i < m; ++i) {
        c.values.push_back(ScalarText(g_host->host_config_at(value, i, nullptr, nullptr), at));
      }
    } else {
      c.values.push_back(ScalarText(value, at));
    }
    for (std::string& v : c.values) ToLowerAscii(v);
    out.push_back(std::move(c));
  }
  return out;
}

struct ConditionVisit {
  const Condition* condition;
  std::string value;  // scratch
  bool holds = false;
};

int32_t VisitConditionValue(void* user_data, const char* data, uint32_t len) {
  auto* visit = static_cast<ConditionVisit*>(user_data);
  visit->value.assign(data, len);
  ToLowerAscii(visit->value);
  for (const std::string& v : visit->condition->values) {
    if (v == visit->value) {
      visit->holds = true;
      return 1;  // stop: one matching value is enough
    }
  }
  return 0;
}

bool WhenHolds(const Rule& rule, const allot_batch* batch, uint32_t user) {
  for (const Condition& c : rule.when) {
    ConditionVisit visit{&c, {}, false};
    g_host->host_user_attr_visit(batch, user, c.path, VisitConditionValue, &visit);
    if (!visit.holds) return false;
  }
  return true;
}

}  // namespace

struct allot_instance {
  std::vector<std::string> subscriptions;  // distinct, in rule order
  std::vector<Rule> rules;
  // Rule indexes by lower-cased displayName and by exact externalId.
  std::unordered_map<std::string, std::vector<uint32_t>> by_name, by_external_id;
};

namespace {

allot_instance* Build(allot_create_ctx* ctx, const allot_config* config) {
  RejectUnknownKeys(config, "", {"rules"});
  const allot_config* rules = g_host->host_config_get(config, "rules", 5);
  if (g_host->host_config_type(rules) != ALLOT_CFG_ARRAY || g_host->host_config_size(rules) == 0) {
    throw std::runtime_error("\"rules\" must be a non-empty array");
  }
  auto inst = std::make_unique<allot_instance>();
  for (uint32_t r = 0, n = g_host->host_config_size(rules); r < n; ++r) {
    const allot_config* rule = g_host->host_config_at(rules, r, nullptr, nullptr);
    const std::string where = "rules[" + std::to_string(r) + "]: ";
    if (g_host->host_config_type(rule) != ALLOT_CFG_OBJECT) throw std::runtime_error(where + "must be an object");
    RejectUnknownKeys(rule, where, {"group", "subscription", "when"});
    std::string group = StringMember(rule, "group");
    std::string sub = StringMember(rule, "subscription");
    if (group.empty()) throw std::runtime_error(where + "\"group\" must be a non-empty string");
    if (sub.empty()) throw std::runtime_error(where + "\"subscription\" must be a non-empty string");
    uint32_t s = 0;
    while (s < inst->subscriptions.size() && inst->subscriptions[s] != sub) ++s;
    if (s == inst->subscriptions.size()) inst->subscriptions.push_back(sub);
    std::vector<Condition> when = BuildWhen(ctx, g_host->host_config_get(rule, "when", 4), where);
    inst->rules.push_back({s, "group_map: member of \"" + group + "\"", std::move(when)});
    inst->by_external_id[group].push_back(r);
    ToLowerAscii(group);
    inst->by_name[group].push_back(r);
  }
  return inst.release();
}

int32_t OnCreate(allot_create_ctx* ctx, const allot_config* config, allot_error* err,
                 allot_instance** out) {
  try {
    *out = Build(ctx, config);
    return ALLOT_OK;
  } catch (const std::exception& e) {
    SetError(err, e.what());
  } catch (...) {
    SetError(err, "unexpected failure");
  }
  return ALLOT_ERR;
}

int32_t OnEvaluate(const allot_instance* inst, const allot_batch* batch,
                   allot_grant_sink* sink, allot_error* err) {
  try {
    const uint32_t n = g_host->host_batch_size(batch);
    // granted_to[s] == i once user i holds subscription s: one grant each.
    std::vector<uint32_t> granted_to(inst->subscriptions.size(), UINT32_MAX);
    std::string key;
    for (uint32_t i = 0; i < n; ++i) {
      auto grant = [&](const std::vector<uint32_t>& rule_ids) {
        for (uint32_t id : rule_ids) {
          const Rule& rule = inst->rules[id];
          if (granted_to[rule.subscription] == i) continue;
          if (!rule.when.empty() && !WhenHolds(rule, batch, i)) continue;
          granted_to[rule.subscription] = i;
          const std::string& sub = inst->subscriptions[rule.subscription];
          if (g_host->host_emit_grant(sink, i, sub.data(), static_cast<uint32_t>(sub.size()),
                                      rule.reason.data(),
                                      static_cast<uint32_t>(rule.reason.size())) != ALLOT_OK) {
            throw std::runtime_error("the host refused the grant of \"" + sub + "\"");
          }
        }
      };
      for (uint32_t g = 0, ng = g_host->host_user_group_count(batch, i); g < ng; ++g) {
        const char* data = nullptr;
        uint32_t len = 0;
        if (g_host->host_user_group(batch, i, g, ALLOT_GROUP_DISPLAY_NAME, &data, &len) == ALLOT_OK && len > 0) {
          key.assign(data, len);
          ToLowerAscii(key);
          if (auto it = inst->by_name.find(key); it != inst->by_name.end()) grant(it->second);
        }
        if (g_host->host_user_group(batch, i, g, ALLOT_GROUP_EXTERNAL_ID, &data, &len) == ALLOT_OK && len > 0) {
          key.assign(data, len);
          if (auto it = inst->by_external_id.find(key); it != inst->by_external_id.end()) grant(it->second);
        }
      }
    }
    return ALLOT_OK;
  } catch (const std::exception& e) {
    SetError(err, e.what());
  } catch (...) {
    SetError(err, "unexpected failure");
  }
  return ALLOT_ERR;
}

void OnDestroy(allot_instance* inst) { delete inst; }

constexpr allot_plugin_api kApi = {
    .struct_size = sizeof(allot_plugin_api),
    .abi_version = ALLOT_PLUGIN_ABI_VERSION,
    .flags = ALLOT_PLUGIN_FLAG_CONCURRENT,
    .reserved = 0,
    .on_create = OnCreate,
    .on_evaluate = OnEvaluate,
    .on_destroy = OnDestroy,
};

}  // namespace

ALLOT_PLUGIN_EXPORT int32_t allot_plugin_init(const allot_host_api* host, allot_error* err,
                                              const allot_plugin_api** out) {
  if (host == nullptr || out == nullptr || host->abi_version != ALLOT_PLUGIN_ABI_VERSION ||
      host->struct_size < ALLOT_HOST_API_V1_SIZE) {
    return ALLOT_ERR;  // nothing of an unknown host table may be used
  }
  (void)err;
  g_host = host;
  *out = &kApi;
  return ALLOT_OK;
}
