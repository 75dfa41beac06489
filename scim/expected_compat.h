// scim/expected_compat.h — a minimal stand-in for std::expected.
//
// Only used where the standard library lacks <expected> (clang 14 with
// libstdc++ 12, i.e. the libFuzzer build); g++ 12 builds use std::expected.
// It offers the subset the library uses: has_value, operator bool, *, ->,
// value(), error(). Thread-safety: plain values.
#pragma once

#include <cstdlib>
#include <optional>
#include <utility>
#include <variant>

namespace scim::compat {

template <typename E>
struct Unexpected {
  E error;
};

template <typename T, typename E>
class Expected {
 public:
  Expected() : v_(std::in_place_index<0>) {}
  template <typename U = T>
  Expected(U&& u) : v_(std::in_place_index<0>, std::forward<U>(u)) {}  // NOLINT
  template <typename G>
  Expected(Unexpected<G> u) : v_(std::in_place_index<1>, std::move(u.error)) {}  // NOLINT

  bool has_value() const { return v_.index() == 0; }
  explicit operator bool() const { return has_value(); }
  T& value() & { return Get(); }
  const T& value() const& { return Get(); }
  T&& value() && { return std::move(Get()); }
  T& operator*() & { return Get(); }
  const T& operator*() const& { return Get(); }
  T&& operator*() && { return std::move(Get()); }
  T* operator->() { return &Get(); }
  const T* operator->() const { return &Get(); }
  E& error() & { return std::get<1>(v_); }
  const E& error() const& { return std::get<1>(v_); }

 private:
  T& Get() {
    if (!has_value()) std::abort();
    return std::get<0>(v_);
  }
  const T& Get() const {
    if (!has_value()) std::abort();
    return std::get<0>(v_);
  }
  std::variant<T, E> v_;
};

template <typename E>
class Expected<void, E> {
 public:
  Expected() = default;
  template <typename G>
  Expected(Unexpected<G> u) : e_(std::move(u.error)) {}  // NOLINT
  bool has_value() const { return !e_.has_value(); }
  explicit operator bool() const { return has_value(); }
  void value() const {
    if (e_) std::abort();
  }
  E& error() & { return *e_; }
  const E& error() const& { return *e_; }

 private:
  std::optional<E> e_;
};

}  // namespace scim::compat
