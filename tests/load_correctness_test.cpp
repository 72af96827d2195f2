// Correctness under load: four threads end nested spans as fast as they can through a batch
// processor. Every span says who made it (thread index, sequence number, role, expected parent and
// trace) in its name, its attributes and its event, and the exporter checks each span while it
// holds it. Nothing may be corrupted (a span's data matches its name, parents are where the
// children say, no span id twice, thread.id is the producing thread) and nothing may be lost
// silently (exported + counted drops == created, exactly). A queue that overwrites or loses
// entries, or a span record recycled twice, breaks one of these.
#include <gtest/gtest.h>
#include <sys/types.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "sanitizer_support.h"
#include "test_provider.h"
#include "weft/weft.h"

namespace weft {
namespace {

constexpr int kThreads = 4;
#ifdef WEFT_UNDER_THREAD_OR_ADDRESS_SANITIZER
constexpr int kIterationsPerThread = 1500;
#else
constexpr int kIterationsPerThread = 12500;
#endif
// Each iteration: a root "parent", its "child" with a "grandchild", and an "event-child".
constexpr int kSpansPerIteration = 4;
constexpr std::uint64_t kSpansCreated =
    std::uint64_t{kThreads} * kIterationsPerThread * kSpansPerIteration;

std::string span_name(int thread, int sequence, std::string_view role) {
  return "t" + std::to_string(thread) + "/s" + std::to_string(sequence) + "/" + std::string(role);
}

std::string thread_name_of(int thread) { return "load-" + std::to_string(thread); }

// What the exporter keeps of each span for the checks that need all of them.
struct ExportedSpan {
  TraceId trace_id;
  SpanId span_id;
  SpanId parent_span_id;
  int thread = -1;
  std::int64_t sequence = -1;
  std::string role;
};

// Filled by the producers before their first span: the OS thread id of each.
using ProducerThreadIds = std::array<std::atomic<std::int64_t>, kThreads>;

template <class T>
const T* attribute(const SpanData& span, std::string_view key) {
  for (const KeyValue& attribute : span.attributes) {
    if (attribute.key == key) return std::get_if<T>(&attribute.value);
  }
  return nullptr;
}

// Checks each span while it is exported (afterwards its record is reused) and keeps what the
// whole-run checks need. Optionally slow, so that queues overflow.
class VerifyingExporter final : public SpanExporter {
 public:
  struct Findings {
    std::mutex mutex;
    std::vector<ExportedSpan> spans;
    std::vector<std::string> problems;  // the first few
    std::uint64_t problem_count = 0;
  };

  VerifyingExporter(std::shared_ptr<Findings> findings, const ProducerThreadIds& thread_ids,
                    std::chrono::microseconds delay_per_export)
      : findings_(std::move(findings)), thread_ids_(thread_ids), delay_(delay_per_export) {}

  ExportResult export_spans(const std::vector<const SpanData*>& spans) noexcept override {
    if (delay_.count() > 0) std::this_thread::sleep_for(delay_);
    std::lock_guard<std::mutex> lock(findings_->mutex);
    for (const SpanData* span : spans) {
      std::string problem;
      ExportedSpan exported = check(*span, problem);
      if (!problem.empty()) {
        ++findings_->problem_count;
        if (findings_->problems.size() < 10)
          findings_->problems.push_back(span->name + ": " + problem);
      }
      findings_->spans.push_back(std::move(exported));
    }
    return ExportResult::kSuccess;
  }

 private:
  // Everything one span says about itself must agree.
  ExportedSpan check(const SpanData& span, std::string& problem) const {
    ExportedSpan exported;
    exported.trace_id = span.context.trace_id;
    exported.span_id = span.context.span_id;
    exported.parent_span_id = span.parent_span_id;
    const auto* thread = attribute<std::int64_t>(span, "load.thread");
    const auto* sequence = attribute<std::int64_t>(span, "load.sequence");
    const auto* role = attribute<std::string>(span, "load.role");
    const auto* trace = attribute<std::string>(span, "load.trace");
    const auto* parent = attribute<std::int64_t>(span, "load.parent");
    if (!thread || !sequence || !role || !trace || !parent || span.attributes.size() != 5) {
      problem = "attributes missing or extra (" + std::to_string(span.attributes.size()) + ")";
      return exported;
    }
    if (*thread < 0 || *thread >= kThreads) {
      problem = "thread index out of range";
      return exported;
    }
    exported.thread = static_cast<int>(*thread);
    exported.sequence = *sequence;
    exported.role = *role;
    const int index = exported.thread;
    const int number = static_cast<int>(*sequence);
    if (span.name != span_name(index, number, *role)) {
      problem = "name does not match attributes " + span_name(index, number, *role);
    } else if (span.context.trace_id.to_hex() != *trace) {
      problem = "trace id " + span.context.trace_id.to_hex() + " is not the expected " + *trace;
    } else if (static_cast<std::int64_t>(span.parent_span_id.word()) != *parent) {
      problem = "parent span id is not the one the span was started under";
    } else if (span.thread_id != thread_ids_[index].load()) {
      problem = "thread.id " + std::to_string(span.thread_id) + " is not the producer's " +
                std::to_string(thread_ids_[index].load());
    } else if (span.thread_name != thread_name_of(index)) {
      problem = "thread.name " + span.thread_name + " is not " + thread_name_of(index);
    } else if (span.start_time_unix_nano == 0 ||
               span.end_time_unix_nano < span.start_time_unix_nano) {
      problem = "times out of order";
    } else {
      problem = check_events(span, index, number, *role);
    }
    return exported;
  }

  static std::string check_events(const SpanData& span, int thread, int sequence,
                                  const std::string& role) {
    const std::size_t expected = role == "event-child" ? 1 : 0;
    if (span.events.size() != expected)
      return "has " + std::to_string(span.events.size()) + " events";
    if (expected == 0) return {};
    const Event& event = span.events.front();
    const Attributes expected_attributes = {{"load.thread", thread}, {"load.sequence", sequence}};
    if (event.name != span_name(thread, sequence, "event") ||
        event.attributes != expected_attributes) {
      return "event does not belong to this span";
    }
    return {};
  }

  std::shared_ptr<Findings> findings_;
  const ProducerThreadIds& thread_ids_;
  std::chrono::microseconds delay_;
};

// Gives a span the attributes that say who made it and under which parent.
void label(Span& span, int thread, int sequence, std::string_view role, const SpanContext& parent,
           const SpanContext& self) {
  const bool root = !parent.is_valid();
  span.set_attribute("load.thread", thread)
      .set_attribute("load.sequence", sequence)
      .set_attribute("load.role", role)
      .set_attribute("load.trace", (root ? self : parent).trace_id.to_hex())
      .set_attribute("load.parent", static_cast<std::int64_t>(parent.span_id.word()));
}

void produce(Tracer tracer, int thread, ProducerThreadIds& thread_ids, std::atomic<int>& ready) {
  set_thread_name(thread_name_of(thread));
  thread_ids[thread].store(static_cast<std::int64_t>(gettid()));
  ready.fetch_add(1);
  while (ready.load() < kThreads) std::this_thread::yield();  // all start together
  StartSpanOptions new_trace;
  new_trace.new_root = true;
  for (int sequence = 0; sequence < kIterationsPerThread; ++sequence) {
    ScopedSpan parent = tracer.start_scoped_span(span_name(thread, sequence, "parent"), new_trace);
    label(parent.span(), thread, sequence, "parent", SpanContext(), parent.context());
    {
      ScopedSpan child = tracer.start_scoped_span(span_name(thread, sequence, "child"));
      label(child.span(), thread, sequence, "child", parent.context(), child.context());
      Span grandchild = tracer.start_span(span_name(thread, sequence, "grandchild"));
      label(grandchild, thread, sequence, "grandchild", child.context(), grandchild.context());
    }
    Span event_child = tracer.start_span(span_name(thread, sequence, "event-child"));
    label(event_child, thread, sequence, "event-child", parent.context(), event_child.context());
    event_child.add_event(span_name(thread, sequence, "event"),
                          {{"load.thread", thread}, {"load.sequence", sequence}});
  }
}

struct LoadRun {
  std::shared_ptr<VerifyingExporter::Findings> findings =
      std::make_shared<VerifyingExporter::Findings>();
  Diagnostics counted;
};

LoadRun run_load(BatchOptions batch, std::chrono::microseconds delay_per_export) {
  reset_diagnostics();
  LoadRun run;
  ProducerThreadIds thread_ids{};
  Options options;
  options.sampler = always_on_sampler();
  options.processors.push_back(make_batch_processor(
      std::make_unique<VerifyingExporter>(run.findings, thread_ids, delay_per_export), batch));
  auto provider = std::make_shared<TracerProvider>(
      finalize_config(std::move(options), testing::fake_environment({})));
  std::atomic<int> ready{0};
  std::vector<std::thread> producers;
  for (int thread = 0; thread < kThreads; ++thread) {
    producers.emplace_back(produce, provider->tracer("load"), thread, std::ref(thread_ids),
                           std::ref(ready));
  }
  for (std::thread& producer : producers) producer.join();
  EXPECT_TRUE(provider->shutdown(std::chrono::seconds(60)));
  run.counted = diagnostics();
  return run;
}

// The parent each role must have, if the parent was exported too.
std::string parent_role_of(const std::string& role) {
  if (role == "child" || role == "event-child") return "parent";
  if (role == "grandchild") return "child";
  return {};
}

// The checks over all exported spans: no span twice, every exported parent in the same trace and
// iteration as its children. Returns how many children found their parent among the exported.
std::uint64_t expect_consistent_trees(const std::vector<ExportedSpan>& spans) {
  std::map<std::uint64_t, const ExportedSpan*> by_id;
  std::uint64_t duplicates = 0;
  for (const ExportedSpan& span : spans) {
    if (!by_id.emplace(span.span_id.word(), &span).second) ++duplicates;
  }
  EXPECT_EQ(duplicates, 0u) << "span ids exported more than once";
  std::uint64_t parents_found = 0;
  std::uint64_t mismatched = 0;
  for (const ExportedSpan& span : spans) {
    if (!span.parent_span_id.is_valid()) {
      if (span.role != "parent") ++mismatched;
      continue;
    }
    const auto parent = by_id.find(span.parent_span_id.word());
    if (parent == by_id.end()) continue;  // dropped: counted, checked by the accounting
    ++parents_found;
    const ExportedSpan& found = *parent->second;
    if (found.trace_id != span.trace_id || found.thread != span.thread ||
        found.sequence != span.sequence || found.role != parent_role_of(span.role)) {
      ++mismatched;
    }
  }
  EXPECT_EQ(mismatched, 0u) << "spans whose parent is in another trace, iteration or role";
  return parents_found;
}

void expect_no_corruption(const LoadRun& run) {
  EXPECT_EQ(run.findings->problem_count, 0u);
  for (const std::string& problem : run.findings->problems) ADD_FAILURE() << problem;
}

// Exported + counted as lost == created, and the exported count agrees with the exporter's.
void expect_every_span_accounted_for(const LoadRun& run) {
  const std::uint64_t exported = run.findings->spans.size();
  EXPECT_EQ(run.counted.spans_exported, exported);
  EXPECT_EQ(exported + run.counted.spans_dropped_queue_full +
                run.counted.spans_dropped_after_shutdown + run.counted.spans_export_failed,
            kSpansCreated);
}

TEST(LoadCorrectnessTest, LargeQueuesExportEverySpanIntact) {
  BatchOptions batch;
  batch.max_queue_size = kIterationsPerThread * kSpansPerIteration;  // a thread's spans all fit
  batch.schedule_delay = std::chrono::milliseconds(5);
  const LoadRun run = run_load(batch, std::chrono::microseconds(0));

  expect_no_corruption(run);
  expect_every_span_accounted_for(run);
  EXPECT_EQ(run.counted.spans_dropped_queue_full, 0u);
  EXPECT_EQ(run.findings->spans.size(), kSpansCreated);
  // Every child's parent arrived: 3 of each iteration's 4 spans are children.
  EXPECT_EQ(expect_consistent_trees(run.findings->spans),
            std::uint64_t{kThreads} * kIterationsPerThread * 3);
}

TEST(LoadCorrectnessTest, SmallQueuesDropOnlyWhatTheyCount) {
  BatchOptions batch;
  batch.max_queue_size = 64;
  batch.max_export_batch_size = 32;
  batch.schedule_delay = std::chrono::milliseconds(1);
  // A slow exporter: the queues overflow while it works.
  const LoadRun run = run_load(batch, std::chrono::microseconds(500));

  expect_no_corruption(run);
  expect_every_span_accounted_for(run);
  EXPECT_GT(run.counted.spans_dropped_queue_full, 0u) << "the queues never overflowed";
  EXPECT_GT(run.findings->spans.size(), 0u);
  expect_consistent_trees(run.findings->spans);
}

}  // namespace
}  // namespace weft
