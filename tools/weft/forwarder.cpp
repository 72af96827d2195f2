#include "forwarder.h"

#include <utility>

namespace weft::cli {
namespace {

// Enough for bursts from many exporters; beyond it requests are counted as not forwarded rather
// than held in memory without bound.
constexpr std::size_t kMaxQueuedRequests = 256;
constexpr std::size_t kMaxQueuedBytes = 256 * 1024 * 1024;

}  // namespace

Forwarder::Forwarder(std::string url, std::chrono::milliseconds timeout)
    : url_(std::move(url)), timeout_(timeout), thread_([this] { run(); }) {}

Forwarder::~Forwarder() { stop(); }

bool Forwarder::enqueue(std::string body, std::string content_type) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopping_ || queue_.size() >= kMaxQueuedRequests ||
        queued_bytes_ + body.size() > kMaxQueuedBytes) {
      ++failures_;
      return false;
    }
    queued_bytes_ += body.size();
    queue_.push_back(Pending{std::move(body), std::move(content_type)});
  }
  wake_.notify_all();
  return true;
}

std::uint64_t Forwarder::stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopping_ && !thread_.joinable()) return failures_;
    stopping_ = true;
  }
  wake_.notify_all();
  // What is queued gets one timeout in all; then the request in progress is cancelled.
  std::unique_lock<std::mutex> lock(mutex_);
  const bool drained = wake_.wait_for(lock, timeout_, [this] { return queue_.empty(); });
  if (!drained) cancel_.store(true);
  lock.unlock();
  if (thread_.joinable()) thread_.join();
  lock.lock();
  failures_ += queue_.size();  // left when the time ran out
  queue_.clear();
  queued_bytes_ = 0;
  return failures_;
}

std::uint64_t Forwarder::failures() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return failures_;
}

void Forwarder::run() {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (queue_.empty() || cancel_.load()) return;  // stopping, with nothing (more) to send
    const Pending pending = std::move(queue_.front());
    lock.unlock();
    const bool sent = send(pending);
    lock.lock();
    queued_bytes_ -= pending.body.size();
    queue_.pop_front();
    if (!sent) ++failures_;
    if (queue_.empty()) wake_.notify_all();  // stop() waits for this
  }
}

bool Forwarder::send(const Pending& pending) {
  if (!transport_) transport_ = detail::make_curl_transport();
  if (!transport_) return false;
  detail::HttpRequest request;
  request.url = url_;
  request.headers = {{"Content-Type", pending.content_type}};
  request.body = &pending.body;
  const detail::HttpResponse response = transport_->post(request, timeout_, cancel_);
  return response.status >= 200 && response.status < 300;
}

}  // namespace weft::cli
