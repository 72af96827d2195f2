// Waiting for a child, and what its span records when it ends.
#include <signal.h>
#include <sys/wait.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "process/relay_hub.h"
#include "process/signal_name.h"
#include "weft/process.h"

namespace weft {

std::string ExitStatus::describe() const {
  if (signal != 0) return "killed by " + detail::signal_name(signal);
  return "exit code " + std::to_string(exit_code);
}

ExitStatus ExitStatus::from_wait_status(int status) noexcept {
  ExitStatus result;
  if (WIFSIGNALED(status)) {
    result.signal = WTERMSIG(status);
  } else if (WIFEXITED(status)) {
    result.exit_code = WEXITSTATUS(status);
  }
  return result;
}

ChildProcess::ChildProcess(ChildProcess&& other) noexcept
    : pid_(std::exchange(other.pid_, 0)),
      in_child_(std::exchange(other.in_child_, false)),
      relay_channel_(std::exchange(other.relay_channel_, 0)),
      status_(std::move(other.status_)),
      span_(std::move(other.span_)) {}

ChildProcess& ChildProcess::operator=(ChildProcess&& other) noexcept {
  if (this != &other) {
    pid_ = std::exchange(other.pid_, 0);
    in_child_ = std::exchange(other.in_child_, false);
    relay_channel_ = std::exchange(other.relay_channel_, 0);
    status_ = std::move(other.status_);
    span_ = std::move(other.span_);
  }
  return *this;
}

ChildProcess::~ChildProcess() = default;  // the span, if still open, ends without a status

ExitStatus ChildProcess::wait() {
  if (status_ || pid_ <= 0) return status_.value_or(ExitStatus{});
  int status = 0;
  pid_t reaped = 0;
  do {
    reaped = ::waitpid(pid_, &status, 0);
  } while (reaped < 0 && errno == EINTR);
  // ECHILD: reaped elsewhere, so it has ended (with SIGCHLD ignored, waitpid returns that only
  // once the child is gone); its status is unknown.
  finish(reaped == pid_ ? std::optional<int>(status) : std::nullopt);
  return *status_;
}

std::optional<ExitStatus> ChildProcess::try_wait() {
  if (status_ || pid_ <= 0) return status_;
  int status = 0;
  const pid_t reaped = ::waitpid(pid_, &status, WNOHANG);
  if (reaped == pid_) {
    finish(status);
  } else if (reaped < 0 && errno == ECHILD) {
    finish(std::nullopt);  // reaped elsewhere, as in wait()
  }
  return status_;
}

bool ChildProcess::kill(int signal_number) noexcept {
  return pid_ > 0 && !status_ && ::kill(pid_, signal_number) == 0;
}

void ChildProcess::finish(std::optional<int> wait_status) {
  status_ = wait_status ? ExitStatus::from_wait_status(*wait_status) : ExitStatus{};
  // The child's spans first, so they are queued for export before this call returns.
  if (relay_channel_ != 0) detail::settle_relay_channel(relay_channel_, wait_status);
  if (!wait_status) {
    span_.end();  // no status to record
    return;
  }
  if (span_.is_recording()) {
    if (status_->signal != 0) {
      span_.set_attribute("weft.process.signal", detail::signal_name(status_->signal));
    } else {
      span_.set_attribute("process.exit.code", status_->exit_code);
    }
    if (!status_->success()) span_.set_status(StatusCode::kError, status_->describe());
  }
  span_.end();
}

}  // namespace weft
