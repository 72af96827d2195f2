// What an exporter may be told when the batch processor drains its queues for the last time
// (shutdown, including the one at exit). The OTLP exporter uses it to stop a collector that is
// down from holding the program's exit for one export timeout per queued batch.
#pragma once

#include "weft/exporter.h"

namespace weft::detail {

class FinalDrainAware {
 public:
  virtual void begin_final_drain() noexcept = 0;

 protected:
  ~FinalDrainAware() = default;
};

// Tells `exporter` the final drain begins, if it wants to know.
inline void begin_final_drain(SpanExporter* exporter) noexcept {
  if (auto* aware = dynamic_cast<FinalDrainAware*>(exporter)) aware->begin_final_drain();
}

}  // namespace weft::detail
