// An exporter that can make a new one like itself for a fork()ed child. The child's copy of an
// exporter that was mid-export at the fork is unusable (the call's thread does not exist there), so
// without this fork() has to wait for the export to end, up to seconds while a collector is slow.
// The batch processor does not wait for such an exporter: a child forked mid-export gets a new one.
#pragma once

#include <memory>

#include "weft/exporter.h"

namespace weft::detail {

class FreshInChild {
 public:
  // Called in the child, before its export thread starts; reads only what the exporter was made
  // with (not its state, which the fork may have caught half changed).
  virtual std::unique_ptr<SpanExporter> make_for_child() const = 0;

 protected:
  ~FreshInChild() = default;
};

inline const FreshInChild* fresh_in_child(const SpanExporter* exporter) noexcept {
  return dynamic_cast<const FreshInChild*>(exporter);
}

}  // namespace weft::detail
