#include "server/admin/csv_export.h"

#include <nlohmann/json.hpp>

#include "server/admin/routes.h"

namespace allot::admin {
namespace {

using nlohmann::json;

// A scalar as text: strings as they are, null as "", others as JSON.
std::string Text(const json& v) {
  if (v.is_null()) return "";
  if (v.is_string()) return v.get<std::string>();
  return v.dump();
}

std::function<std::string(const json&)> Field(std::string key) {
  return [key](const json& item) {
    auto it = item.find(key);
    return it == item.end() ? std::string() : Text(*it);
  };
}

std::function<std::string(const json&)> Nested(std::string outer, std::string key) {
  return [outer, key](const json& item) {
    auto it = item.find(outer);
    if (it == item.end() || !it->is_object()) return std::string();
    auto in = it->find(key);
    return in == it->end() ? std::string() : Text(*in);
  };
}

std::function<std::string(const json&)> JsonText(std::string key) {
  return [key](const json& item) {
    auto it = item.find(key);
    return it == item.end() || it->is_null() ? std::string() : it->dump();
  };
}

const std::vector<std::pair<std::string_view, CsvExport>>& Exports() {
  static const std::vector<std::pair<std::string_view, CsvExport>> kExports = {
      {"/users",
       {"users.csv",
        {{"id", Field("id")},
         {"user_name", Field("user_name")},
         {"display_name", Field("display_name")},
         {"external_id", Field("external_id")},
         {"active", Field("active")},
         {"on_hold", [](const json& u) {
            auto it = u.find("hold");
            return std::string(it != u.end() && !it->is_null() ? "true" : "false");
          }},
         {"groups", [](const json& u) {
            std::string out;
            for (const json& g : u.value("groups", json::array())) {
              if (!out.empty()) out += "; ";
              out += Text(g.value("display_name", json()));
            }
            return out;
          }},
         {"licenses", [](const json& u) {
            std::string out;
            for (const json& l : u.value("licenses", json::array())) {
              if (!out.empty()) out += "; ";
              out += Text(l.value("subscription_id", json())) + ":" + Text(l.value("state", json()));
            }
            return out;
          }}}}},
      {"/subscriptions/{id}/assignments",
       {"assignments.csv",
        {{"user_id", Field("user_id")},
         {"user_name", Field("user_name")},
         {"display_name", Field("display_name")},
         {"state", Field("state")},
         {"source", Field("source")},
         {"since", Field("since")}}}},
      {"/audit",
       {"audit.csv",
        {{"id", Field("id")},
         {"at", Field("at")},
         {"actor_kind", Nested("actor", "kind")},
         {"actor_id", Nested("actor", "id")},
         {"actor_name", Nested("actor", "name")},
         {"action", Field("action")},
         {"target_kind", Nested("target", "kind")},
         {"target_id", Nested("target", "id")},
         {"before", JsonText("before")},
         {"after", JsonText("after")}}}},
  };
  return kExports;
}

}  // namespace

const CsvExport* CsvExportFor(std::string_view pattern) {
  for (const auto& [p, spec] : Exports()) {
    if (p == pattern) return &spec;
  }
  return nullptr;
}

std::string CsvCell(std::string_view text) {
  std::string cell;
  if (!text.empty() && (text[0] == '=' || text[0] == '+' || text[0] == '-' || text[0] == '@' ||
                        text[0] == '\t' || text[0] == '\r')) {
    cell += '\'';
  }
  cell += text;
  if (cell.find_first_of(",\"\r\n") == std::string::npos) return cell;
  std::string quoted = "\"";
  for (char c : cell) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  quoted += '"';
  return quoted;
}

namespace {

// The pages after the first, one per pull.
class CsvPages final : public http::BodyStream {
 public:
  CsvPages(const CsvExport& spec, http::Request paged, CsvPage page)
      : spec_(spec), paged_(std::move(paged)), page_(std::move(page)) {}

  // Renders the next page's rows into `out`; kLast once none is left.
  Step Next(std::string& out, std::string& failure) override {
    http::Response failed;
    auto more = Pull(out, failed);
    if (!more) {
      failure = std::move(more.error().message);
      return Step::kFailed;
    }
    if (failed.status != 200) {
      // The head went out with the first page: this can only cut the
      // stream. The page's own words go to the log.
      failure = "CSV export: page " + std::to_string(pages_ + 1) + " answered " +
                std::to_string(failed.status) + ": " + failed.body.substr(0, 512);
      return Step::kFailed;
    }
    return *more ? Step::kMore : Step::kLast;
  }

  // The first page, in the handler: a page answering other than 200 is
  // left in `failed` (its status then is not 200) for the caller to send.
  Result<bool> First(std::string& out, http::Response& failed) { return Pull(out, failed); }

 private:
  Result<bool> Pull(std::string& out, http::Response& failed) {
    if (done_) return false;
    http::Response one;
    page_(paged_, one);
    if (one.status != 200) {
      done_ = true;
      failed = std::move(one);
      return false;
    }
    ++pages_;
    nlohmann::json body = nlohmann::json::parse(one.body, nullptr, false);
    std::string().swap(one.body);
    if (body.is_discarded() || !body.is_object()) {
      done_ = true;
      return Fail(ErrorCode::kInternal, "CSV export: a page is not a JSON object");
    }
    for (const nlohmann::json& item : body.value("items", nlohmann::json::array())) {
      for (size_t i = 0; i < spec_.columns.size(); ++i) {
        if (i) out += ',';
        out += CsvCell(spec_.columns[i].value(item));
      }
      out += "\r\n";
      if (++rows_ >= kMaxCsvRows) break;
    }
    auto next = body.find("next_cursor");
    if (rows_ >= kMaxCsvRows || next == body.end() || !next->is_string()) {
      done_ = true;
    } else {
      paged_.query.erase("cursor");
      paged_.query.emplace("cursor", next->get<std::string>());
    }
    return !done_;
  }

  const CsvExport& spec_;  // one of Exports(): static
  http::Request paged_;    // the list's request, with limit and the next cursor
  CsvPage page_;
  size_t rows_ = 0;
  int pages_ = 0;
  bool done_ = false;
};

}  // namespace

void RenderCsvExport(const CsvExport& spec, const http::Request& request, CsvPage page,
                     http::Response& response) {
  http::Request paged = request;
  paged.query.erase("format");
  paged.query.erase("limit");
  paged.query.erase("cursor");
  paged.query.emplace("limit", std::to_string(kCsvPageRows));
  auto pages = std::make_unique<CsvPages>(spec, std::move(paged), std::move(page));

  // The first page here, in the handler: its error (a bad filter, an
  // unknown subscription) is still an ordinary answer.
  std::string first = "\xEF\xBB\xBF";
  for (size_t i = 0; i < spec.columns.size(); ++i) {
    if (i) first += ',';
    first += spec.columns[i].header;
  }
  first += "\r\n";
  http::Response failed;
  auto more = pages->First(first, failed);
  if (!more) return RenderError(more.error(), response);
  if (failed.status != 200) {
    response = std::move(failed);
    return;
  }
  if (*more) response.stream = std::move(pages);
  response.status = 200;
  response.content_type = "text/csv; charset=utf-8";
  response.SetHeader("Content-Disposition",
                     "attachment; filename=\"" + std::string(spec.filename) + "\"");
  response.SetHeader("Cache-Control", "no-store");
  response.body = std::move(first);
}

}  // namespace allot::admin
