#include "trace_file.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <optional>

#include "trace_line.h"

namespace weft::cli {
namespace {

bool is_blank(const std::string& line) {
  return line.find_first_not_of(" \t\r\n") == std::string::npos;
}

}  // namespace

const std::string* find_attribute(const Attributes& attributes, std::string_view key) {
  for (const auto& [name, value] : attributes) {
    if (name == key) return &value;
  }
  return nullptr;
}

std::string SpanRecord::attribute(std::string_view key) const {
  const std::string* value = find_attribute(attributes, key);
  return value != nullptr ? *value : std::string();
}

std::string SpanRecord::resource_attribute(std::string_view key) const {
  const std::string* value = resource ? find_attribute(*resource, key) : nullptr;
  return value != nullptr ? *value : std::string();
}

void SpanRecord::clear() {
  trace_id.clear();
  span_id.clear();
  parent_span_id.clear();
  name.clear();
  kind = kKindUnspecified;
  start_ns = 0;
  end_ns = 0;
  flags = 0;
  attributes.clear();
  events.clear();
  links.clear();
  status_code = kStatusUnset;
  status_message.clear();
  resource.reset();
  scope_name.clear();
  location.clear();
  request = 0;
}

constexpr const char* kStandardInput = "<stdin>";

void stream_trace_stream(std::istream& input, const std::string& name, const SpanSink& on_span,
                         TraceFileContents& contents) {
  std::size_t malformed = 0;
  bool looks_pretty_printed = false;  // the first line is a lone "{" or "[", and malformed
  bool first_line = true;
  std::string line;
  std::vector<SpanRecord> line_spans;
  std::vector<SpanRecord> spare;  // the records of earlier lines, for the quick reader to reuse
  for (std::size_t number = 1; std::getline(input, line); ++number) {
    if (is_blank(line)) continue;
    const std::string location = name + ':' + std::to_string(number);
    std::move(line_spans.begin(), line_spans.end(), std::back_inserter(spare));
    line_spans.clear();
    if (const std::optional<LineProblem> problem = read_line(line, location, line_spans, &spare)) {
      ++contents.malformed_lines;
      if (first_line) {
        const auto begin = line.find_first_not_of(" \t\r");
        const auto end = line.find_last_not_of(" \t\r");
        looks_pretty_printed = begin != std::string::npos && begin == end &&
                               (line[begin] == '{' || line[begin] == '[');
      }
      first_line = false;
      if (++malformed <= kMaxListedProblems) {
        contents.problems.push_back(location + ": " +
                                    (problem->path.empty() ? "" : problem->path + ": ") +
                                    problem->reason);
      }
      continue;
    }
    first_line = false;
    const std::size_t request = ++contents.requests;
    for (SpanRecord& span : line_spans) {
      span.request = request;
      on_span(std::move(span));
    }
  }
  if (looks_pretty_printed) {
    const std::string file = name == kStandardInput ? "" : " " + name;
    contents.problems.push_back(name +
                                ": this looks like pretty-printed JSON; weft reads OTLP/JSON "
                                "lines, one request per line (compact it: jq -c ." +
                                file + ")");
  }
  if (malformed > kMaxListedProblems) {
    contents.problems.push_back(name + ": " + std::to_string(malformed - kMaxListedProblems) +
                                " more malformed lines not listed");
  }
  if (input.bad()) {
    contents.problems.push_back(name + ": read error");
    contents.unreadable = true;
  }
}

void stream_trace_files(const std::vector<std::string>& paths, const SpanSink& on_span,
                        TraceFileContents& contents) {
  for (const std::string& path : paths) {
    if (path == "-") {
      std::ios::sync_with_stdio(false);  // not line by line through stdio: much faster
      stream_trace_stream(std::cin, kStandardInput, on_span, contents);
      continue;
    }
    std::error_code ignored;
    if (std::filesystem::is_directory(path, ignored)) {
      contents.problems.push_back(path + ": is a directory");
      contents.unreadable = true;
      continue;
    }
    std::ifstream input(path, std::ios::binary);
    if (!input) {
      contents.problems.push_back(path + ": cannot open: " + std::strerror(errno));
      contents.unreadable = true;
      continue;
    }
    stream_trace_stream(input, path, on_span, contents);
  }
}

void read_trace_stream(std::istream& input, const std::string& name, TraceFileContents& contents) {
  stream_trace_stream(
      input, name, [&](SpanRecord&& span) { contents.spans.push_back(std::move(span)); },
      contents);
}

TraceFileContents read_trace_files(const std::vector<std::string>& paths) {
  TraceFileContents contents;
  stream_trace_files(
      paths, [&](SpanRecord&& span) { contents.spans.push_back(std::move(span)); }, contents);
  return contents;
}

}  // namespace weft::cli
