// weft::fork_process(): fork() with the child's spans relayed to the parent. The fork handlers
// (runtime/fork_hooks.h) already make the child consistent; here the child's global provider is
// switched to the relay.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "process/child_process_factory.h"
#include "process/relay_hub.h"
#include "process/relay_sender.h"
#include "weft/process.h"
#include "weft/provider.h"

namespace weft {

ChildProcess fork_process() {
  std::optional<detail::RelayEndpoints> relay;
  int child_end = -1;
  if (detail::processor_of(global_provider()) != nullptr) {
    relay = detail::open_relay_channel(nullptr);
    // A copy the fork handlers do not know about: they close the hub's descriptors in the child.
    if (relay) child_end = fcntl(relay->child_fd, F_DUPFD_CLOEXEC, 0);
  }
  const pid_t pid = ::fork();
  if (pid == 0) {
    if (child_end >= 0) {
      detail::relay_in_forked_child(global_provider(), detail::make_relay_sender(child_end));
    }
    return ChildProcessFactory::make(0, 0, Span(), /*in_child=*/true);
  }
  const int fork_error = errno;
  if (child_end >= 0) ::close(child_end);
  if (pid < 0) {
    if (relay) detail::abandon_relay_channel(relay->channel);
    errno = fork_error;
    return ChildProcessFactory::make(-1, 0, Span());
  }
  if (relay) detail::attach_relay_channel(relay->channel, pid);
  return ChildProcessFactory::make(pid, relay ? relay->channel : 0, Span());
}

}  // namespace weft
