// server/base/actor.h — who caused a change, as the audit log records it.
// Plain value.
#pragma once

#include <string>

namespace allot {

struct Actor {
  enum class Kind { kAdmin, kScim, kPolicy, kSystem, kOperator };
  Kind kind = Kind::kSystem;
  std::string id;  // admin principal id, SCIM client principal id, policy name, "allot", or operator token id
};

inline const char* ActorKindName(Actor::Kind kind) {
  switch (kind) {
    case Actor::Kind::kAdmin: return "admin";
    case Actor::Kind::kScim: return "scim";
    case Actor::Kind::kPolicy: return "policy";
    case Actor::Kind::kSystem: return "system";
    case Actor::Kind::kOperator: return "operator";
  }
  return "system";
}

}  // namespace allot
