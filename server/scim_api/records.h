// server/scim_api/records.h — the values the SCIM store hands to the
// handlers: stored rows, list queries and pages, and who is asking.
// Thread-safety: plain values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "scim/attr_path.h"
#include "scim/filter.h"
#include "server/base/actor.h"

namespace allot::licensing {
class IdentityListener;
}

namespace allot::scim_api {

// One live User or Group row. `resource` is the stored JSON text (the
// normalised resource without id, meta, members or groups).
struct ResourceRow {
  std::string id;
  std::string resource;
  long long version = 0;
  std::string created;
  std::string updated;
};

// A member of a group (from scim_group_members) or a group of a user.
struct Ref {
  std::string value;    // the id
  std::string type;     // "User" / "Group" for members, "direct" for a user's groups
  std::string display;  // displayName or userName; may be empty
};

// Who makes a change, and whom to tell.
struct Caller {
  std::string tenant;
  Actor actor;
  licensing::IdentityListener* listener = nullptr;
};

struct ListQuery {
  scim::FilterPtr filter;  // null: all
  std::optional<scim::AttrPath> sort_by;
  bool descending = false;
  int64_t start_index = 1;  // 1-based
  int64_t count = 100;
  std::optional<std::string> cursor;  // RFC 9865; "" asks for the first page
};

struct ListPage {
  int64_t total = 0;
  int64_t start_index = 1;
  std::vector<ResourceRow> rows;
  std::optional<std::string> next_cursor;  // set in cursor mode when more follow
};

}  // namespace allot::scim_api
