#include "scim/path.h"

namespace scim {

std::string Path::ToString() const {
  if (filter == nullptr) return attr.ToString();
  AttrPath base{attr.urn, attr.attr, ""};
  std::string out = base.ToString() + "[" + scim::ToString(*filter) + "]";
  if (!attr.sub.empty()) out += "." + attr.sub;
  return out;
}

Result<Path> ParsePath(std::string_view text) {
  if (text.size() > kMaxFilterBytes) {
    return Fail(Error::InvalidPath("the path is " + std::to_string(text.size()) +
                                   " bytes long; the limit is " +
                                   std::to_string(kMaxFilterBytes) + " bytes"));
  }
  auto invalid = [&](std::string why) {
    return Fail(Error::InvalidPath("invalid path '" + std::string(text) + "': " + std::move(why)));
  };
  size_t bracket = text.find('[');
  if (bracket == std::string_view::npos) {
    Result<AttrPath> attr = ParseAttrPath(text);
    if (!attr) return Fail(attr.error());
    return Path{std::move(*attr), nullptr};
  }
  Result<AttrPath> attr = ParseAttrPath(text.substr(0, bracket));
  if (!attr) return Fail(attr.error());
  if (!attr->sub.empty()) return invalid("a value filter must follow an attribute, not a sub-attribute");
  size_t pos = bracket;
  Result<FilterPtr> filter = ParseValueFilter(text, &pos);
  if (!filter) return invalid(filter.error().detail);
  if (pos < text.size()) {
    if (text[pos] != '.') return invalid("expected '.subAttribute' or the end after ']'");
    std::string_view sub = text.substr(pos + 1);
    Result<AttrPath> sub_path = ParseAttrPath(sub);
    if (!sub_path || !sub_path->urn.empty() || !sub_path->sub.empty()) {
      return invalid("'" + std::string(sub) + "' is not a sub-attribute name");
    }
    attr->sub = sub_path->attr;
  }
  return Path{std::move(*attr), std::move(*filter)};
}

}  // namespace scim
