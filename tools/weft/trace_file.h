// Reading OTLP/JSON lines files into plain span records.
//
// Each line of such a file is one ExportTraceServiceRequest in the OTLP/JSON encoding, as weft's
// file exporter and the OpenTelemetry Collector's `file` exporter write them. Files are read one
// line at a time, so their size is bounded only by the spans they hold. A malformed line is
// reported as "FILE:LINE: reason" and skipped as a whole; the other lines are kept.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <istream>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace weft::cli {

// Attributes as key and display text ("200", "true", "[1, 2]"), in the order of the file.
using Attributes = std::vector<std::pair<std::string, std::string>>;

// The value of `key`, or nullptr when there is no such attribute.
const std::string* find_attribute(const Attributes& attributes, std::string_view key);

struct SpanEvent {
  std::string name;
  std::uint64_t time_ns = 0;
  Attributes attributes;
};

struct SpanLink {
  std::string trace_id;  // lowercase hex, like every id here
  std::string span_id;
  Attributes attributes;
};

// OTLP's enum values (SpanKind, Status.code).
enum SpanKindValue : int {
  kKindUnspecified,
  kKindInternal,
  kKindServer,
  kKindClient,
  kKindProducer,
  kKindConsumer
};
enum StatusCodeValue : int { kStatusUnset, kStatusOk, kStatusError };

struct SpanRecord {
  std::string trace_id;        // 32 lowercase hex digits
  std::string span_id;         // 16 lowercase hex digits
  std::string parent_span_id;  // empty for a root
  std::string name;
  int kind = kKindUnspecified;  // open enum: unknown numbers are kept
  std::uint64_t start_ns = 0;   // Unix time; 0 when the file did not say
  std::uint64_t end_ns = 0;
  std::uint32_t flags = 0;
  Attributes attributes;
  std::vector<SpanEvent> events;
  std::vector<SpanLink> links;
  int status_code = kStatusUnset;
  std::string status_message;
  // The resource (service.name, process.pid, host.name, ...), shared by the spans of one
  // resourceSpans entry. Never null.
  std::shared_ptr<const Attributes> resource;
  std::string scope_name;
  std::string location;  // "FILE:LINE" the span was read from, for messages about it
  // Which request (line) of the input the span came in, counted across every file read: spans of
  // one request share it, and a span read again from another request was delivered again.
  std::size_t request = 0;

  // The value of a span attribute, or "" when there is none.
  std::string attribute(std::string_view key) const;
  // The value of a resource attribute, or "" when there is none.
  std::string resource_attribute(std::string_view key) const;
  // Back to a default record, keeping the memory of its strings and lists for the next span
  // read into it (the readers reuse records: allocating them was a tenth of weft check's time).
  void clear();
};

// What reading some files gave: the good spans, and what was wrong with the rest.
struct TraceFileContents {
  std::vector<SpanRecord> spans;  // in file order
  // "FILE:LINE: reason" per malformed line (at most kMaxListedProblems per file, then one line
  // saying how many more there were), and "FILE: reason" per file that could not be read.
  std::vector<std::string> problems;
  std::size_t malformed_lines = 0;
  std::size_t requests = 0;  // well-formed lines read
  bool unreadable = false;   // some file could not be opened or read
};

// A binary file read by mistake would otherwise give one problem per "line".
inline constexpr std::size_t kMaxListedProblems = 20;

// Reads OTLP/JSON lines from `input`, named `name` in locations and problems.
void read_trace_stream(std::istream& input, const std::string& name, TraceFileContents& contents);

// Reads every file, in order, into one TraceFileContents.
TraceFileContents read_trace_files(const std::vector<std::string>& paths);

// The streaming forms, for commands whose memory must not grow with the files: each span of a
// well-formed line goes to `on_span` as soon as its line is read, and is not kept;
// `contents.spans` stays empty while problems are recorded as above.
using SpanSink = std::function<void(SpanRecord&& span)>;
void stream_trace_stream(std::istream& input, const std::string& name, const SpanSink& on_span,
                         TraceFileContents& contents);
void stream_trace_files(const std::vector<std::string>& paths, const SpanSink& on_span,
                        TraceFileContents& contents);

}  // namespace weft::cli
