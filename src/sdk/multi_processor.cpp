#include "sdk/multi_processor.h"

#include <chrono>

#include "runtime/deadline.h"
#include "sdk/builtin_processor.h"
#include "trace/record_pool.h"

namespace weft::detail {
namespace {

class MultiProcessor final : public BuiltinProcessor {
 public:
  explicit MultiProcessor(std::vector<std::shared_ptr<SpanProcessor>> processors)
      : processors_(std::move(processors)) {}

  void on_start(SpanData& span, const Context& parent) noexcept override {
    for (auto& processor : processors_) processor->on_start(span, parent);
  }

  void on_end(FinishedSpan span) noexcept override {
    for (std::size_t i = 0; i + 1 < processors_.size(); ++i) {
      SpanRecord* copy = nullptr;
      try {
        copy = acquire_record();
        static_cast<SpanData&>(*copy) = *span;
        const auto& original = static_cast<const SpanRecord&>(*span);
        copy->tracer = original.tracer;
        copy->owner_pid = original.owner_pid;
        copy->thread_name_serial = original.thread_name_serial;
        processors_[i]->on_end(FinishedSpan(copy));
      } catch (...) {
        // Out of memory: this processor misses the span; the others still get it.
        if (copy != nullptr) {
          copy->thread_name_serial = 0;  // its name may be half copied
          recycle_record(copy);
        }
      }
    }
    processors_.back()->on_end(std::move(span));
  }

  bool force_flush(std::chrono::milliseconds timeout) noexcept override {
    const Deadline deadline(timeout);
    bool all = true;
    for (auto& processor : processors_) all = processor->force_flush(deadline.remaining()) && all;
    return all;
  }

  bool shutdown(std::chrono::milliseconds timeout) noexcept override {
    const Deadline deadline(timeout);
    bool all = true;
    for (auto& processor : processors_) all = processor->shutdown(deadline.remaining()) && all;
    return all;
  }

 private:

  std::vector<std::shared_ptr<SpanProcessor>> processors_;
};

}  // namespace

std::shared_ptr<SpanProcessor> combine_processors(
    std::vector<std::shared_ptr<SpanProcessor>> processors) {
  if (processors.empty()) return nullptr;
  if (processors.size() == 1) return processors.front();
  return std::make_shared<MultiProcessor>(std::move(processors));
}

}  // namespace weft::detail
