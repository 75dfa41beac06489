#include "server/scim_api/page_hints.h"

#include <mutex>
#include <unordered_map>

namespace allot::scim_api {
namespace {

struct Hint {
  int64_t generation;
  std::string last_id;
};

// Bounded: cleared when full (hints are an optimisation; losing them costs
// one OFFSET query).
constexpr size_t kMaxHints = 4096;

std::mutex& Mu() {
  static std::mutex mu;
  return mu;
}
std::unordered_map<std::string, Hint>& Hints() {
  static auto* hints = new std::unordered_map<std::string, Hint>();
  return *hints;
}

std::string Key(const std::string& tenant, const std::string& type, int64_t start_index) {
  std::string key = tenant;
  key += '\x1f';
  key += type;
  key += '\x1f';
  key += std::to_string(start_index);
  return key;
}

}  // namespace

std::optional<std::string> FindPageHint(const std::string& tenant, const std::string& type,
                                        int64_t generation, int64_t start_index) {
  const std::string key = Key(tenant, type, start_index);
  std::lock_guard<std::mutex> lock(Mu());
  auto it = Hints().find(key);
  if (it == Hints().end() || it->second.generation != generation) return std::nullopt;
  return it->second.last_id;
}

void RememberPageHint(const std::string& tenant, const std::string& type, int64_t generation,
                      int64_t next_start_index, const std::string& last_id) {
  std::string key = Key(tenant, type, next_start_index);
  std::lock_guard<std::mutex> lock(Mu());
  if (Hints().size() >= kMaxHints) Hints().clear();
  Hints()[std::move(key)] = Hint{generation, last_id};
}

}  // namespace allot::scim_api
