// Status and Result: how every fallible call in the engine reports failure.
//
//   digits::Result<digits::onnx::Model> model = digits::onnx::parse_model(bytes, size);
//   if (!model.ok()) { std::puts(model.status().message().c_str()); return 1; }
//   use(model.value());
//
// The engine never throws: errors are values, so they cross the WebAssembly boundary
// as messages instead of aborts.
#pragma once

#include <optional>
#include <string>
#include <utility>

namespace digits {

class [[nodiscard]] Status {
 public:
  static Status success() { return Status(); }
  static Status error(std::string message) {
    Status status;
    status.failed_ = true;
    status.message_ = std::move(message);
    return status;
  }

  bool ok() const { return !failed_; }
  // Empty when ok().
  const std::string& message() const { return message_; }

  // Returns this error with "where: " in front; success stays success.
  Status within(const std::string& where) const {
    return ok() ? *this : error(where + ": " + message_);
  }

 private:
  bool failed_ = false;
  std::string message_;
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design
  // status must be an error; a success status without a value is a programming error.
  Result(Status status) : status_(std::move(status)) {}  // NOLINT: implicit by design

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }
  T& value() { return *value_; }
  const T& value() const { return *value_; }
  T take() { return std::move(*value_); }

 private:
  Status status_;
  std::optional<T> value_;
};

}  // namespace digits

// Returns early from the enclosing function when expr (a Status) is an error.
#define DIGITS_TRY(expr)                          \
  do {                                            \
    ::digits::Status digits_try_status_ = (expr); \
    if (!digits_try_status_.ok()) return digits_try_status_; \
  } while (0)
