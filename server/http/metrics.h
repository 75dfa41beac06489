// server/http/metrics.h — Prometheus metrics (prometheus-cpp core): requests
// by route and status, latency histograms by route, plus text that other
// parts of the server append at scrape time (e.g. seats per subscription).
// Thread-safety: all methods are thread-safe.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace allot::http {

class Metrics {
 public:
  Metrics();
  ~Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // `route` is the route pattern (never the raw path: ids would explode the
  // label space).
  void ObserveRequest(std::string_view method, std::string_view route, int status,
                      double seconds);

  // Adds a source of extra exposition text, called on every scrape. It must
  // return complete Prometheus text lines (with HELP/TYPE).
  void AddTextSource(std::function<std::string()> source);

  // The whole exposition, Prometheus text format 0.0.4.
  std::string Render() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace allot::http
