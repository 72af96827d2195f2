// Reads the Google Benchmark JSON results of one `make bench` run and writes, for each target of
// issue 7, the measured median, the target, the ratio to one clock_gettime(CLOCK_REALTIME) read
// measured in the same run, and whether the target is met: summary.txt for people and summary.json
// for programs, both in the results directory.
//
// Usage: weft_bench_summary RESULTS_DIR
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace {

using nlohmann::json;

// One benchmark's median (or its single run, without repetitions), or why there is none.
struct Measured {
  json entry;
  std::string error;  // set when the benchmark reported an error
};

// "<program>/<run name>" -> what it measured.
using Results = std::map<std::string, Measured>;

void add_results_of(const std::string& directory, const std::string& program, Results& results) {
  std::ifstream in(directory + "/" + program + ".json");
  if (!in) return;
  json document = json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (!document.is_object() || !document.contains("benchmarks")) return;
  for (const json& entry : document["benchmarks"]) {
    const std::string run_name = entry.value("run_name", entry.value("name", ""));
    Measured& measured = results[program + "/" + run_name];
    if (entry.value("error_occurred", false)) {
      measured.error = entry.value("error_message", "error");
    } else if (entry.value("aggregate_name", "") == "median" ||
               (entry.value("run_type", "") == "iteration" && measured.entry.is_null())) {
      measured.entry = entry;
    }
  }
}

double to_nanoseconds(double value, const std::string& unit) {
  if (unit == "us") return value * 1e3;
  if (unit == "ms") return value * 1e6;
  if (unit == "s") return value * 1e9;
  return value;
}

// What a target reads from a benchmark's result.
enum class Metric { kRealTime, kCpuTime, kItemsPerSecond, kCounter };
// kInfo: shown for comparison, with no target of its own.
enum class Goal { kAtMost, kAtLeast, kInfo };

struct Target {
  std::string description;
  std::string program;
  std::string benchmark;
  Metric metric;
  std::string counter;  // for kCounter
  Goal goal;
  double limit;
  std::string unit;
  bool per_operation;  // a cost per operation, comparable with a clock read
};

const std::vector<Target>& targets() {
  static const std::vector<Target> list = {
      {"clock_gettime(CLOCK_REALTIME)", "span_benchmark", "BM_ClockGettimeRealtime/threads:1",
       Metric::kCpuTime, "", Goal::kInfo, 0, "ns", true},
      {"weft's span clock read twice (the floor of any recorded span)", "span_benchmark",
       "BM_SpanClockTwice", Metric::kCpuTime, "", Goal::kInfo, 0, "ns", true},
      {"plain span start+end", "span_benchmark", "BM_PlainSpan/threads:1", Metric::kCpuTime, "",
       Goal::kAtMost, 60, "ns", true},
      {"plain span start+end, 2 threads (wall time / total ops)", "span_benchmark",
       "BM_PlainSpan/threads:2", Metric::kRealTime, "", Goal::kInfo, 0, "ns", true},
      {"plain span: share dropped from a full queue (not timed at their end)", "span_benchmark",
       "BM_PlainSpan/threads:1", Metric::kCounter, "dropped_percent", Goal::kInfo, 0, "%", false},
      {"span with 2 int + 2 string attributes and 1 event", "span_benchmark",
       "BM_SpanWithAttributesAndEvent/threads:1", Metric::kCpuTime, "", Goal::kAtMost, 200, "ns",
       true},
      {"parent current + child + both ended", "span_benchmark",
       "BM_ParentCurrentChildEnded/threads:1", Metric::kCpuTime, "", Goal::kAtMost, 150, "ns",
       true},
      {"parent + child: share dropped from a full queue", "span_benchmark",
       "BM_ParentCurrentChildEnded/threads:1", Metric::kCounter, "dropped_percent", Goal::kInfo, 0,
       "%", false},
      {"context hand-off (capture, attach, detach)", "span_benchmark",
       "BM_ContextHandOff/threads:1", Metric::kCpuTime, "", Goal::kAtMost, 15, "ns", true},
      {"pool hand-off: what propagation adds to one task", "thread_benchmark",
       "BM_PropagationPerTask/threads:1", Metric::kCpuTime, "", Goal::kInfo, 0, "ns", true},
      {"wrap a callable + invoke it in the captured context", "thread_benchmark",
       "BM_WrapAndInvoke/threads:1", Metric::kCpuTime, "", Goal::kInfo, 0, "ns", true},
      {"process hand-off: context into and out of an environment", "process_benchmark",
       "BM_ContextThroughEnvironment", Metric::kCpuTime, "", Goal::kInfo, 0, "ns", true},
      {"span relayed to the parent process (start + end messages)", "process_benchmark",
       "BM_SpanRelayedToParent", Metric::kCpuTime, "", Goal::kInfo, 0, "ns", true},
      {"W3C inject + extract (traceparent + tracestate)", "propagation_benchmark",
       "BM_W3cInjectExtract", Metric::kCpuTime, "", Goal::kAtMost, 100, "ns", true},
      {"W3C inject + extract, header-list carrier (the propagator's own cost)",
       "propagation_benchmark", "BM_W3cInjectExtractHeaderList", Metric::kCpuTime, "", Goal::kInfo,
       0, "ns", true},
      {"W3C inject + extract, traceparent only", "propagation_benchmark",
       "BM_W3cInjectExtractTraceparentOnly", Metric::kCpuTime, "", Goal::kInfo, 0, "ns", true},
      {"OTLP protobuf encoding, plain spans", "otlp_benchmark", "BM_OtlpProtobufEncodePlain",
       Metric::kItemsPerSecond, "", Goal::kAtLeast, 5e6, "spans/s", true},
      {"OTLP protobuf encoding, typical spans", "otlp_benchmark", "BM_OtlpProtobufEncode",
       Metric::kItemsPerSecond, "", Goal::kInfo, 0, "spans/s", true},
      {"OTLP/JSON encoding, plain spans (the file exporter's format)", "otlp_benchmark",
       "BM_OtlpJsonEncodePlain", Metric::kItemsPerSecond, "", Goal::kInfo, 0, "spans/s", true},
      {"OTLP/JSON encoding, typical spans", "otlp_benchmark", "BM_OtlpJsonEncode",
       Metric::kItemsPerSecond, "", Goal::kInfo, 0, "spans/s", true},
      {"sustained load: producer cost per span (wall time)", "sustained_load_benchmark",
       "BM_SustainedLoadToFile/iterations:1/repeats:3/manual_time", Metric::kCounter, "ns_per_span",
       Goal::kAtMost, 60, "ns", true},
      {"sustained load: producer CPU time per span", "sustained_load_benchmark",
       "BM_SustainedLoadToFile/iterations:1/repeats:3/manual_time", Metric::kCounter,
       "cpu_ns_per_span", Goal::kInfo, 0, "ns", true},
      {"sustained load: spans dropped of 10M (each one counted)", "sustained_load_benchmark",
       "BM_SustainedLoadToFile/iterations:1/repeats:3/manual_time", Metric::kCounter,
       "spans_dropped", Goal::kAtMost, 0, "spans", false},
      {"sustained load: spans exported of 10M", "sustained_load_benchmark",
       "BM_SustainedLoadToFile/iterations:1/repeats:3/manual_time", Metric::kCounter,
       "spans_exported", Goal::kInfo, 0, "spans", false},
      {"sustained load: peak RSS", "sustained_load_benchmark",
       "BM_SustainedLoadToFile/iterations:1/repeats:3/manual_time", Metric::kCounter, "peak_rss_mb",
       Goal::kAtMost, 64, "MB", false},
      {"memory per queued plain span", "queue_memory_benchmark",
       "BM_QueuedPlainSpanMemory/iterations:1", Metric::kCounter, "bytes_per_span", Goal::kAtMost,
       128, "bytes", false},
      {"memory per queued span with 4 attributes + 1 event", "queue_memory_benchmark",
       "BM_QueuedDecoratedSpanMemory/iterations:1", Metric::kCounter, "bytes_per_span", Goal::kInfo,
       0, "bytes", false},
      {"memory per thread that ends a few spans between exports", "queue_memory_benchmark",
       "BM_QuietThreadMemory/iterations:1", Metric::kCounter, "bytes_per_thread", Goal::kInfo, 0,
       "bytes", false},
      {"memory still held per exited thread (20,000 threads of one span each)",
       "queue_memory_benchmark", "BM_ExitedThreadMemory/iterations:1", Metric::kCounter,
       "bytes_per_thread", Goal::kInfo, 0, "bytes", false},
      {"disabled SDK (OTEL_SDK_DISABLED=true) span start+end", "disabled_sdk_benchmark",
       "BM_DisabledSdkSpan/threads:1", Metric::kCpuTime, "", Goal::kAtMost, 5, "ns", true},
      {"non-sampled span start+end (new root: trace id + span id made)", "span_benchmark",
       "BM_UnsampledSpan/threads:1", Metric::kCpuTime, "", Goal::kAtMost, 5, "ns", true},
      {"non-sampled span start+end (child in a non-sampled trace)", "span_benchmark",
       "BM_UnsampledChildSpan/threads:1", Metric::kCpuTime, "", Goal::kAtMost, 5, "ns", true},
  };
  return list;
}

std::optional<double> read_metric(const json& entry, Metric metric, const std::string& counter) {
  const std::string unit = entry.value("time_unit", "ns");
  const char* key = metric == Metric::kRealTime         ? "real_time"
                    : metric == Metric::kCpuTime        ? "cpu_time"
                    : metric == Metric::kItemsPerSecond ? "items_per_second"
                                                        : counter.c_str();
  if (!entry.contains(key) || !entry[key].is_number()) return std::nullopt;
  const double value = entry[key].get<double>();
  if (metric == Metric::kRealTime || metric == Metric::kCpuTime) return to_nanoseconds(value, unit);
  return value;
}

// One line of the summary.
struct Row {
  std::string description;
  std::string benchmark;
  std::optional<double> measured;
  std::string unit;
  std::string goal;  // "<= 60", ">= 5000000", "" for information
  std::optional<double> limit;
  std::optional<double> ratio_to_clock;
  std::string status;  // "met", "not met", "info", "missing", "error: ..."
  // The target in clock reads, and whether the ratio meets it (per-operation targets only).
  std::optional<double> ratio_limit;
  std::string ratio_status;
};

// The issue states the plain span's target both ways, 60 ns and 3 clock_gettime reads: on the
// machine the targets were set for, one read took 20 ns. Every per-operation target is also
// judged in clock reads at that scale, which carries across machines (a host whose clock is slower
// is slower at everything else too).
constexpr double kReferenceClockReadNs = 20.0;

std::string format_number(double value) {
  std::ostringstream out;
  if (std::fabs(value) >= 1e5 || value == std::floor(value)) {
    out << std::fixed << std::setprecision(0) << value;
  } else {
    out << std::fixed << std::setprecision(value < 10 ? 2 : 1) << value;
  }
  return out.str();
}

Row evaluate(const Target& target, const Results& results, std::optional<double> clock_ns) {
  Row row{target.description,
          target.program + "/" + target.benchmark,
          std::nullopt,
          target.unit,
          "",
          std::nullopt,
          std::nullopt,
          "missing",
          std::nullopt,
          ""};
  if (target.goal != Goal::kInfo) {
    row.goal = (target.goal == Goal::kAtMost ? "<= " : ">= ") + format_number(target.limit);
    row.limit = target.limit;
  }
  const auto found = results.find(row.benchmark);
  if (found == results.end()) return row;
  if (!found->second.error.empty()) {
    row.status = "error: " + found->second.error;
    return row;
  }
  if (found->second.entry.is_null()) return row;
  row.measured = read_metric(found->second.entry, target.metric, target.counter);
  if (!row.measured) return row;
  if (target.per_operation && clock_ns && *clock_ns > 0) {
    const double nanoseconds =
        target.metric == Metric::kItemsPerSecond ? 1e9 / *row.measured : *row.measured;
    row.ratio_to_clock = nanoseconds / *clock_ns;
  }
  if (target.goal == Goal::kInfo) {
    row.status = "info";
  } else {
    const bool met = target.goal == Goal::kAtMost ? *row.measured <= target.limit
                                                  : *row.measured >= target.limit;
    row.status = met ? "met" : "not met";
    if (row.ratio_to_clock && target.limit > 0) {
      // At most so many nanoseconds per operation (for a rate: the time one item may take).
      const double limit_ns =
          target.metric == Metric::kItemsPerSecond ? 1e9 / target.limit : target.limit;
      row.ratio_limit = limit_ns / kReferenceClockReadNs;
      row.ratio_status = *row.ratio_to_clock <= *row.ratio_limit ? "met" : "not met";
    }
  }
  return row;
}

// The hand-off target's second half: CPU time per hand-off on each of 2 threads within 1.3x of
// the cost on 1 thread (CPU time, as Google Benchmark sums it over the threads, is the per-thread
// cost; real time with 2 threads is wall time over all operations).
Row evaluate_hand_off_scaling(const Results& results) {
  Row row{"context hand-off: per-thread cost, 2 threads / 1 thread",
          "span_benchmark/BM_ContextHandOff",
          std::nullopt,
          "x",
          "<= 1.30",
          1.3,
          std::nullopt,
          "missing",
          std::nullopt,
          ""};
  const auto one = results.find("span_benchmark/BM_ContextHandOff/threads:1");
  const auto two = results.find("span_benchmark/BM_ContextHandOff/threads:2");
  if (one == results.end() || two == results.end() || one->second.entry.is_null() ||
      two->second.entry.is_null()) {
    return row;
  }
  const auto one_ns = read_metric(one->second.entry, Metric::kCpuTime, "");
  const auto two_ns = read_metric(two->second.entry, Metric::kCpuTime, "");
  if (!one_ns || !two_ns || *one_ns <= 0) return row;
  row.measured = *two_ns / *one_ns;
  row.status = *row.measured <= 1.3 ? "met" : "not met";
  return row;
}

void write_text(const std::string& path, const std::vector<Row>& rows,
                std::optional<double> clock_ns) {
  std::ofstream out(path);
  out << "weft benchmark summary: medians of this run (per-operation figures are CPU time per\n"
         "operation, which a busy machine distorts less than wall time; rows that say so are wall "
         "time)";
  if (clock_ns)
    out << ".\nOne clock_gettime(CLOCK_REALTIME) = " << format_number(*clock_ns) << " ns";
  out << ".\nEach per-operation target is judged in nanoseconds and in clock reads: the issue's "
         "60 ns = 3 reads\nsets 1 read = 20 ns, so e.g. 200 ns = 10 reads (x clock: the measured "
         "time over this run's read)\n\n";
  std::size_t width = 0;  // the longest description, and a gap
  for (const Row& row : rows) width = std::max(width, row.description.size() + 2);
  out << std::left << std::setw(static_cast<int>(width)) << "target" << std::setw(22)
      << "measured" << std::setw(22) << "target" << std::setw(10) << "verdict" << std::setw(10)
      << "x clock" << std::setw(12) << "target" << "verdict in clock reads\n";
  for (const Row& row : rows) {
    const std::string measured = row.measured ? format_number(*row.measured) + " " + row.unit : "-";
    const std::string goal = row.goal.empty() ? "-" : row.goal + " " + row.unit;
    const std::string ratio = row.ratio_to_clock ? format_number(*row.ratio_to_clock) : "-";
    const std::string ratio_goal = row.ratio_limit ? "<= " + format_number(*row.ratio_limit) : "-";
    out << std::left << std::setw(static_cast<int>(width)) << row.description << std::setw(22)
        << measured << std::setw(22) << goal << std::setw(10) << row.status << std::setw(10)
        << ratio << std::setw(12) << ratio_goal
        << (row.ratio_status.empty() ? "-" : row.ratio_status) << "\n";
  }
}

void write_json(const std::string& path, const std::vector<Row>& rows,
                std::optional<double> clock_ns) {
  json document;
  document["clock_gettime_realtime_ns"] = clock_ns ? json(*clock_ns) : json(nullptr);
  document["targets"] = json::array();
  for (const Row& row : rows) {
    document["targets"].push_back({
        {"description", row.description},
        {"benchmark", row.benchmark},
        {"measured", row.measured ? json(*row.measured) : json(nullptr)},
        {"unit", row.unit},
        {"target", row.goal.empty() ? json(nullptr) : json(row.goal + " " + row.unit)},
        {"target_limit", row.limit ? json(*row.limit) : json(nullptr)},
        {"target_comparison", row.goal.empty() ? json(nullptr) : json(row.goal.substr(0, 2))},
        {"ratio_to_clock_gettime", row.ratio_to_clock ? json(*row.ratio_to_clock) : json(nullptr)},
        {"status", row.status},
        {"target_in_clock_reads", row.ratio_limit ? json(*row.ratio_limit) : json(nullptr)},
        {"status_in_clock_reads", row.ratio_status.empty() ? json(nullptr) : json(row.ratio_status)},
    });
  }
  std::ofstream(path) << document.dump(2) << "\n";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: weft_bench_summary RESULTS_DIR\n";
    return 2;
  }
  const std::string directory = argv[1];
  Results results;
  std::set<std::string> programs;
  for (const Target& target : targets()) programs.insert(target.program);
  for (const std::string& program : programs) add_results_of(directory, program, results);

  const Row clock = evaluate(targets().front(), results, std::nullopt);
  const std::optional<double> clock_ns = clock.measured;
  std::vector<Row> rows;
  for (const Target& target : targets()) {
    rows.push_back(evaluate(target, results, clock_ns));
    if (target.benchmark == "BM_ContextHandOff/threads:1") {
      rows.push_back(evaluate_hand_off_scaling(results));
    }
  }
  write_text(directory + "/summary.txt", rows, clock_ns);
  write_json(directory + "/summary.json", rows, clock_ns);
  std::ifstream summary(directory + "/summary.txt");
  std::cout << summary.rdbuf();
  return 0;
}
