// server/base/comma_list.h — lists of names stored as one comma-separated
// column: a license's sources, an app token's products, a webhook's event
// types. The names themselves never contain a comma (they are ids and fixed
// words, checked where they come in).
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace allot {

// "a,b,c"; "" for no names.
std::string JoinCommaList(const std::vector<std::string>& names);

// The names of "a,b,c", in order; empty pieces are skipped, so "" is none.
std::vector<std::string> SplitCommaList(std::string_view text);

}  // namespace allot
