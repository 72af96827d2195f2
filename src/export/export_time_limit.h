// OTEL_BSP_EXPORT_TIMEOUT: how long one export of a batch may run. An exporter's call cannot be
// stopped from outside, so the batch processor tells an exporter that can end its own exports in
// time (weft's OTLP exporter: its waits for the collector and between retries). Its own timeout
// (OTEL_EXPORTER_OTLP_TIMEOUT) still applies when it is the shorter one. An exporter of the
// application keeps whatever time its call takes.
#pragma once

#include <chrono>

#include "weft/exporter.h"

namespace weft::detail {

class ExportTimeLimitable {
 public:
  // Called once, before the first export.
  virtual void limit_each_export(std::chrono::milliseconds limit) noexcept = 0;

 protected:
  ~ExportTimeLimitable() = default;
};

// Tells `exporter` how long each export may take, if it can keep to it.
inline void limit_each_export(SpanExporter* exporter, std::chrono::milliseconds limit) noexcept {
  if (auto* limitable = dynamic_cast<ExportTimeLimitable*>(exporter)) {
    limitable->limit_each_export(limit);
  }
}

}  // namespace weft::detail
