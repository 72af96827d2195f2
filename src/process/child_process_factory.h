// Builds ChildProcess handles inside weft (their fields are private to users).
#pragma once

#include <utility>

#include "weft/process.h"

namespace weft {

struct ChildProcessFactory {
  static ChildProcess make(pid_t pid, std::uint64_t relay_channel, Span span, bool in_child = false) {
    ChildProcess child;
    child.pid_ = pid;
    child.relay_channel_ = relay_channel;
    child.span_ = std::move(span);
    child.in_child_ = in_child;
    return child;
  }
};

namespace detail {
using weft::ChildProcessFactory;
}

}  // namespace weft
