// The process pool: one I/O thread in this process hands tasks to idle workers and collects
// their results; each worker is a weft::fork_process() child running a read-run-reply loop.
#include "weft/process_pool.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "diagnostics/log.h"
#include "process/frame_io.h"
#include "runtime/fork_hooks.h"
#include "weft/process.h"
#include "weft/propagation.h"
#include "weft/provider.h"
#include "weft/thread_name.h"

namespace weft {
namespace detail {
namespace {

constexpr int kPollIntervalMs = 100;

// Every pool's worker sockets in this process: the parent ends, and both ends of a worker being
// started. A new worker closes them all but its own end: a worker holding a sibling's socket would
// keep that sibling from seeing its pool go away. The lock is never held across a fork, and every
// fork takes it first (a fork stage), so no child, whichever thread forked, starts with it held or
// with the set half changed.
struct PoolDescriptors {
  std::mutex mutex;
  std::set<int> fds;
};

void lock_pool_descriptors_for_fork() noexcept;
void unlock_pool_descriptors_after_fork() noexcept;

PoolDescriptors& pool_descriptors() {
  static PoolDescriptors* const instance = [] {
    auto* created = new PoolDescriptors();  // never destroyed: pools may end during exit
    install_fork_handlers(ForkStage::kProcessPools,
                          {&lock_pool_descriptors_for_fork, &unlock_pool_descriptors_after_fork,
                           &unlock_pool_descriptors_after_fork});
    return created;
  }();
  return *instance;
}

void lock_pool_descriptors_for_fork() noexcept { pool_descriptors().mutex.lock(); }
void unlock_pool_descriptors_after_fork() noexcept { pool_descriptors().mutex.unlock(); }

// A worker's socket pair, both ends listed as they are made: a worker another pool forks meanwhile
// closes them too. Takes no other lock while it holds the list's (log after it returns).
bool make_listed_socket_pair(PoolDescriptors& descriptors, int ends[2]) noexcept {
  std::lock_guard<std::mutex> lock(descriptors.mutex);
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, ends) != 0) return false;
  try {
    descriptors.fds.insert(ends[0]);
    descriptors.fds.insert(ends[1]);
    return true;
  } catch (...) {
    descriptors.fds.erase(ends[0]);
    ::close(ends[0]);
    ::close(ends[1]);
    return false;
  }
}

// A task on the wire: id, invoker, function, context, then the encoded arguments.
std::string encode_task(std::uint64_t id, const EncodedTask& task) {
  ByteWriter out;
  encode(out, id);
  encode(out, reinterpret_cast<std::uintptr_t>(task.invoker));
  encode(out, reinterpret_cast<std::uintptr_t>(task.function));
  encode(out, format_traceparent(task.context.span_context()));
  encode(out, task.context.span_context().trace_state.to_header());
  encode(out, task.context.baggage().to_header());
  out.append(task.arguments.data(), task.arguments.size());
  return std::move(out.bytes());
}

Context decode_context(ByteReader& in) {
  const std::string traceparent = decode<std::string>(in);
  const std::string trace_state = decode<std::string>(in);
  const std::string baggage = decode<std::string>(in);
  Context context;
  if (std::optional<SpanContext> parent = parse_traceparent(traceparent)) {
    if (auto state = TraceState::parse(trace_state)) parent->trace_state = std::move(*state);
    context = context.with_span(std::move(*parent));
  }
  if (!baggage.empty()) context = context.with_baggage(Baggage::parse(baggage));
  return context;
}

std::string encode_reply(std::uint64_t id, bool ok, const std::string& body) {
  ByteWriter out;
  encode(out, id);
  encode(out, static_cast<std::uint8_t>(ok));
  out.append(body.data(), body.size());
  return std::move(out.bytes());
}

// The worker's whole life: run tasks until the pool closes the socket.
[[noreturn]] void serve_tasks(int fd, std::size_t index) {
  set_thread_name("process-worker-" + std::to_string(index + 1));
  std::string frame;
  while (read_frame(fd, frame)) {
    ByteReader in(frame);
    std::uint64_t id = 0;
    std::string reply;
    try {
      id = decode<std::uint64_t>(in);
      auto invoker = reinterpret_cast<TaskInvoker>(decode<std::uintptr_t>(in));
      auto* function = reinterpret_cast<void*>(decode<std::uintptr_t>(in));
      Scope scope(decode_context(in));  // the submitter's context, for this task only
      ByteWriter result;
      invoker(function, in, result);
      reply = encode_reply(id, true, result.bytes());
    } catch (const std::exception& error) {
      reply = encode_reply(id, false, error.what());
    } catch (...) {
      reply = encode_reply(id, false, "the task threw a non-standard exception");
    }
    if (!write_frame(fd, reply)) break;
  }
  global_provider().force_flush();
  _exit(0);  // never run the parent's exit handlers in a copy of it
}

}  // namespace

class ProcessPoolCore {
 public:
  explicit ProcessPoolCore(std::size_t count) {
    int wake[2];
    if (pipe2(wake, O_CLOEXEC | O_NONBLOCK) == 0) {
      wake_read_ = wake[0];
      wake_write_ = wake[1];
    }
    workers_.resize(std::max<std::size_t>(1, count));
    for (std::size_t i = 0; i < workers_.size(); ++i) start_worker(i);
    io_thread_ = std::thread([this] { run(); });
  }

  ~ProcessPoolCore() {
    shutdown();
    ::close(wake_read_);
    ::close(wake_write_);
  }

  void enqueue(EncodedTask task) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (stopping_) {
        task.complete(nullptr, std::make_exception_ptr(std::runtime_error(
                                   "weft::ProcessPool: task submitted after shutdown")));
        return;
      }
      queue_.emplace_back(next_task_id_++, std::move(task));
    }
    wake();
  }

  void shutdown() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (stopping_ && !io_thread_.joinable()) return;
      stopping_ = true;
    }
    wake();
    if (io_thread_.joinable()) io_thread_.join();
  }

  std::size_t size() const noexcept { return workers_.size(); }
  std::size_t replaced() const noexcept { return replaced_.load(); }

 private:
  struct Worker {
    ChildProcess process;
    int fd = -1;
    std::optional<std::uint64_t> task;  // the task it is running
  };
  using Queued = std::pair<std::uint64_t, EncodedTask>;

  void wake() {
    const char byte = 1;
    [[maybe_unused]] const ssize_t written = ::write(wake_write_, &byte, 1);
  }

  void start_worker(std::size_t index) {
    PoolDescriptors& descriptors = pool_descriptors();
    int ends[2];
    if (!make_listed_socket_pair(descriptors, ends)) {
      log_error("weft::ProcessPool: cannot create a worker socket");
      return;
    }
    ChildProcess child = fork_process();
    if (child.in_child()) {
      {
        std::lock_guard<std::mutex> lock(descriptors.mutex);
        for (int fd : descriptors.fds) {
          if (fd != ends[1]) ::close(fd);
        }
        descriptors.fds.clear();
      }  // a task may start a pool of its own
      serve_tasks(ends[1], index);
    }
    {
      // Closed under the lock, as in stop_worker().
      std::lock_guard<std::mutex> lock(descriptors.mutex);
      descriptors.fds.erase(ends[1]);
      ::close(ends[1]);
      if (child.pid() < 0) {
        descriptors.fds.erase(ends[0]);
        ::close(ends[0]);
      }
    }
    if (child.pid() < 0) {
      log_error("weft::ProcessPool: cannot fork a worker process");
      return;
    }
    workers_[index].process = std::move(child);
    workers_[index].fd = ends[0];
    workers_[index].task.reset();
  }

  void stop_worker(Worker& worker) {
    if (worker.fd < 0) return;
    {
      // Closed under the lock: a worker forked meanwhile sees it either listed or closed.
      std::lock_guard<std::mutex> lock(pool_descriptors().mutex);
      pool_descriptors().fds.erase(worker.fd);
      ::close(worker.fd);
    }
    worker.fd = -1;
  }

  void run() {
    for (;;) {
      dispatch();
      if (finished()) break;
      std::vector<pollfd> watched{pollfd{wake_read_, POLLIN, 0}};
      for (const Worker& worker : workers_) watched.push_back(pollfd{worker.fd, POLLIN, 0});
      ::poll(watched.data(), watched.size(), kPollIntervalMs);
      char discard[64];
      while (::read(wake_read_, discard, sizeof discard) > 0) {
      }
      for (std::size_t i = 0; i < workers_.size(); ++i) {
        if (watched[i + 1].revents != 0) collect(i);
      }
    }
    for (Worker& worker : workers_) {
      stop_worker(worker);  // end of file: the worker flushes and leaves
      worker.process.wait();
    }
  }

  // Hands queued tasks to idle workers, taking turns so that the work spreads over the workers.
  void dispatch() {
    for (std::size_t step = 0; step < workers_.size(); ++step) {
      const std::size_t i = (next_worker_ + step) % workers_.size();
      Worker& worker = workers_[i];
      if (worker.fd < 0 || worker.task) continue;
      Queued next;
      {
        std::lock_guard<std::mutex> lock(mutex_);
        if (queue_.empty()) return;
        next = std::move(queue_.front());
        queue_.pop_front();
      }
      const std::string frame = encode_task(next.first, next.second);
      next_worker_ = i + 1;
      worker.task = next.first;
      in_flight_.emplace(next.first, std::move(next.second));
      if (!write_frame(worker.fd, frame)) collect(i);  // it died: fail the task, replace it
    }
  }

  bool finished() {
    std::lock_guard<std::mutex> lock(mutex_);
    return stopping_ && queue_.empty() && in_flight_.empty();  // in_flight_: this thread's own
  }

  // A result from worker `index`, or its death.
  void collect(std::size_t index) {
    Worker& worker = workers_[index];
    std::string frame;
    if (worker.fd >= 0 && read_frame(worker.fd, frame)) {
      try {
        ByteReader in(frame);
        const auto id = decode<std::uint64_t>(in);
        const bool ok = decode<std::uint8_t>(in) != 0;
        complete(id, in, ok);
      } catch (const std::exception& error) {
        log_error(std::string("weft::ProcessPool: malformed reply from a worker: ") + error.what());
      }
      worker.task.reset();
      return;
    }
    stop_worker(worker);
    const ExitStatus status = worker.process.wait();
    if (worker.task) {
      fail(*worker.task, "weft::ProcessPool: worker process " +
                             std::to_string(worker.process.pid()) + " died (" +
                             status.describe() + ") while running a task");
    }
    ++replaced_;
    start_worker(index);
  }

  void complete(std::uint64_t id, ByteReader& in, bool ok) {
    auto found = in_flight_.find(id);
    if (found == in_flight_.end()) return;
    EncodedTask task = std::move(found->second);
    in_flight_.erase(found);
    if (ok) {
      task.complete(&in, nullptr);
    } else {
      std::string message(in.remaining(), '\0');
      in.read(message.data(), message.size());
      task.complete(nullptr, std::make_exception_ptr(std::runtime_error(message)));
    }
  }

  void fail(std::uint64_t id, const std::string& message) {
    auto found = in_flight_.find(id);
    if (found == in_flight_.end()) return;
    EncodedTask task = std::move(found->second);
    in_flight_.erase(found);
    task.complete(nullptr, std::make_exception_ptr(WorkerDied(message)));
  }

  std::mutex mutex_;
  std::deque<Queued> queue_;        // guarded by mutex_
  bool stopping_ = false;           // guarded by mutex_
  std::uint64_t next_task_id_ = 1;  // guarded by mutex_
  std::map<std::uint64_t, EncodedTask> in_flight_;  // the I/O thread's
  std::vector<Worker> workers_;                     // the I/O thread's after construction
  std::size_t next_worker_ = 0;                     // the I/O thread's
  std::atomic<std::size_t> replaced_{0};
  int wake_read_ = -1;
  int wake_write_ = -1;
  std::thread io_thread_;
};

}  // namespace detail

ProcessPool::ProcessPool(std::size_t workers)
    : core_(std::make_unique<detail::ProcessPoolCore>(workers)) {}
ProcessPool::~ProcessPool() = default;
void ProcessPool::enqueue(detail::EncodedTask task) { core_->enqueue(std::move(task)); }
std::size_t ProcessPool::size() const noexcept { return core_->size(); }
std::size_t ProcessPool::replaced_workers() const noexcept { return core_->replaced(); }
void ProcessPool::shutdown() { core_->shutdown(); }

}  // namespace weft
