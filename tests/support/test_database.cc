#include "tests/support/test_database.h"

#include <soci/postgresql/soci-postgresql.h>
#include <soci/soci.h>
#include <unistd.h>

#include <cstdlib>

#include "server/store/database_url.h"

namespace allot::testing {
namespace {

const char* PostgresUrl() {
  const char* url = std::getenv("ALLOT_TEST_PG_URL");
  return url != nullptr && *url != '\0' ? url : nullptr;
}

}  // namespace

bool UsingPostgres() { return PostgresUrl() != nullptr; }

std::string NewTestDatabase(const std::string& sqlite_file, std::string* error) {
  const char* admin_url = PostgresUrl();
  if (admin_url == nullptr) return sqlite_file;
  static int counter = 0;
  const std::string name =
      "allot_test_" + std::to_string(getpid()) + "_" + std::to_string(++counter);
  auto parsed = store::ParseUrl({.url = admin_url});
  if (!parsed || parsed->backend != store::Backend::kPostgres) {
    *error = "ALLOT_TEST_PG_URL is not a postgresql:// URL";
    return "";
  }
  try {
    soci::session admin(*soci::factory_postgresql(), parsed->connect_string);
    admin << "CREATE DATABASE " + name;  // a name made here, never outside input
  } catch (const std::exception& e) {
    *error = std::string("cannot create a test database: ") + e.what();
    return "";
  }
  // The same URL with the new database name (query parameters kept).
  const std::string url = admin_url;
  const size_t query = url.find('?');
  const std::string base = url.substr(0, query);
  const size_t slash = base.find('/', base.find("://") + 3);
  return (slash == std::string::npos ? base : base.substr(0, slash)) + "/" + name +
         (query == std::string::npos ? "" : url.substr(query));
}

}  // namespace allot::testing
