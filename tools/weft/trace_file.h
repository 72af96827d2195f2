// Reading OTLP/JSON lines files (weft's file exporter, the OpenTelemetry Collector's file
// exporter) into plain span records. Lines are read one at a time; a malformed line is reported
// with its number and skipped.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace weft::cli {

struct ViewedSpan {
  std::string trace_id;   // lowercase hex
  std::string span_id;
  std::string parent_span_id;  // empty for a root
  std::string name;
  int kind = 0;
  std::uint64_t start_ns = 0;
  std::uint64_t end_ns = 0;
  std::vector<std::pair<std::string, std::string>> attributes;  // values as display text
  std::vector<std::pair<std::string, std::string>> events;      // name, attributes as text
  int status_code = 0;
  std::string status_message;
  std::string service_name;
  std::string process_id;  // resource process.pid, or empty

  std::string attribute(const std::string& key) const;
};

struct TraceFile {
  std::vector<ViewedSpan> spans;
  std::vector<std::string> problems;  // "FILE:LINE: reason"
  bool unreadable = false;            // some file could not be opened
};

// Reads every file into one TraceFile.
TraceFile read_trace_files(const std::vector<std::string>& paths);

}  // namespace weft::cli
