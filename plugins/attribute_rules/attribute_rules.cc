// attribute_rules — sample policy plugin: a SCIM attribute's value decides.
//
//   config: {"rules": [{"attribute": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department",
//                       "equals": "Sales", "subscription": "crm-2026"}]}
//
// `attribute` is a SCIM attribute path (core such as `userType`, `title`,
// `name.givenName`, `emails.value`, or URN-qualified), resolved ONCE by the
// host at create time. Each rule has exactly one test — `equals` (a string),
// `in` (a non-empty list of strings) or `matches` (a glob where `*` is any
// run of characters) — all ASCII case-insensitive, and may require
// `"active": true`. A multi-valued attribute matches when any value does.
// One grant per subscription per user; the reason names the first rule.
//
// C++ inside, C at the line: every hook catches everything. The instance is
// read-only after on_create, so on_evaluate is safe to run concurrently.
#include <cstring>
#include <exception>
#include <initializer_list>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "allot_plugin.h"

namespace {

const allot_host_api* g_host = nullptr;  // host-owned, valid while loaded

enum class Test { kEquals, kIn, kMatches };

struct Rule {
  const allot_attr_path* path;  // host-owned, lives as long as the instance
  Test test;
  std::vector<std::string> values;  // lower-cased; one unless Test::kIn
  bool require_active;
  uint32_t subscription;  // index into allot_instance::subscriptions
  std::string reason;
};

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

std::string ToLower(std::string s) {
  for (char& c : s) c = Lower(c);
  return s;
}

bool EqualsNoCase(std::string_view value, std::string_view lowered) {
  if (value.size() != lowered.size()) return false;
  for (size_t i = 0; i < value.size(); ++i) {
    if (Lower(value[i]) != lowered[i]) return false;
  }
  return true;
}

// Glob with `*` only; iterative with one backtrack point, so linear-ish and
// never recursive on hostile patterns.
bool GlobNoCase(std::string_view text, std::string_view pattern) {
  size_t t = 0, p = 0, star = std::string_view::npos, mark = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = t;
    } else if (p < pattern.size() && pattern[p] == Lower(text[t])) {
      ++p, ++t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

bool Matches(const Rule& rule, std::string_view value) {
  switch (rule.test) {
    case Test::kEquals: return EqualsNoCase(value, rule.values[0]);
    case Test::kMatches: return GlobNoCase(value, rule.values[0]);
    case Test::kIn:
      for (const std::string& v : rule.values) {
        if (EqualsNoCase(value, v)) return true;
      }
      return false;
  }
  return false;
}

void SetError(allot_error* err, const std::string& msg) {
  g_host->host_set_error(err, msg.data(), static_cast<uint32_t>(msg.size()));
}

const allot_config* Member(const allot_config* node, const char* key) {
  return g_host->host_config_get(node, key, static_cast<uint32_t>(std::strlen(key)));
}

// The string `node`; throws naming `what` when it is not a non-empty string.
std::string NonEmptyString(const allot_config* node, const std::string& what) {
  const char* data = nullptr;
  uint32_t len = 0;
  if (g_host->host_config_string(node, &data, &len) != ALLOT_OK || len == 0) {
    throw std::runtime_error(what + " must be a non-empty string");
  }
  return std::string(data, len);
}

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

std::string Quote(const std::string& s) { return "\"" + s + "\""; }

}  // namespace

struct allot_instance {
  std::vector<std::string> subscriptions;  // distinct, in rule order
  std::vector<Rule> rules;
};

namespace {

Rule BuildRule(allot_create_ctx* ctx, const allot_config* node, const std::string& where,
               allot_instance& inst) {
  if (g_host->host_config_type(node) != ALLOT_CFG_OBJECT) throw std::runtime_error(where + "must be an object");
  RejectUnknownKeys(node, where, {"attribute", "equals", "in", "matches", "active", "subscription"});
  Rule rule{};
  const std::string attribute = NonEmptyString(Member(node, "attribute"), where + "\"attribute\"");
  allot_error* no_err = nullptr;  // the path error is rethrown with context below
  rule.path = g_host->host_attr_path_resolve(ctx, attribute.data(),
                                             static_cast<uint32_t>(attribute.size()), no_err);
  if (rule.path == nullptr) throw std::runtime_error(where + "\"attribute\" " + Quote(attribute) + " is not a SCIM attribute path");
  const std::string label = attribute.substr(attribute.rfind(':') + 1);

  int tests = 0;
  std::string shown;
  if (const allot_config* v = Member(node, "equals")) {
    ++tests, rule.test = Test::kEquals;
    rule.values.push_back(NonEmptyString(v, where + "\"equals\""));
    shown = "equals " + Quote(rule.values[0]);
  }
  if (const allot_config* v = Member(node, "matches")) {
    ++tests, rule.test = Test::kMatches;
    rule.values.push_back(NonEmptyString(v, where + "\"matches\""));
    shown = "matches " + Quote(rule.values[0]);
  }
  if (const allot_config* v = Member(node, "in")) {
    ++tests, rule.test = Test::kIn;
    const uint32_t n = g_host->host_config_size(v);
    if (g_host->host_config_type(v) != ALLOT_CFG_ARRAY || n == 0) {
      throw std::runtime_error(where + "\"in\" must be a non-empty array of strings");
    }
    shown = "in [";
    for (uint32_t k = 0; k < n; ++k) {
      rule.values.push_back(NonEmptyString(g_host->host_config_at(v, k, nullptr, nullptr),
                                           where + "\"in\"[" + std::to_string(k) + "]"));
      shown += (k ? ", " : "") + Quote(rule.values.back());
    }
    shown += "]";
  }
  if (tests != 1) {
    throw std::runtime_error(where + "needs exactly one test of \"equals\", \"in\" or \"matches\" (found " +
                             std::to_string(tests) + ")");
  }
  for (std::string& v : rule.values) v = ToLower(v);
  if (const allot_config* v = Member(node, "active")) {
    int32_t b = 0;
    if (g_host->host_config_bool(v, &b) != ALLOT_OK || b != 1) {
      throw std::runtime_error(where + "\"active\" may only be true (requires an active user)");
    }
    rule.require_active = true;
  }
  const std::string sub = NonEmptyString(Member(node, "subscription"), where + "\"subscription\"");
  uint32_t s = 0;
  while (s < inst.subscriptions.size() && inst.subscriptions[s] != sub) ++s;
  if (s == inst.subscriptions.size()) inst.subscriptions.push_back(sub);
  rule.subscription = s;
  rule.reason = "attribute_rules: " + label + " " + shown + (rule.require_active ? " and active" : "");
  return rule;
}

int32_t OnCreate(allot_create_ctx* ctx, const allot_config* config, allot_error* err,
                 allot_instance** out) {
  try {
    RejectUnknownKeys(config, "", {"rules"});
    const allot_config* rules = Member(config, "rules");
    const uint32_t n = g_host->host_config_size(rules);
    if (g_host->host_config_type(rules) != ALLOT_CFG_ARRAY || n == 0) {
      throw std::runtime_error("\"rules\" must be a non-empty array");
    }
    auto inst = std::make_unique<allot_instance>();
    for (uint32_t r = 0; r < n; ++r) {
      inst->rules.push_back(BuildRule(ctx, g_host->host_config_at(rules, r, nullptr, nullptr),
                                      "rules[" + std::to_string(r) + "]: ", *inst));
    }
    *out = inst.release();
    return ALLOT_OK;
  } catch (const std::exception& e) {
    SetError(err, e.what());
  } catch (...) {
    SetError(err, "unexpected failure");
  }
  return ALLOT_ERR;
}

struct VisitState {
  const Rule* rule;
  bool matched;
};

int32_t VisitValue(void* user_data, const char* data, uint32_t len) {
  auto* state = static_cast<VisitState*>(user_data);
  state->matched = Matches(*state->rule, std::string_view(data, len));
  return state->matched ? 1 : 0;  // stop at the first match
}

int32_t OnEvaluate(const allot_instance* inst, const allot_batch* batch,
                   allot_grant_sink* sink, allot_error* err) {
  try {
    const uint32_t n = g_host->host_batch_size(batch);
    std::vector<uint32_t> granted_to(inst->subscriptions.size(), UINT32_MAX);
    for (uint32_t i = 0; i < n; ++i) {
      const bool active = g_host->host_user_active(batch, i) == 1;
      for (const Rule& rule : inst->rules) {
        if (granted_to[rule.subscription] == i || (rule.require_active && !active)) continue;
        VisitState state{&rule, false};
        g_host->host_user_attr_visit(batch, i, rule.path, VisitValue, &state);
        if (!state.matched) continue;
        granted_to[rule.subscription] = i;
        const std::string& sub = inst->subscriptions[rule.subscription];
        if (g_host->host_emit_grant(sink, i, sub.data(), static_cast<uint32_t>(sub.size()),
                                    rule.reason.data(),
                                    static_cast<uint32_t>(rule.reason.size())) != ALLOT_OK) {
          throw std::runtime_error("the host refused the grant of \"" + sub + "\"");
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
