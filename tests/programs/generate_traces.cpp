// Writes a synthetic OTLP/JSON lines file as weft's file exporter would: traces of a request on
// the main thread fanning out to worker threads (nested three deep), batched 512 spans a line,
// children before their parents as spans end. For the check benchmark and the HTML report's
// large-input test.
//
//   weft_generate_traces OUTPUT SPANS [SPANS_PER_TRACE [THREADS [BROKEN_EVERY]]]
//
// BROKEN_EVERY > 0 drops the parent link of every BROKEN_EVERY-th trace's last child (it points to
// a span that is never written), so the checker has something to find.
#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace {

constexpr std::uint64_t kOrigin = 1700000000000000000ULL;
constexpr int kPid = 4242;
constexpr int kBatch = 512;

struct Writer {
  std::FILE* file;
  std::string line;
  int in_line = 0;

  void span(std::uint64_t trace, std::uint64_t id, std::uint64_t parent, std::uint64_t start,
            std::uint64_t end, int thread, const char* name) {
    char parent_member[48] = "";
    if (parent != 0) {
      std::snprintf(parent_member, sizeof parent_member, ",\"parentSpanId\":\"%016" PRIx64 "\"",
                    parent);
    }
    char text[768];
    const int length = std::snprintf(
        text, sizeof text,
        "%s{\"traceId\":\"%016" PRIx64 "%016" PRIx64 "\",\"spanId\":\"%016" PRIx64
        "\"%s,\"name\":\"%s\",\"kind\":1,\"startTimeUnixNano\":\"%" PRIu64
        "\",\"endTimeUnixNano\":\"%" PRIu64
        "\",\"attributes\":[{\"key\":\"thread.id\",\"value\":{\"intValue\":\"%d\"}},"
        "{\"key\":\"thread.name\",\"value\":{\"stringValue\":\"%s-%d\"}}]}",
        in_line == 0 ? "" : ",", trace, trace, id, parent_member, name, kOrigin + start,
        kOrigin + end, thread, thread == kPid ? "main" : "worker", thread - kPid);
    line.append(text, static_cast<std::size_t>(length));
    if (++in_line == kBatch) flush();
  }

  void flush() {
    if (in_line == 0) return;
    std::fprintf(file,
                 "{\"resourceSpans\":[{\"resource\":{\"attributes\":["
                 "{\"key\":\"service.name\",\"value\":{\"stringValue\":\"generated\"}},"
                 "{\"key\":\"process.pid\",\"value\":{\"intValue\":\"%d\"}},"
                 "{\"key\":\"process.parent_pid\",\"value\":{\"intValue\":\"1\"}}]},"
                 "\"scopeSpans\":[{\"scope\":{\"name\":\"generator\"},\"spans\":[%s]}]}]}\n",
                 kPid, line.c_str());
    line.clear();
    in_line = 0;
  }
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s OUTPUT SPANS [SPANS_PER_TRACE [THREADS [BROKEN_EVERY]]]\n",
                 argv[0]);
    return 2;
  }
  const long long total = std::atoll(argv[2]);
  const long long per_trace = argc > 3 ? std::max(3LL, std::atoll(argv[3])) : 20;
  const int threads = argc > 4 ? std::max(1, std::atoi(argv[4])) : 4;
  const long long broken_every = argc > 5 ? std::atoll(argv[5]) : 0;
  Writer writer{std::fopen(argv[1], "w"), {}, 0};
  if (writer.file == nullptr) {
    std::perror(argv[1]);
    return 2;
  }
  std::uint64_t next_id = 1;
  std::uint64_t clock = 0;  // ns since kOrigin
  for (long long written = 0, trace = 1; written < total; ++trace) {
    const long long spans = std::min(per_trace, total - written);
    const std::uint64_t root = next_id++;
    const std::uint64_t trace_start = clock;
    // Tasks of 1 to 3 nested spans, round robin over the workers, 10 µs apart.
    long long made = 1;
    std::uint64_t task_start = trace_start + 1000;
    while (made < spans) {
      const int thread = kPid + 1 + static_cast<int>(made % threads);
      const long long depth = std::min(3LL, spans - made);
      std::uint64_t ids[3] = {0, 0, 0};
      for (long long level = 0; level < depth; ++level) ids[level] = next_id++;
      // Innermost first: spans are exported as they end.
      for (long long level = depth - 1; level >= 0; --level) {
        const std::uint64_t start = task_start + static_cast<std::uint64_t>(level) * 1000;
        const std::uint64_t end = task_start + 9000 - static_cast<std::uint64_t>(level) * 1000;
        std::uint64_t parent = level == 0 ? root : ids[level - 1];
        const bool last = made + depth >= spans && level == depth - 1;
        if (last && broken_every > 0 && trace % broken_every == 0) parent = 0xdeadbeef;
        writer.span(trace, ids[level], parent, start, end, thread, level == 0 ? "task" : "step");
      }
      made += depth;
      task_start += 10000;
    }
    writer.span(trace, root, 0, trace_start, task_start + 1000, kPid, "request");
    clock = task_start + 5000;
    written += spans;
  }
  writer.flush();
  return std::fclose(writer.file) == 0 ? 0 : 1;
}
