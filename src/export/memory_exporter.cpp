// The in-memory exporter: keeps copies of exported spans, for tests.
#include "weft/exporter.h"

namespace weft {

std::vector<SpanData> InMemorySpans::spans() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return spans_;
}

void InMemorySpans::clear() {
  std::lock_guard<std::mutex> lock(mutex_);
  spans_.clear();
}

void InMemorySpans::add(const SpanData& span) {
  std::lock_guard<std::mutex> lock(mutex_);
  spans_.push_back(span);
}

namespace {

class MemoryExporter final : public SpanExporter {
 public:
  explicit MemoryExporter(std::shared_ptr<InMemorySpans> store) : store_(std::move(store)) {}

  ExportResult export_spans(const std::vector<const SpanData*>& spans) noexcept override {
    try {
      for (const SpanData* span : spans) store_->add(*span);
      return ExportResult::kSuccess;
    } catch (...) {
      return ExportResult::kFailure;
    }
  }

 private:
  std::shared_ptr<InMemorySpans> store_;
};

}  // namespace

std::unique_ptr<SpanExporter> make_memory_exporter(std::shared_ptr<InMemorySpans> store) {
  return std::make_unique<MemoryExporter>(std::move(store));
}

}  // namespace weft
