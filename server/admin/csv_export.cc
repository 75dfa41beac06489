#include "server/admin/csv_export.h"

#include <nlohmann/json.hpp>

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

void RenderCsvExport(const CsvExport& spec, const http::Request& request,
                     const std::function<void(const http::Request&, http::Response&)>& page,
                     http::Response& response) {
  std::string csv = "\xEF\xBB\xBF";
  for (size_t i = 0; i < spec.columns.size(); ++i) {
    if (i) csv += ',';
    csv += spec.columns[i].header;
  }
  csv += "\r\n";

  http::Request paged = request;
  paged.query.erase("format");
  paged.query.erase("limit");
  paged.query.erase("cursor");
  paged.query.emplace("limit", "1000");
  size_t rows = 0;
  for (;;) {
    http::Response one;
    page(paged, one);
    if (one.status != 200) {
      response = std::move(one);
      return;
    }
    json body = json::parse(one.body, nullptr, false);
    if (body.is_discarded() || !body.is_object()) break;
    for (const json& item : body.value("items", json::array())) {
      for (size_t i = 0; i < spec.columns.size(); ++i) {
        if (i) csv += ',';
        csv += CsvCell(spec.columns[i].value(item));
      }
      csv += "\r\n";
      if (++rows >= kMaxCsvRows) break;
    }
    auto next = body.find("next_cursor");
    if (rows >= kMaxCsvRows || next == body.end() || !next->is_string()) break;
    paged.query.erase("cursor");
    paged.query.emplace("cursor", next->get<std::string>());
  }
  response.status = 200;
  response.content_type = "text/csv; charset=utf-8";
  response.body = std::move(csv);
  response.SetHeader("Content-Disposition",
                     "attachment; filename=\"" + std::string(spec.filename) + "\"");
  response.SetHeader("Cache-Control", "no-store");
}

}  // namespace allot::admin
