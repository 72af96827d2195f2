#include "process/relay_sender.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "diagnostics/counters.h"
#include "diagnostics/log.h"
#include "process/relay_codec.h"
#include "runtime/process_info.h"
#include "sdk/builtin_processor.h"
#include "trace/span_record.h"

namespace weft::detail {
namespace {

std::atomic<bool> send_failure_reported{false};

// How long a span end may wait for room in a full socket before the span is dropped.
constexpr int kFullSocketWaitMs = 100;

class RelaySender final : public BuiltinProcessor {
 public:
  explicit RelaySender(int fd) : fd_(fd) {}

  bool watches_starts() const noexcept override { return true; }
  void on_start(SpanData& span, const Context& /*parent*/) noexcept override {
    if (!span.context.is_sampled() || closed_.load(std::memory_order_relaxed)) return;
    send_span(RelayMessageType::kStart, span, process_id());
  }

  // Spans of this process, and spans this process's own hub received from its children (a
  // process pool inside a pool worker, a program spawned by a forked child): those go on under
  // their own process's pid and resource, which their record carries.
  void on_end(FinishedSpan span) noexcept override {
    if (!span->context.is_sampled()) return;
    const std::int32_t origin = static_cast<const SpanRecord&>(*span).owner_pid;
    if (closed_.load(std::memory_order_relaxed) ||
        !send_span(RelayMessageType::kEnd, *span, origin)) {
      count(counters().spans_dropped_relay);
      return;
    }
    count(counters().spans_relayed);
  }

  bool force_flush(std::chrono::milliseconds) noexcept override { return true; }  // synchronous
  bool shutdown(std::chrono::milliseconds) noexcept override {
    closed_.store(true, std::memory_order_relaxed);
    return true;
  }

 private:
  bool send_span(RelayMessageType type, const SpanData& span, std::int32_t origin) noexcept {
    try {
      if (!introduced(span, origin)) return false;
      thread_local std::string buffer;
      encode_relay_span(type, origin, span, buffer);
      return send_message(buffer);
    } catch (...) {
      return false;
    }
  }

  // The parent learns a process's resource before its first span: this process's, and that of
  // each child of it whose spans it passes on. A fork()ed child (whose pid differs) introduces
  // itself again on the socket it shares with its parent. No lock (a fork could copy it held):
  // two threads may both send this process's hello, which the parent takes twice, harmlessly.
  // Children's spans come only from this process's hub, under its lock, one at a time.
  bool introduced(const SpanData& span, std::int32_t origin) {
    const bool own = origin == process_id();
    if (own && introduced_pid_.load(std::memory_order_acquire) == origin) return true;
    if (!own && std::find(introduced_children_.begin(), introduced_children_.end(), origin) !=
                    introduced_children_.end()) {
      return true;
    }
    std::string hello;
    encode_relay_hello(origin, span.resource != nullptr ? *span.resource : Resource(), hello);
    if (!send_message(hello)) return false;
    if (own) {
      introduced_pid_.store(origin, std::memory_order_release);
    } else {
      introduced_children_.push_back(origin);
    }
    return true;
  }

  bool send_message(const std::string& message) noexcept {
    for (int attempt = 0; attempt < 2; ++attempt) {
      if (::send(fd_, message.data(), message.size(), MSG_NOSIGNAL | MSG_DONTWAIT) >= 0) {
        return true;
      }
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) break;
      pollfd writable{fd_, POLLOUT, 0};
      ::poll(&writable, 1, kFullSocketWaitMs);
    }
    const int error = errno;
    if (error == EPIPE || error == ECONNRESET || error == EBADF || error == ENOTCONN) {
      closed_.store(true, std::memory_order_relaxed);  // the parent is gone: stop trying
    }
    log_once(send_failure_reported, LogLevel::kWarning,
             std::string("span relay to the parent process failed (") + std::strerror(error) +
                 "); spans are dropped (counted in spans_dropped_relay)");
    return false;
  }

  const int fd_;
  std::atomic<bool> closed_{false};
  std::atomic<std::int32_t> introduced_pid_{0};
  std::vector<std::int32_t> introduced_children_;  // under the hub's lock (see introduced())
};

bool is_seqpacket_socket(int fd) {
  struct stat info {};
  if (fstat(fd, &info) != 0 || !S_ISSOCK(info.st_mode)) return false;
  int type = 0;
  socklen_t size = sizeof type;
  return getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &size) == 0 && type == SOCK_SEQPACKET;
}

}  // namespace

std::string relay_environment_entry(int child_fd) {
  return std::string(kRelayVariable) + "=" + std::to_string(child_fd) + ":" +
         std::to_string(getpid());
}

std::shared_ptr<SpanProcessor> make_relay_sender(int fd) {
  return std::make_shared<RelaySender>(fd);
}

std::optional<int> take_inherited_relay(const std::optional<std::string>& variable) {
  if (!variable) return std::nullopt;
  static std::atomic<bool> taken{false};
  if (taken.exchange(true)) return std::nullopt;
  const char* value = variable->c_str();
  char* rest = nullptr;
  const long fd = std::strtol(value, &rest, 10);
  if (rest == value || *rest != ':') return std::nullopt;
  const long parent = std::strtol(rest + 1, nullptr, 10);
  if (fd < 0 || fd > 1 << 20 || parent != static_cast<long>(getppid())) return std::nullopt;
  if (!is_seqpacket_socket(static_cast<int>(fd))) return std::nullopt;
  // Programs this one execs do not inherit the socket; children it forks do, and relay through it.
  fcntl(static_cast<int>(fd), F_SETFD, FD_CLOEXEC);
  return static_cast<int>(fd);
}

}  // namespace weft::detail
