# Writes docs_embedded.h: every docs/*.md as a string, so that allot serves
# its own documentation (GET /docs/<name>.md) and SCIM's documentationUri is
# an address that answers. Run at configure time; CONFIGURE_DEPENDS re-runs
# it when a page is added, and each page is a configure dependency.
file(GLOB doc_files CONFIGURE_DEPENDS "${PROJECT_SOURCE_DIR}/docs/*.md")
list(SORT doc_files)
set(body "")
foreach(f ${doc_files})
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${f}")
  get_filename_component(name "${f}" NAME)
  file(READ "${f}" text)
  # A raw string literal has a length limit in some compilers: split long
  # pages into pieces of 8000 bytes, concatenated by the compiler.
  string(LENGTH "${text}" length)
  set(pieces "")
  set(offset 0)
  while(offset LESS length)
    string(SUBSTRING "${text}" ${offset} 8000 piece)
    string(APPEND pieces "R\"allot_doc(${piece})allot_doc\"\n")
    math(EXPR offset "${offset} + 8000")
  endwhile()
  string(APPEND body "  {\"${name}\", ${pieces}},\n")
endforeach()
file(CONFIGURE OUTPUT "${CMAKE_CURRENT_BINARY_DIR}/generated/server/app/docs_embedded.h"
  CONTENT "// Generated from docs/*.md by server/app/embed_docs.cmake.
#pragma once
#include <string_view>
namespace allot::app {
struct EmbeddedDoc { std::string_view name; std::string_view text; };
inline constexpr EmbeddedDoc kEmbeddedDocs[] = {
${body}};
}  // namespace allot::app
" @ONLY)
