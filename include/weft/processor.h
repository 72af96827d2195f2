// Span processors receive every span when it ends and pass it on to an exporter: the simple
// processor exports at once on the ending thread; the batch processor hands spans to a background
// thread through per-thread queues, so ending a span never takes a lock or waits.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>

#include "weft/context.h"
#include "weft/exporter.h"
#include "weft/span_data.h"

namespace weft {

namespace detail {
// Returns a finished span's storage for reuse (spans are recycled, not freed).
struct SpanRecycler {
  void operator()(SpanData* span) const noexcept;
};
}  // namespace detail

// A finished span, owned by whoever holds it.
using FinishedSpan = std::unique_ptr<SpanData, detail::SpanRecycler>;

class SpanProcessor {
 public:
  virtual ~SpanProcessor() = default;
  // Called on the thread that started the span; the span is still being recorded.
  virtual void on_start(SpanData& /*span*/, const Context& /*parent*/) noexcept {}
  // Called on the thread that ended the span; must not block.
  virtual void on_end(FinishedSpan span) noexcept = 0;
  // Both return false when `timeout` passed before they were done; neither waits longer.
  virtual bool force_flush(std::chrono::milliseconds timeout) noexcept = 0;
  virtual bool shutdown(std::chrono::milliseconds timeout) noexcept = 0;
};

std::unique_ptr<SpanProcessor> make_simple_processor(std::unique_ptr<SpanExporter> exporter);

// Defaults are OpenTelemetry's; OTEL_BSP_* set them for processors built from configuration.
struct BatchOptions {
  // Spans that may wait for export per producing thread (at most 65,536: a queued plain span takes
  // 112 bytes, one with attributes and events a few times that). A thread's queue starts small
  // (64 slots) and grows with its backlog up to this (its memory, briefly, up to twice this while
  // an old part of it drains); a span ended when its thread's queue is full is dropped and counted
  // (Diagnostics::spans_dropped_queue_full).
  std::size_t max_queue_size = 2048;
  std::chrono::milliseconds schedule_delay{5000};   // export at least this often
  std::size_t max_export_batch_size = 512;          // and as soon as this many are waiting
  // Bound for one export call. weft's OTLP exporter keeps to it (when shorter than its own
  // timeout); an exporter of the application's cannot be stopped from outside and takes its time.
  std::chrono::milliseconds export_timeout{30000};
};

std::unique_ptr<SpanProcessor> make_batch_processor(std::unique_ptr<SpanExporter> exporter,
                                                    BatchOptions options = {});

}  // namespace weft
