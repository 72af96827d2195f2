// Turns an OTLP protobuf ExportTraceServiceRequest into its OTLP/JSON form (hex ids, 64-bit
// integers as strings, enums as numbers): what `weft collect` stores, so that protobuf and JSON
// senders end up in the same file format as weft's file exporter.
//
// It is weft's own table-driven decoder rather than libprotobuf: weft needs no generated code or
// runtime library for it, the JSON it writes is exactly OTLP/JSON (libprotobuf's JSON mapping
// would write ids as base64), and the tests check it against libprotobuf's encoding.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace weft::cli {

// The JSON request, or nullopt with `error` set when the body is not a valid request.
std::optional<nlohmann::json> otlp_proto_request_to_json(std::string_view body, std::string& error);

}  // namespace weft::cli
