// weft collect --forward: accepted requests are passed on to an upstream collector by a thread of
// their own, so an upstream that is slow or silent never holds up the local receiver's answers
// (the request is already in the file when it is queued). The queue is bounded; what does not fit,
// and what the upstream refuses or never answers, is counted and reported.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "export/http_transport.h"

namespace weft::cli {

class Forwarder {
 public:
  // `url` is the upstream's full /v1/traces URL.
  explicit Forwarder(std::string url, std::chrono::milliseconds timeout = std::chrono::seconds(10));
  ~Forwarder();  // stop() if not done
  Forwarder(const Forwarder&) = delete;
  Forwarder& operator=(const Forwarder&) = delete;

  // Queues a request body to send as it came; false (counted as not forwarded) if the queue is
  // full.
  bool enqueue(std::string body, std::string content_type);
  // Sends what is queued, for at most one timeout more, then stops; returns how many requests were
  // not forwarded (refused, unanswered, or dropped from a full queue) in all.
  std::uint64_t stop();
  std::uint64_t failures() const;

 private:
  struct Pending {
    std::string body;
    std::string content_type;
  };
  void run();
  bool send(const Pending& pending);

  const std::string url_;
  const std::chrono::milliseconds timeout_;
  std::unique_ptr<detail::HttpTransport> transport_;  // the sending thread's
  std::atomic<bool> cancel_{false};
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Pending> queue_;
  std::size_t queued_bytes_ = 0;
  bool stopping_ = false;
  std::uint64_t failures_ = 0;
  std::thread thread_;
};

}  // namespace weft::cli
