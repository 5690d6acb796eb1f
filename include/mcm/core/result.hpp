#pragma once
// mcm::Result<T>: a value or an mcm::Error, shaped like C++23 std::expected so that moving to it
// is mechanical. Anything that talks to the outside world returns one; bugs stay exceptions.
//
//   Result<Object> r = co_await client.get(ref);
//   if (!r) { if (r.error().code == Errc::NotFound) ...; co_return r.error(); }
//   use(*r);
//
// Accessing value() of an error (or error() of a value) is a broken invariant and throws
// std::logic_error.

#include <mcm/core/error.hpp>

#include <stdexcept>
#include <type_traits>
#include <utility>
#include <variant>

namespace mcm {

template <class T>
class [[nodiscard]] Result {
 public:
  using value_type = T;

  Result()
    requires std::is_default_constructible_v<T>
      : state_(std::in_place_index<0>) {}
  Result(const T& value) : state_(std::in_place_index<0>, value) {}       // NOLINT: implicit
  Result(T&& value) : state_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit
  Result(Error error) : state_(std::in_place_index<1>, std::move(error)) {}  // NOLINT: implicit
  template <class U>
    requires(std::is_constructible_v<T, U &&> && !std::is_same_v<std::remove_cvref_t<U>, T> &&
             !std::is_same_v<std::remove_cvref_t<U>, Error> &&
             !std::is_same_v<std::remove_cvref_t<U>, Result>)
  Result(U&& value) : state_(std::in_place_index<0>, std::forward<U>(value)) {}  // NOLINT

  [[nodiscard]] bool has_value() const noexcept { return state_.index() == 0; }
  explicit operator bool() const noexcept { return has_value(); }

  T& value() & { return std::get<0>(checked_value()); }
  const T& value() const& { return std::get<0>(checked_value()); }
  T&& value() && { return std::move(std::get<0>(checked_value())); }

  const Error& error() const& {
    if (has_value()) {
      throw std::logic_error("mcm::Result::error() called on a value");
    }
    return std::get<1>(state_);
  }
  Error&& error() && {
    if (has_value()) {
      throw std::logic_error("mcm::Result::error() called on a value");
    }
    return std::get<1>(std::move(state_));
  }

  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  template <class U>
  T value_or(U&& fallback) const& {
    return has_value() ? std::get<0>(state_) : static_cast<T>(std::forward<U>(fallback));
  }

 private:
  std::variant<T, Error>& checked_value() {
    if (!has_value()) {
      throw std::logic_error("mcm::Result::value() called on an error: " +
                             std::get<1>(state_).message);
    }
    return state_;
  }
  const std::variant<T, Error>& checked_value() const {
    return const_cast<Result*>(this)->checked_value();
  }

  std::variant<T, Error> state_;
};

// Result<void>: success carries nothing.
template <>
class [[nodiscard]] Result<void> {
 public:
  using value_type = void;
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT: implicit

  [[nodiscard]] bool has_value() const noexcept { return ok_; }
  explicit operator bool() const noexcept { return ok_; }
  void value() const {
    if (!ok_) {
      throw std::logic_error("mcm::Result<void>::value() called on an error: " + error_.message);
    }
  }
  const Error& error() const& {
    if (ok_) {
      throw std::logic_error("mcm::Result::error() called on a value");
    }
    return error_;
  }

 private:
  Error error_;
  bool ok_ = true;
};

// Shorthand for returning an error: `return fail(Errc::Invalid, "spec.type: unknown");`.
inline Error fail(Errc code, std::string message) { return Error{code, std::move(message), 0}; }

}  // namespace mcm
