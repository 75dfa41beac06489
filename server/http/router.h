// server/http/router.h — maps method + path to a handler.
//
// Patterns are literal segments and `{name}` segments that match one path
// segment each: "/scim/v2/Users/{id}". Literal segments compare without
// regard to case (SCIM clients differ on "/Users" vs "/users"); a route with
// more literal segments wins over one with parameters ("/Users/.search" over
// "/Users/{id}"). Thread-safety: build before serving; Match is const and
// thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "server/http/types.h"

namespace allot::http {

class Router {
 public:
  // Where a handler may run. Handlers run on the worker pool, since most do
  // blocking database work; a handler that never blocks and answers at once
  // (/healthz) may be registered kNonBlocking and then runs on an I/O
  // thread, so it answers even when every worker is busy. Only routes that
  // need no credential run inline (authentication blocks).
  enum class Execution { kWorker, kNonBlocking };

  // Registers a handler. `pattern` must start with '/'.
  void Add(std::string method, std::string_view pattern, Handler handler,
           Execution execution = Execution::kWorker);

  struct Match {
    enum class Kind { kFound, kMethodNotAllowed, kNotFound } kind = Kind::kNotFound;
    const Handler* handler = nullptr;
    std::string pattern;                 // the route, for metrics labels
    std::vector<std::string> params;
    std::string allowed_methods;         // for 405's Allow header
    Execution execution = Execution::kWorker;
  };
  Match Find(std::string_view method, std::string_view path) const;

 private:
  struct Route {
    std::string method;
    std::string pattern;
    std::vector<std::string> segments;  // "{}" marks a parameter
    int literal_count = 0;
    Handler handler;
    Execution execution = Execution::kWorker;
  };
  std::vector<Route> routes_;
};

}  // namespace allot::http
