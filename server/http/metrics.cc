#include "server/http/metrics.h"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <shared_mutex>
#include <sstream>
#include <unordered_map>

namespace allot::http {

struct Metrics::Impl {
  std::shared_ptr<prometheus::Registry> registry = std::make_shared<prometheus::Registry>();
  prometheus::Family<prometheus::Counter>& requests =
      prometheus::BuildCounter()
          .Name("allot_http_requests_total")
          .Help("HTTP requests by method, route and status")
          .Register(*registry);
  prometheus::Family<prometheus::Histogram>& latency =
      prometheus::BuildHistogram()
          .Name("allot_http_request_duration_seconds")
          .Help("HTTP request latency by method and route")
          .Register(*registry);
  std::mutex sources_mutex;
  std::vector<std::function<std::string()>> sources;
  // The series of each (method, route, status) seen so far: finding them in
  // their families costs a label map and a lock per request; the series
  // themselves live as long as the registry.
  struct Series {
    prometheus::Counter* count;
    prometheus::Histogram* latency;
  };
  std::shared_mutex series_mutex;
  std::unordered_map<std::string, Series> series;
};

Metrics::Metrics() : impl_(std::make_unique<Impl>()) {}
Metrics::~Metrics() = default;

void Metrics::ObserveRequest(std::string_view method, std::string_view route, int status,
                             double seconds) {
  static const prometheus::Histogram::BucketBoundaries kBuckets = {
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
  std::string key;
  key.reserve(method.size() + route.size() + 6);
  key.append(method).append(1, ' ').append(route).append(1, ' ').append(std::to_string(status));
  Impl::Series found{nullptr, nullptr};
  {
    std::shared_lock lock(impl_->series_mutex);
    auto it = impl_->series.find(key);
    if (it != impl_->series.end()) found = it->second;
  }
  if (found.count == nullptr) {
    const std::string m(method), r(route);
    found.count =
        &impl_->requests.Add({{"method", m}, {"route", r}, {"status", std::to_string(status)}});
    found.latency = &impl_->latency.Add({{"method", m}, {"route", r}}, kBuckets);
    std::unique_lock lock(impl_->series_mutex);
    impl_->series.emplace(std::move(key), found);
  }
  found.count->Increment();
  found.latency->Observe(seconds);
}

void Metrics::AddTextSource(std::function<std::string()> source) {
  std::lock_guard lock(impl_->sources_mutex);
  impl_->sources.push_back(std::move(source));
}

std::string Metrics::Render() const {
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, impl_->registry->Collect());
  std::string text = out.str();
  std::lock_guard lock(impl_->sources_mutex);
  for (const auto& source : impl_->sources) text += source();
  return text;
}

}  // namespace allot::http
