#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>

#include "diagnostics/counters.h"
#include "diagnostics/log.h"
#include "runtime/ascii_case.h"
#include "runtime/fork_hooks.h"

namespace weft {
namespace detail {

Counters& counters() noexcept {
  // Never destroyed: spans may still be counted while static destructors run at exit.
  static Counters* const instance = new Counters();
  return *instance;
}

namespace {

struct LogState {
  std::mutex mutex;
  LogHandler handler;
};

void lock_log_for_fork() noexcept;
void unlock_log_after_fork() noexcept;

LogState& log_state() {
  static LogState* const state = [] {
    auto* created = new LogState();
    // A thread logging while another forks must not leave the child with the lock held.
    install_fork_handlers(ForkStage::kLog,
                          {&lock_log_for_fork, &unlock_log_after_fork, &unlock_log_after_fork});
    return created;
  }();
  return *state;
}

void lock_log_for_fork() noexcept { log_state().mutex.lock(); }
void unlock_log_after_fork() noexcept { log_state().mutex.unlock(); }

int threshold_from_environment() {
  return log_threshold(std::getenv("WEFT_LOG_LEVEL"), std::getenv("OTEL_LOG_LEVEL"));
}

const char* level_name(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug: return "debug";
    case LogLevel::kInfo: return "info";
    case LogLevel::kWarning: return "warning";
    case LogLevel::kError: return "error";
  }
  return "?";
}

}  // namespace

int log_threshold(const char* weft_level, const char* otel_level) noexcept {
  const char* value = weft_level != nullptr && *weft_level != '\0' ? weft_level : otel_level;
  constexpr int kDefault = static_cast<int>(LogLevel::kWarning);
  if (value == nullptr) return kDefault;
  const std::string_view given(value);
  const auto is = [given](std::string_view name) { return equals_ignoring_case(given, name); };
  if (is("debug") || is("trace") || is("all")) return static_cast<int>(LogLevel::kDebug);
  if (is("info")) return static_cast<int>(LogLevel::kInfo);
  if (is("warning") || is("warn")) return static_cast<int>(LogLevel::kWarning);
  if (is("error") || is("fatal")) return static_cast<int>(LogLevel::kError);
  if (is("none") || is("off")) return static_cast<int>(LogLevel::kError) + 1;
  return kDefault;
}

void log(LogLevel level, std::string_view message) noexcept {
  try {
    LogState& state = log_state();
    std::lock_guard<std::mutex> lock(state.mutex);
    if (state.handler) {
      state.handler(level, message);
      return;
    }
    static const int threshold = threshold_from_environment();
    if (static_cast<int>(level) < threshold) return;
    std::string line = std::string("weft: ") + level_name(level) + ": ";
    line.append(message);
    line.push_back('\n');
    std::fwrite(line.data(), 1, line.size(), stderr);
  } catch (...) {
    // A failing log handler must not take the application down.
  }
}

}  // namespace detail

Diagnostics diagnostics() noexcept {
  const detail::Counters& c = detail::counters();
  Diagnostics result;
  result.spans_exported = c.spans_exported.load(std::memory_order_relaxed);
  result.spans_export_failed = c.spans_export_failed.load(std::memory_order_relaxed);
  result.spans_dropped_queue_full = c.spans_dropped_queue_full.load();
  result.spans_dropped_after_shutdown =
      c.spans_dropped_after_shutdown.load(std::memory_order_relaxed);
  result.out_of_order_detaches = c.out_of_order_detaches.load(std::memory_order_relaxed);
  result.foreign_thread_detaches = c.foreign_thread_detaches.load(std::memory_order_relaxed);
  result.fork_copies_discarded = c.fork_copies_discarded.load(std::memory_order_relaxed);
  result.spans_dropped_at_fork = c.spans_dropped_at_fork.load(std::memory_order_relaxed);
  result.spans_relayed = c.spans_relayed.load(std::memory_order_relaxed);
  result.spans_dropped_relay = c.spans_dropped_relay.load(std::memory_order_relaxed);
  result.spans_received_from_children = c.spans_received_from_children.load(std::memory_order_relaxed);
  result.incomplete_spans_reported = c.incomplete_spans_reported.load(std::memory_order_relaxed);
  result.root_spans_off_main_thread = c.root_spans_off_main_thread.load();
  result.context_checks_failed = c.context_checks_failed.load(std::memory_order_relaxed);
  result.spans_rejected_by_collector =
      c.spans_rejected_by_collector.load(std::memory_order_relaxed);
  return result;
}

void reset_diagnostics() noexcept {
  detail::Counters& c = detail::counters();
  c.spans_exported = 0;
  c.spans_export_failed = 0;
  c.spans_dropped_queue_full.reset();
  c.spans_dropped_after_shutdown = 0;
  c.out_of_order_detaches = 0;
  c.foreign_thread_detaches = 0;
  c.fork_copies_discarded = 0;
  c.spans_dropped_at_fork = 0;
  c.spans_relayed = 0;
  c.spans_dropped_relay = 0;
  c.spans_received_from_children = 0;
  c.incomplete_spans_reported = 0;
  c.root_spans_off_main_thread.reset();
  c.context_checks_failed = 0;
  c.spans_rejected_by_collector = 0;
}

void set_log_handler(LogHandler handler) {
  detail::LogState& state = detail::log_state();
  std::lock_guard<std::mutex> lock(state.mutex);
  state.handler = std::move(handler);
}

}  // namespace weft
