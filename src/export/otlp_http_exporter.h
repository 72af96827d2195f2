// The OTLP/HTTP exporter with its transport injected, for tests that script the collector's
// answers; make_otlp_http_exporter() passes the libcurl transport.
#pragma once

#include <memory>

#include "export/http_transport.h"
#include "weft/otlp_exporter.h"

namespace weft::detail {

std::unique_ptr<SpanExporter> make_otlp_http_exporter(OtlpHttpOptions options,
                                                      std::unique_ptr<HttpTransport> transport);

// The rejected span count and message of a partial success, from a protobuf or JSON
// ExportTraceServiceResponse; {0, ""} for a full success or an unreadable body.
struct PartialSuccess {
  std::int64_t rejected_spans = 0;
  std::string error_message;
};
PartialSuccess parse_partial_success(std::string_view body, OtlpProtocol protocol);

}  // namespace weft::detail
