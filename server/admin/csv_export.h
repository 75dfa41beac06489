// server/admin/csv_export.h — `format=csv` on the admin API's big lists
// (GET /users, GET /subscriptions/{id}/assignments, GET /audit): the same
// handler is run page after page (limit 1000, following next_cursor) with
// the caller's filters and access, and every item becomes a CSV row
// (RFC 4180, UTF-8 with a byte-order mark for spreadsheets; cells that a
// spreadsheet would run as a formula are prefixed with '). So the export
// has exactly the rows and scope of the JSON list, whatever filters the
// list learns later.
// Thread-safety: stateless.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "server/http/types.h"

namespace allot::admin {

struct CsvColumn {
  std::string_view header;
  std::function<std::string(const nlohmann::json& item)> value;
};

struct CsvExport {
  std::string_view filename;
  std::vector<CsvColumn> columns;
};

// The export of a route pattern under /admin/v1 ("/users"), or nullptr when
// the route has none.
const CsvExport* CsvExportFor(std::string_view pattern);

// One CSV cell: quoted when it holds a comma, quote or line break;
// formula-looking text (=, +, -, @, tab, CR first) prefixed with '.
std::string CsvCell(std::string_view text);

// Writes the whole export of `request` into `response`: `page` renders one
// page of the JSON list for a request. A page answering other than 200 is
// returned as it is (the list's own error). Stops after kMaxCsvRows rows.
inline constexpr size_t kMaxCsvRows = 1'000'000;
void RenderCsvExport(const CsvExport& spec, const http::Request& request,
                     const std::function<void(const http::Request&, http::Response&)>& page,
                     http::Response& response);

}  // namespace allot::admin
