// Deadlines for flush and shutdown: a timeout becomes a point in time, and each step gets what is
// left of it, so a sequence of steps never takes longer than the caller allowed.
#pragma once

#include <chrono>

namespace weft::detail {

class Deadline {
 public:
  explicit Deadline(std::chrono::milliseconds timeout)
      : end_(std::chrono::steady_clock::now() + timeout) {}

  std::chrono::milliseconds remaining() const {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        end_ - std::chrono::steady_clock::now());
    return left.count() > 0 ? left : std::chrono::milliseconds(0);
  }

 private:
  std::chrono::steady_clock::time_point end_;
};

}  // namespace weft::detail
