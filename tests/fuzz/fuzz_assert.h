// tests/fuzz/fuzz_assert.h — FUZZ_CHECK: a failed property prints what broke
// and aborts, which libFuzzer (and the ctest corpus replay) reports as a
// finding. No dependency beyond the C++ library.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>

#define FUZZ_CHECK(cond, what)                                                     \
  do {                                                                             \
    if (!(cond)) {                                                                 \
      std::fprintf(stderr, "property failed: %s (%s)\n", #cond, std::string(what).c_str()); \
      std::abort();                                                                \
    }                                                                              \
  } while (0)
