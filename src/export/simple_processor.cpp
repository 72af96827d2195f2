// The simple processor exports each span as it ends, on the ending thread (for tests, debugging
// and exporters that are cheap). Exports are serialized: exporters see one call at a time.
#include <mutex>

#include "diagnostics/counters.h"
#include "sdk/builtin_processor.h"
#include "weft/processor.h"

namespace weft {
namespace {

class SimpleProcessor final : public detail::BuiltinProcessor {
 public:
  explicit SimpleProcessor(std::unique_ptr<SpanExporter> exporter)
      : exporter_(std::move(exporter)) {}

  void on_end(FinishedSpan span) noexcept override {
    if (!span->context.is_sampled()) return;
    std::lock_guard<std::mutex> lock(mutex_);
    if (shut_down_) {
      detail::count(detail::counters().spans_dropped_after_shutdown);
      return;
    }
    batch_.assign(1, span.get());
    const ExportResult result = exporter_->export_spans(batch_);
    detail::Counters& counters = detail::counters();
    detail::count(result == ExportResult::kSuccess ? counters.spans_exported
                                                   : counters.spans_export_failed);
  }

  bool force_flush(std::chrono::milliseconds timeout) noexcept override {
    std::lock_guard<std::mutex> lock(mutex_);
    return exporter_->force_flush(timeout);
  }

  bool shutdown(std::chrono::milliseconds timeout) noexcept override {
    std::lock_guard<std::mutex> lock(mutex_);
    if (shut_down_) return true;
    shut_down_ = true;
    return exporter_->shutdown(timeout);
  }

 private:
  std::mutex mutex_;
  std::unique_ptr<SpanExporter> exporter_;
  std::vector<const SpanData*> batch_;
  bool shut_down_ = false;
};

}  // namespace

std::unique_ptr<SpanProcessor> make_simple_processor(std::unique_ptr<SpanExporter> exporter) {
  return std::make_unique<SimpleProcessor>(std::move(exporter));
}

}  // namespace weft
