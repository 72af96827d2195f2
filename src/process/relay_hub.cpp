#include "process/relay_hub.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "diagnostics/counters.h"
#include "diagnostics/log.h"
#include "process/relay_codec.h"
#include "process/signal_name.h"
#include "runtime/clock.h"
#include "runtime/fork_hooks.h"
#include "trace/attribute_limits.h"
#include "trace/record_pool.h"
#include "trace/thread_attributes.h"
#include "weft/provider.h"

namespace weft::detail {
namespace {

constexpr int kPollIntervalMs = 100;
constexpr std::chrono::seconds kSettleGrace{2};
constexpr std::size_t kMaxMessageBytes = 1 << 20;

// What one process sending on a channel has told us.
struct SenderProcess {
  std::int32_t pid = 0;
  const Resource* resource = nullptr;
  std::map<SpanId, SpanData> open_spans;  // started, not yet ended
};

struct Channel {
  std::uint64_t id = 0;
  int fd = -1;        // the parent's end
  int child_fd = -1;  // the child's end, until the child exists
  pid_t owner = 0;    // the child the channel was made for
  bool closed = false;          // end of file: no process holds the child end any more
  std::optional<int> owner_status;  // waitpid form, once known
  bool owner_reported = false;
  // When the owner was found reaped by someone else: ChildProcess::wait() settles the channel
  // right after reaping, so the hub waits a moment for that before it reports without a status.
  std::optional<std::chrono::steady_clock::time_point> reaped_elsewhere_at;
  std::vector<SenderProcess> senders;
};

// How the owner of a channel ended, for the spans it left open.
struct Ending {
  std::string description;
  std::optional<std::int64_t> exit_code;
  std::optional<std::string> signal;
};

Ending describe(std::optional<int> wait_status) {
  Ending ending;
  if (!wait_status) {
    ending.description = "the process ended before the span did";
  } else if (WIFSIGNALED(*wait_status)) {
    ending.signal = signal_name(WTERMSIG(*wait_status));
    ending.description = "the process was killed by " + *ending.signal + " before the span ended";
  } else {
    ending.exit_code = WIFEXITED(*wait_status) ? WEXITSTATUS(*wait_status) : -1;
    ending.description = "the process exited with code " + std::to_string(*ending.exit_code) +
                         " before the span ended";
  }
  return ending;
}

class RelayHub {
 public:
  std::optional<RelayEndpoints> open(std::string* error) {
    int ends[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, ends) != 0) {
      if (error) *error = std::string("socketpair: ") + std::strerror(errno);
      return std::nullopt;
    }
    fcntl(ends[0], F_SETFL, fcntl(ends[0], F_GETFL) | O_NONBLOCK);
    std::lock_guard<std::mutex> lock(mutex_);
    start_thread_locked();
    Channel& channel = channels_.emplace_back();
    channel.id = next_id_++;
    channel.fd = ends[0];
    channel.child_fd = ends[1];
    return RelayEndpoints{ends[1], channel.id};
  }

  void attach(std::uint64_t id, pid_t child) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (Channel* channel = find(id)) {
      channel->owner = child;
      close_fd(channel->child_fd);
    }
    wake_locked();
  }

  void abandon(std::uint64_t id) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (Channel* channel = find(id)) {
      close_fd(channel->child_fd);
      channel->closed = true;
      channel->owner_reported = true;
    }
    remove_finished_locked();
  }

  void settle(std::uint64_t id, std::optional<int> wait_status) {
    const std::shared_ptr<SpanProcessor> sink = processor_of(global_provider());
    std::lock_guard<std::mutex> lock(mutex_);
    Channel* channel = find(id);
    if (channel == nullptr) return;
    channel->owner_status = wait_status;
    drain_locked(*channel, sink.get());  // the child is dead: all it sent is readable now
    report_owner_locked(*channel, sink.get());
    remove_finished_locked();
  }

  void prepare_fork() { mutex_.lock(); }
  void release_in_parent() { mutex_.unlock(); }
  // The channels are the parent's business: the child closes its copies (so no sibling's end of
  // file is held up by it) and starts afresh.
  void reset_in_child() {
    for (Channel& channel : channels_) {
      close_fd(channel.fd);
      close_fd(channel.child_fd);
    }
    channels_.clear();
    close_fd(wake_read_);
    close_fd(wake_write_);
    thread_started_ = false;
    mutex_.unlock();
  }

 private:
  Channel* find(std::uint64_t id) {
    for (Channel& channel : channels_) {
      if (channel.id == id) return &channel;
    }
    return nullptr;
  }

  static void close_fd(int& fd) {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }

  void start_thread_locked() {
    if (thread_started_) return;
    int wake[2];
    if (pipe2(wake, O_CLOEXEC | O_NONBLOCK) != 0) return;  // channels are then read on settle
    wake_read_ = wake[0];
    wake_write_ = wake[1];
    thread_started_ = true;
    // Never joined: it serves children until the process ends, and owns nothing to free.
    std::thread([this] { run(); }).detach();
  }

  void wake_locked() {
    if (wake_write_ >= 0) {
      const char byte = 1;
      [[maybe_unused]] const ssize_t written = ::write(wake_write_, &byte, 1);
    }
  }

  void run() {
    std::vector<pollfd> watched;
    std::vector<std::uint64_t> ids;
    for (;;) {
      {
        std::lock_guard<std::mutex> lock(mutex_);
        if (!thread_started_) return;
        watched.assign(1, pollfd{wake_read_, POLLIN, 0});
        ids.assign(1, 0);
        for (const Channel& channel : channels_) {
          if (channel.closed) continue;
          watched.push_back(pollfd{channel.fd, POLLIN, 0});
          ids.push_back(channel.id);
        }
      }
      ::poll(watched.data(), watched.size(), kPollIntervalMs);
      const std::shared_ptr<SpanProcessor> sink = processor_of(global_provider());
      std::lock_guard<std::mutex> lock(mutex_);
      char discard[64];
      while (::read(wake_read_, discard, sizeof discard) > 0) {
      }
      for (std::size_t i = 1; i < watched.size(); ++i) {
        if (watched[i].revents == 0) continue;
        if (Channel* channel = find(ids[i])) drain_locked(*channel, sink.get());
      }
      for (Channel& channel : channels_) {
        if (channel.closed && !channel.owner_reported) check_owner_locked(channel, sink.get());
      }
      remove_finished_locked();
    }
  }

  // Reads every message waiting on the channel.
  void drain_locked(Channel& channel, SpanProcessor* sink) {
    if (channel.closed) return;
    buffer_.resize(kMaxMessageBytes);
    for (;;) {
      const ssize_t size = ::recv(channel.fd, buffer_.data(), buffer_.size(), MSG_DONTWAIT);
      if (size > 0) {
        handle_locked(channel, std::string_view(buffer_.data(), static_cast<std::size_t>(size)),
                      sink);
        continue;
      }
      if (size < 0 && errno == EINTR) continue;
      if (size < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
      channel.closed = true;  // end of file (every holder of the child end is gone) or an error
      return;
    }
  }

  void handle_locked(Channel& channel, std::string_view bytes, SpanProcessor* sink) {
    std::optional<RelayMessage> message = decode_relay_message(bytes);
    if (!message) {
      log_once(malformed_reported_, LogLevel::kWarning,
               "span relay: a malformed message from a child process was dropped");
      count(counters().spans_dropped_relay);
      return;
    }
    SenderProcess& sender = sender_locked(channel, message->pid);
    switch (message->type) {
      case RelayMessageType::kHello:
        resources_.push_back(std::move(message->resource));
        sender.resource = &resources_.back();
        return;
      case RelayMessageType::kStart:
        message->span.scope = intern_scope_locked(message->scope);
        sender.open_spans[message->span.context.span_id] = std::move(message->span);
        return;
      case RelayMessageType::kEnd:
        sender.open_spans.erase(message->span.context.span_id);
        message->span.scope = intern_scope_locked(message->scope);
        hand_over_locked(sender, std::move(message->span), sink);
        count(counters().spans_received_from_children);
        return;
    }
  }

  SenderProcess& sender_locked(Channel& channel, std::int32_t pid) {
    for (SenderProcess& sender : channel.senders) {
      if (sender.pid == pid) return sender;
    }
    SenderProcess& added = channel.senders.emplace_back();
    added.pid = pid;
    return added;
  }

  const InstrumentationScope* intern_scope_locked(const InstrumentationScope& scope) {
    for (const InstrumentationScope& known : scopes_) {
      if (known.name == scope.name && known.version == scope.version &&
          known.schema_url == scope.schema_url) {
        return &known;
      }
    }
    scopes_.push_back(scope);
    return &scopes_.back();
  }

  void hand_over_locked(SenderProcess& sender, SpanData span, SpanProcessor* sink) {
    if (sink == nullptr) return;
    if (sender.resource == nullptr) {  // no hello: name the process at least
      resources_.push_back(Resource({{"process.pid", static_cast<std::int64_t>(sender.pid)}}));
      sender.resource = &resources_.back();
    }
    SpanRecord* record = acquire_record();
    static_cast<SpanData&>(*record) = std::move(span);
    record->resource = sender.resource;
    record->owner_pid = sender.pid;  // a relaying sink passes it on under the child's pid
    record->tracer = nullptr;
    record->thread_name_serial = 0;
    sink->on_end(FinishedSpan(record));
  }

  // After end of file: once the owner has died (seen without reaping it, so the application's
  // own wait still works), its open spans are reported.
  void check_owner_locked(Channel& channel, SpanProcessor* sink) {
    if (!channel.owner_status && channel.owner > 0) {
      siginfo_t info{};
      if (waitid(P_PID, static_cast<id_t>(channel.owner), &info,
                 WEXITED | WNOHANG | WNOWAIT) == 0) {
        if (info.si_pid == 0) return;  // closed its end but still running
        channel.owner_status = info.si_code == CLD_EXITED ? (info.si_status & 0xff) << 8
                                                          : (info.si_status & 0x7f);
      } else {
        const auto now = std::chrono::steady_clock::now();
        if (!channel.reaped_elsewhere_at) channel.reaped_elsewhere_at = now;
        if (now - *channel.reaped_elsewhere_at < kSettleGrace) return;
      }
    }
    report_owner_locked(channel, sink);
    // Processes forked from the owner that shared its socket are gone too (end of file).
    const Ending unknown = describe(std::nullopt);
    for (SenderProcess& sender : channel.senders) report_open_spans_locked(sender, unknown, sink);
  }

  void report_owner_locked(Channel& channel, SpanProcessor* sink) {
    if (channel.owner_reported) return;
    channel.owner_reported = true;
    const Ending ending = describe(channel.owner_status);
    for (SenderProcess& sender : channel.senders) {
      if (sender.pid == channel.owner) report_open_spans_locked(sender, ending, sink);
    }
  }

  void report_open_spans_locked(SenderProcess& sender, const Ending& ending, SpanProcessor* sink) {
    const std::uint64_t now = now_unix_nano();
    // What is added keeps to the limits of the provider the spans are exported by.
    const SpanLimits limits = limits_of(global_provider());
    const auto add = [&](SpanData& span, std::string_view key, AttributeValue value) {
      put_attribute(span.attributes, span.dropped_attributes_count, key, std::move(value),
                    limits.attribute_count, limits.attribute_value_length);
    };
    for (auto& [id, span] : sender.open_spans) {
      span.end_time_unix_nano = std::max(now, span.start_time_unix_nano);
      span.status.code = StatusCode::kError;
      span.status.message = ending.description;
      add(span, "weft.span.incomplete", AttributeValue(true));
      if (ending.exit_code) add(span, "process.exit.code", AttributeValue(*ending.exit_code));
      if (ending.signal) add(span, "weft.process.signal", AttributeValue(*ending.signal));
      fit_thread_attributes(span, span.attributes.size(), limits);
      hand_over_locked(sender, std::move(span), sink);
      count(counters().incomplete_spans_reported);
    }
    sender.open_spans.clear();
  }

  void remove_finished_locked() {
    channels_.erase(std::remove_if(channels_.begin(), channels_.end(),
                                   [](Channel& channel) {
                                     const bool done = channel.closed && channel.owner_reported;
                                     if (done) {
                                       close_fd(channel.fd);
                                       close_fd(channel.child_fd);
                                     }
                                     return done;
                                   }),
                    channels_.end());
  }

  std::mutex mutex_;
  std::deque<Channel> channels_;
  std::uint64_t next_id_ = 1;
  bool thread_started_ = false;
  int wake_read_ = -1;
  int wake_write_ = -1;
  std::vector<char> buffer_;
  // Spans handed on point at these, so they live until the process ends.
  std::deque<Resource> resources_;
  std::deque<InstrumentationScope> scopes_;
  std::atomic<bool> malformed_reported_{false};
};

void prepare_hub_for_fork() noexcept;
void release_hub_in_parent() noexcept;
void reset_hub_in_child() noexcept;

RelayHub& hub() {
  static RelayHub* const instance = [] {
    auto* created = new RelayHub();  // never destroyed: its thread runs until the process ends
    install_fork_handlers(ForkStage::kRelay,
                          {&prepare_hub_for_fork, &release_hub_in_parent, &reset_hub_in_child});
    return created;
  }();
  return *instance;
}

void prepare_hub_for_fork() noexcept { hub().prepare_fork(); }
void release_hub_in_parent() noexcept { hub().release_in_parent(); }
void reset_hub_in_child() noexcept { hub().reset_in_child(); }

}  // namespace

std::optional<RelayEndpoints> open_relay_channel(std::string* error) { return hub().open(error); }
void attach_relay_channel(std::uint64_t channel, pid_t child) { hub().attach(channel, child); }
void abandon_relay_channel(std::uint64_t channel) { hub().abandon(channel); }
void settle_relay_channel(std::uint64_t channel, std::optional<int> wait_status) {
  hub().settle(channel, wait_status);
}

}  // namespace weft::detail
