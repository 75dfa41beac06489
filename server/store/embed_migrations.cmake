# Writes migrations_embedded.h: every migrations/NNN_name.sql as a string.
# Run at configure time; CONFIGURE_DEPENDS re-runs it when files change.
file(GLOB sql_files CONFIGURE_DEPENDS "${CMAKE_CURRENT_LIST_DIR}/migrations/*.sql")
list(SORT sql_files)
set(body "")
foreach(f ${sql_files})
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${f}")
  get_filename_component(name "${f}" NAME_WE)
  string(REGEX MATCH "^[0-9]+" number "${name}")
  math(EXPR version "${number}")
  file(READ "${f}" sql)
  string(APPEND body "  {${version}, \"${name}\", R\"allot_sql(${sql})allot_sql\"},\n")
endforeach()
file(CONFIGURE OUTPUT "${CMAKE_CURRENT_BINARY_DIR}/generated/server/store/migrations_embedded.h"
  CONTENT "// Generated from server/store/migrations/*.sql by embed_migrations.cmake.
#pragma once
#include <string_view>
namespace allot::store {
struct EmbeddedMigration { int version; std::string_view name; std::string_view sql; };
inline constexpr EmbeddedMigration kEmbeddedMigrations[] = {
${body}};
}  // namespace allot::store
" @ONLY)
