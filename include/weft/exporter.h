// Exporters write finished spans somewhere. weft has a console exporter (one readable block per
// span), an OTLP/JSON lines file exporter (the format of the OpenTelemetry Collector's file
// exporter, read by `weft view`), and an in-memory exporter for tests.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <ostream>
#include <string>
#include <vector>

#include "weft/span_data.h"

namespace weft {

enum class ExportResult { kSuccess, kFailure };

class SpanExporter {
 public:
  virtual ~SpanExporter() = default;
  // Called by one thread at a time. The spans stay valid only during the call.
  virtual ExportResult export_spans(const std::vector<const SpanData*>& spans) noexcept = 0;
  virtual bool force_flush(std::chrono::milliseconds /*timeout*/) noexcept { return true; }
  virtual bool shutdown(std::chrono::milliseconds /*timeout*/) noexcept { return true; }
};

// Writes to `out` (std::cout by default), which must outlive the exporter.
std::unique_ptr<SpanExporter> make_console_exporter(std::ostream* out = nullptr);

// Appends one OTLP/JSON ExportTraceServiceRequest per export call, one per line, to `path`.
// Returns nullptr and sets `error` when the file cannot be opened.
std::unique_ptr<SpanExporter> make_file_exporter(const std::string& path,
                                                 std::string* error = nullptr);

// Collects copies of exported spans in memory.
class InMemorySpans {
 public:
  std::vector<SpanData> spans() const;
  void clear();
  void add(const SpanData& span);

 private:
  mutable std::mutex mutex_;
  std::vector<SpanData> spans_;
};
std::unique_ptr<SpanExporter> make_memory_exporter(std::shared_ptr<InMemorySpans> store);

}  // namespace weft
