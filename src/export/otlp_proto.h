// Encodes spans as one OTLP protobuf ExportTraceServiceRequest (opentelemetry/proto/collector/
// trace/v1), written by hand for speed: ids as raw bytes, timestamps as fixed64, spans grouped by
// resource and then by instrumentation scope in the order each group first appears.
//
//   OtlpProtoEncoder encoder;            // keep it: its scratch space is reused
//   std::string body;                    // keep it too: its capacity is reused
//   body.clear();
//   encoder.append_request(body, spans);
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "weft/span_data.h"

namespace weft::detail {

class OtlpProtoEncoder {
 public:
  void append_request(std::string& out, const std::vector<const SpanData*>& spans);

 private:
  // The spans of one (resource, scope) pair, as a linked list through next_in_group_.
  struct Group {
    const Resource* resource;
    const InstrumentationScope* scope;
    std::uint32_t first;
    std::uint32_t last;
  };
  void group_spans(const std::vector<const SpanData*>& spans);

  std::vector<Group> groups_;
  std::vector<std::uint32_t> next_in_group_;
};

}  // namespace weft::detail
