// The OTLP/HTTP exporter: sends spans to an OpenTelemetry Collector (or any OTLP/HTTP receiver,
// such as `weft collect`) as protobuf (the default) or JSON, optionally gzip-compressed. It runs on
// the batch processor's export thread only: a slow or missing collector costs the application
// nothing but the spans that no longer fit the queue, and those are counted.
//
//   weft::Options options;
//   options.exporter = "otlp";                                 // or OTEL_TRACES_EXPORTER=otlp
//   weft::OtlpHttpOptions otlp;
//   otlp.endpoint = "http://collector:4318/v1/traces";        // or OTEL_EXPORTER_OTLP_ENDPOINT
//   options.otlp = otlp;
//   weft::set_global_provider(weft::TracerProvider::create(std::move(options)));
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "weft/exporter.h"

namespace weft {

enum class OtlpProtocol { kHttpProtobuf, kHttpJson };

// Each field names the variable that sets it when weft is configured from the environment; the
// OTEL_EXPORTER_OTLP_TRACES_* form of a variable wins over the OTEL_EXPORTER_OTLP_* one.
struct OtlpHttpOptions {
  // The full URL spans are posted to. OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is used as is;
  // OTEL_EXPORTER_OTLP_ENDPOINT is a base URL that gets "/v1/traces" appended.
  std::string endpoint = "http://localhost:4318/v1/traces";
  OtlpProtocol protocol = OtlpProtocol::kHttpProtobuf;       // _PROTOCOL
  std::vector<std::pair<std::string, std::string>> headers;  // _HEADERS
  std::chrono::milliseconds timeout{10000};  // _TIMEOUT: one export, retries included
  bool gzip = false;                         // _COMPRESSION=gzip
  std::string certificate_file;              // _CERTIFICATE (CA bundle, PEM)
  std::string client_certificate_file;       // _CLIENT_CERTIFICATE
  std::string client_key_file;               // _CLIENT_KEY
  // Retries on 429, 502, 503, 504 and on connection failures: exponential backoff with jitter,
  // or the server's Retry-After when that is longer, never past `timeout`.
  std::chrono::milliseconds initial_backoff{1000};
  std::chrono::milliseconds max_backoff{5000};
};

std::unique_ptr<SpanExporter> make_otlp_http_exporter(OtlpHttpOptions options);

}  // namespace weft
