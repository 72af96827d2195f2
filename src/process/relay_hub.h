// The parent side of span relaying. Each child started by weft gets a channel: a socket pair
// whose child end the child inherits. One background thread reads every channel and hands the
// spans to the global provider's processor, so they are exported with the parent's exporter.
// When a child dies, the spans it had started but not ended are ended at the time of death with
// error status, `weft.span.incomplete` = true and the child's exit code or signal.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>

namespace weft::detail {

struct RelayEndpoints {
  int child_fd = -1;  // close-on-exec: a spawned child must dup2 it onto itself
  std::uint64_t channel = 0;
};

// A new channel for a child about to be started; nullopt (and `error`) if no socket could be made.
std::optional<RelayEndpoints> open_relay_channel(std::string* error);
// The child exists now: the parent's copy of its end is closed and the channel is read.
void attach_relay_channel(std::uint64_t channel, pid_t child);
// The child could not be started: the channel is closed.
void abandon_relay_channel(std::uint64_t channel);
// The child was reaped with `wait_status` (as from waitpid; nullopt when it was reaped elsewhere
// and its status is unknown): everything it sent is exported, and its open spans are reported,
// before this returns.
void settle_relay_channel(std::uint64_t channel, std::optional<int> wait_status);

}  // namespace weft::detail
