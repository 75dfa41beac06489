# Build-wide usage requirements as INTERFACE targets, so no flag is global:
#   allot::warnings  — the warning set (fatal when ALLOT_WERROR)
#   allot::sanitize  — ASan + UBSan when ALLOT_SANITIZE
# and allot_add_gtest(), one test executable per unit.

add_library(allot_warnings INTERFACE)
add_library(allot::warnings ALIAS allot_warnings)
target_compile_options(allot_warnings INTERFACE -Wall -Wextra -Wpedantic
  $<$<CXX_COMPILER_ID:GNU>:-Wshadow=local> -Wno-missing-field-initializers -Wcast-align
  $<$<COMPILE_LANGUAGE:CXX>:-Wnon-virtual-dtor -Woverloaded-virtual>
  $<$<BOOL:${ALLOT_WERROR}>:-Werror>)

add_library(allot_sanitize INTERFACE)
add_library(allot::sanitize ALIAS allot_sanitize)
if(ALLOT_SANITIZE)
  # vptr checks need the typeinfo of every polymorphic class they meet, and
  # Debian's SOCI hides its own (built with hidden visibility): link fails.
  target_compile_options(allot_sanitize INTERFACE
    -fsanitize=address,undefined -fno-sanitize=vptr -fno-sanitize-recover=undefined
    -fno-omit-frame-pointer)
  target_link_options(allot_sanitize INTERFACE -fsanitize=address,undefined)
endif()

# allot_add_gtest(NAME SOURCES a.cc b.cc LIBS x y [LABELS l])
# One executable per unit; each test case registered with ctest.
function(allot_add_gtest name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_LIBS} GTest::gtest GTest::gtest_main
    allot::warnings allot::sanitize)
  set(props TIMEOUT 300)
  if(ARG_LABELS)
    list(APPEND props LABELS "${ARG_LABELS}")
  endif()
  gtest_discover_tests(${name} DISCOVERY_MODE PRE_TEST PROPERTIES ${props})
endfunction()
