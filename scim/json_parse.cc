#include "scim/json_parse.h"

namespace scim {
namespace {

using nlohmann::json;

// nlohmann's DOM builder (the one json::parse uses), with a depth count in
// front of it: the same document, the same errors, and a stop at the first
// array or object past the limit.
class BoundedDomBuilder {
 public:
  using number_integer_t = json::number_integer_t;
  using number_unsigned_t = json::number_unsigned_t;
  using number_float_t = json::number_float_t;
  using string_t = json::string_t;
  using binary_t = json::binary_t;

  BoundedDomBuilder(json* out, int max_depth) : dom_(*out, false), max_depth_(max_depth) {}

  bool too_deep() const { return too_deep_; }

  bool null() { return dom_.null(); }
  bool boolean(bool v) { return dom_.boolean(v); }
  bool number_integer(number_integer_t v) { return dom_.number_integer(v); }
  bool number_unsigned(number_unsigned_t v) { return dom_.number_unsigned(v); }
  bool number_float(number_float_t v, const string_t& s) { return dom_.number_float(v, s); }
  bool string(string_t& v) { return dom_.string(v); }
  bool binary(binary_t& v) { return dom_.binary(v); }
  bool key(string_t& v) { return dom_.key(v); }
  bool start_object(std::size_t n) { return Open() && dom_.start_object(n); }
  bool end_object() {
    --depth_;
    return dom_.end_object();
  }
  bool start_array(std::size_t n) { return Open() && dom_.start_array(n); }
  bool end_array() {
    --depth_;
    return dom_.end_array();
  }
  template <class Exception>
  bool parse_error(std::size_t position, const std::string& token, const Exception& e) {
    return dom_.parse_error(position, token, e);
  }

 private:
  bool Open() {
    if (++depth_ > max_depth_) {
      too_deep_ = true;
      return false;  // stops the parser here
    }
    return true;
  }

  nlohmann::detail::json_sax_dom_parser<json> dom_;
  int max_depth_;
  int depth_ = 0;
  bool too_deep_ = false;
};

}  // namespace

JsonParseStatus ParseJsonBounded(std::string_view text, json* out, int max_depth) {
  *out = json();
  BoundedDomBuilder builder(out, max_depth);
  const bool ok = json::sax_parse(text, &builder, json::input_format_t::json, /*strict=*/true);
  if (builder.too_deep()) return JsonParseStatus::kTooDeep;
  return ok ? JsonParseStatus::kOk : JsonParseStatus::kInvalid;
}

std::string JsonTooDeepMessage(int max_depth) {
  return "the JSON body nests deeper than " + std::to_string(max_depth) +
         " levels of arrays and objects, the limit";
}

}  // namespace scim
