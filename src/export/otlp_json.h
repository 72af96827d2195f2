// Encodes spans as one OTLP/JSON ExportTraceServiceRequest (the OTLP specification's JSON
// encoding: lowerCamelCase names, hex ids, 64-bit integers as strings, enums as integers). Spans
// are grouped by resource, then by instrumentation scope.
#pragma once

#include <string>
#include <vector>

#include "weft/span_data.h"

namespace weft::detail {

void append_otlp_json_request(std::string& out, const std::vector<const SpanData*>& spans);

// OTLP's Span.flags: the W3C trace flags in bits 0-7, and whether the parent (or a link's
// context) is remote in bits 8 and 9.
std::uint32_t otlp_span_flags(TraceFlags flags, bool remote_known, bool is_remote) noexcept;

}  // namespace weft::detail
