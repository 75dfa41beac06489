// server/admin/csv_export.h — `format=csv` on the admin API's big lists
// (GET /users, GET /subscriptions/{id}/assignments, GET /audit): the same
// handler is run page after page (kCsvPageRows a page, following
// next_cursor) with the caller's filters and access, and every item becomes
// a CSV row (RFC 4180, UTF-8 with a byte-order mark for spreadsheets; cells
// that a spreadsheet would run as a formula are prefixed with '). So the
// export has exactly the rows and scope of the JSON list, whatever filters
// the list learns later.
//
// The export is streamed (http::BodyStream): the handler renders the first
// page, and each further page is read when the client has taken the one
// before, so the server holds one page whatever the list's length. Each
// page is its own short read transaction, the same keyset paging as the
// JSON list: one transaction held open for the whole download would pin a
// pooled database connection (there are threads + 4) and, on SQLite, stop
// WAL checkpoints — on PostgreSQL, vacuum — for as long as the slowest
// client takes to read. The price: rows created or removed while an export
// runs may or may not be in it (as with paging the JSON list), while every
// row present throughout is there exactly once, in order.
// Thread-safety: stateless; a stream is pulled by one thread at a time.
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

// Answers `request` with its export: `page` renders one page of the JSON
// list for a request (it is kept by the stream and called again for each
// further page, so whatever it refers to must live as long as the
// response). When the first page answers other than 200, that answer (the
// list's own error) is the response; a later page's failure cuts the stream
// off (types.h). Stops after kMaxCsvRows rows.
inline constexpr size_t kMaxCsvRows = 1'000'000;
inline constexpr int kCsvPageRows = 500;
using CsvPage = std::function<void(const http::Request&, http::Response&)>;
void RenderCsvExport(const CsvExport& spec, const http::Request& request, CsvPage page,
                     http::Response& response);

}  // namespace allot::admin
