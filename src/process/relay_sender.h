// The child side of span relaying: a span processor that sends every span to the parent process
// as it starts and as it ends, over the socket the parent handed down. Sending is synchronous, so
// a child that leaves with _exit(), or is killed, has lost nothing it had ended, and the parent
// knows the spans it had started.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "weft/processor.h"

namespace weft::detail {

// The environment variable a parent sets for a child it relays for: "<fd>:<parent pid>".
inline constexpr const char* kRelayVariable = "WEFT_RELAY";

// The "WEFT_RELAY=<fd>:<this pid>" entry that tells a child started by this process its relay end.
std::string relay_environment_entry(int child_fd);

std::shared_ptr<SpanProcessor> make_relay_sender(int fd);

// The relay socket this process was started with, if `variable` (WEFT_RELAY's value) names an
// open socket and the process's parent is the one that set it (a grandchild that inherited the
// variable does not match). Taken once: later calls return nullopt.
std::optional<int> take_inherited_relay(const std::optional<std::string>& variable);

}  // namespace weft::detail
