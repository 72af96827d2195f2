// What `weft collect` does with one POST /v1/traces body, apart from HTTP: decode it (protobuf or
// JSON), check it as weft view will read it, and turn it into one OTLP/JSON line. Kept apart
// from the server so that its rules are tested directly.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace weft::cli {

struct ReceivedTraces {
  int status = 200;   // 200, or 400 (malformed) / 415 (unsupported content type)
  std::string error;  // why, for a 4xx
  std::string line;   // the request as one OTLP/JSON line, without '\n'; empty: no spans
  std::size_t span_count = 0;
};

// `content_type` is the request's Content-Type header (parameters such as charset are ignored).
ReceivedTraces receive_traces(std::string_view body, std::string_view content_type);

// The media type of a Content-Type header, lowercase and without parameters:
// "Application/JSON; charset=utf-8" is "application/json".
std::string media_type(std::string_view content_type);

// The Content-Type of the answer to a request sent as `content_type`. OTLP/HTTP answers in the
// request's own type; a request of a type that is not OTLP's is answered in protobuf.
std::string response_content_type(std::string_view content_type);

// The answer for a protobuf or JSON sender: an empty ExportTraceServiceResponse on success, and a
// google.rpc.Status-like message on error, in the sender's encoding.
std::string response_body(bool json, const ReceivedTraces& received);

}  // namespace weft::cli
