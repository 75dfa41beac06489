// server/scim_api/render.h — SCIM resources and ListResponses as response
// text.
//
// Without a projection a resource is spliced from its stored JSON text: the
// server-managed parts (id, meta, groups / members) are written first and the
// stored object follows without being parsed again. With `attributes` or
// `excludedAttributes` the resource is parsed and projected by the library.
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "scim/projection.h"
#include "server/scim_api/records.h"

namespace allot::scim_api {

// W/"<version>"
std::string ETag(long long version);

// base_url + "/scim/v2/Users/" + id (or Groups).
std::string UserLocation(const std::string& base_url, const std::string& id);
std::string GroupLocation(const std::string& base_url, const std::string& id);

// `groups` null: the attribute is left out (not asked for). `licensing`, when
// given, is the user's licensing extension object ({"licenses":[…]}), added
// under its schema URN; it is only ever asked for through a projection.
std::string RenderUser(const ResourceRow& row, const std::vector<Ref>* groups,
                       const std::string& base_url, const scim::Projection* projection,
                       const nlohmann::json* licensing = nullptr);

// True when the projection asks for allot's licensing extension.
bool WantsLicensing(const scim::Projection* projection);
std::string RenderGroup(const ResourceRow& row, const std::vector<Ref>* members,
                        const std::string& base_url, const scim::Projection* projection);

// A ListResponse around already rendered resources. `count_zero`: the client
// asked for count=0, so only totalResults (and the paging numbers) are sent.
std::string RenderList(long long total, long long start_index,
                       const std::vector<std::string>& resources,
                       const std::optional<std::string>& next_cursor, bool count_zero);

}  // namespace allot::scim_api
