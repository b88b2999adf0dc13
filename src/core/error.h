// Error and Result<T>: errors are values, carried from the place a decision is made up to the
// api layer, which renders them once as Voucherify's error JSON.
//
// `code` is the HTTP status Voucherify puts in its error body (400, 401, 404, ...); `key` is the
// machine-readable error key from the documented catalogue (spec 4.6). No exceptions cross module
// boundaries: functions that can fail return Result<T>.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace openpromo {

struct Error {
  int code = 500;
  std::string key;
  std::string message;
  std::string details;
  std::string resource_id;    // optional: the id the error is about
  std::string resource_type;  // optional: "voucher", "category", ...

  // Builders for the keys used across modules. Each sets the status the catalogue documents.
  static Error not_found(std::string resource_type, std::string resource_id);
  static Error invalid_payload(std::string details);
  static Error invalid_query_params(std::string details);
  static Error duplicate_found(std::string resource_type, std::string details);
  static Error resource_in_use(std::string resource_type, std::string resource_id,
                               std::string details);
  // 403: the resource exists but the caller's areas and stores do not reach it (spec 14.3).
  static Error forbidden(std::string resource_type, std::string resource_id);
  static Error internal(std::string details);
  static Error unavailable(std::string details);
};

// Result<T> holds either a value or an Error. REQUIRES: value() only when ok(), error() only when
// !ok().
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
  Result(Error error) : state_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(state_); }
  const T& value() const& { return std::get<0>(state_); }
  T&& value() && { return std::get<0>(std::move(state_)); }
  const Error& error() const { return std::get<1>(state_); }
  Error&& take_error() && { return std::get<1>(std::move(state_)); }

  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Error> state_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const { return error_; }
  Error&& take_error() && { return std::move(error_); }

 private:
  Error error_;
  bool ok_ = true;
};

using Status = Result<void>;

}  // namespace openpromo

#define OP_CONCAT_INNER(a, b) a##b
#define OP_CONCAT(a, b) OP_CONCAT_INNER(a, b)
// Propagate an error from an expression returning Result<...>: `OP_TRY(store.begin());`. The
// temporary is named after the line, so an OP_TRY inside a lambda inside an OP_TRY does not
// shadow the outer one.
#define OP_TRY(expr) OP_TRY_IMPL(OP_CONCAT(op_try_result_, __LINE__), expr)
#define OP_TRY_IMPL(tmp, expr)                         \
  do {                                                 \
    auto tmp = (expr);                                 \
    if (!tmp.ok()) return std::move(tmp).take_error(); \
  } while (0)

// Bind the value of a Result or propagate its error: `OP_ASSIGN(auto row, store.find(id));`
#define OP_ASSIGN(decl, expr) OP_ASSIGN_IMPL(OP_CONCAT(op_assign_result_, __LINE__), decl, expr)
#define OP_ASSIGN_IMPL(tmp, decl, expr)              \
  auto tmp = (expr);                                 \
  if (!tmp.ok()) return std::move(tmp).take_error(); \
  decl = std::move(tmp).value()
