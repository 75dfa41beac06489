// server/scim_api/page_hints.h — remembers where the last page of an
// unfiltered, id-ordered list ended, so that the next page of a sequential
// walk (startIndex = previous end + 1, what IdPs and the W4 benchmark do) is
// an index seek (`id > last`) instead of an OFFSET scan.
//
// A hint is valid only for the generation of the list counter (the sum over
// the shards of scim_list_counts) it was taken at; that generation changes on every create and delete of the resource type,
// and nothing else changes the id order of the live set, so a hint with the
// current generation gives exactly the page OFFSET would.
// Thread-safety: thread-safe (one mutex; tiny critical sections).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace allot::scim_api {

// Returns the id that ends the page before `start_index` when one is known
// for (tenant, type, generation).
std::optional<std::string> FindPageHint(const std::string& tenant, const std::string& type,
                                        int64_t generation, int64_t start_index);

// Records that the page ending just before `next_start_index` ends at
// `last_id`.
void RememberPageHint(const std::string& tenant, const std::string& type, int64_t generation,
                      int64_t next_start_index, const std::string& last_id);

}  // namespace allot::scim_api
