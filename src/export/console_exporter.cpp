// The console exporter: one readable block per span, for development.
#include <iostream>
#include <sstream>

#include "weft/exporter.h"

namespace weft {
namespace {

const char* kind_name(SpanKind kind) {
  switch (kind) {
    case SpanKind::kInternal: return "internal";
    case SpanKind::kServer: return "server";
    case SpanKind::kClient: return "client";
    case SpanKind::kProducer: return "producer";
    case SpanKind::kConsumer: return "consumer";
  }
  return "unknown";
}

const char* status_name(StatusCode code) {
  switch (code) {
    case StatusCode::kUnset: return "unset";
    case StatusCode::kOk: return "ok";
    case StatusCode::kError: return "error";
  }
  return "unknown";
}

void print_value(std::ostream& out, const AttributeValue& value) {
  std::visit(
      [&out](const auto& held) {
        using T = std::decay_t<decltype(held)>;
        if constexpr (std::is_same_v<T, bool>) {
          out << (held ? "true" : "false");
        } else if constexpr (std::is_same_v<T, std::string>) {
          out << '"' << held << '"';
        } else if constexpr (std::is_same_v<T, std::int64_t> || std::is_same_v<T, double>) {
          out << held;
        } else {
          out << '[';
          bool first = true;
          for (const auto& element : held) {
            if (!first) out << ", ";
            first = false;
            print_value(out, AttributeValue(typename T::value_type(element)));
          }
          out << ']';
        }
      },
      value);
}

void print_attributes(std::ostream& out, const Attributes& attributes, const char* indent) {
  for (const KeyValue& attribute : attributes) {
    out << indent << attribute.key << " = ";
    print_value(out, attribute.value);
    out << '\n';
  }
}

void print_span(std::ostream& out, const SpanData& span) {
  const double duration_ms =
      static_cast<double>(span.end_time_unix_nano - span.start_time_unix_nano) / 1e6;
  out << "span " << span.name << '\n'
      << "  trace_id    " << span.context.trace_id.to_hex() << '\n'
      << "  span_id     " << span.context.span_id.to_hex() << '\n'
      << "  parent_id   "
      << (span.parent_span_id.is_valid() ? span.parent_span_id.to_hex() : std::string("(root)"))
      << (span.parent_is_remote ? " (remote)" : "") << '\n'
      << "  kind        " << kind_name(span.kind) << '\n'
      << "  duration    " << duration_ms << " ms\n"
      << "  thread      " << span.thread_name << " (" << span.thread_id << ")\n"
      << "  status      " << status_name(span.status.code)
      << (span.status.message.empty() ? "" : ": ") << span.status.message << '\n';
  if (span.scope != nullptr) out << "  scope       " << span.scope->name << '\n';
  if (!span.attributes.empty()) {
    out << "  attributes\n";
    print_attributes(out, span.attributes, "    ");
  }
  for (const Event& event : span.events) {
    out << "  event " << event.name << '\n';
    print_attributes(out, event.attributes, "    ");
  }
  for (const Link& link : span.links) {
    out << "  link " << link.context.trace_id.to_hex() << ' ' << link.context.span_id.to_hex()
        << '\n';
  }
}

class ConsoleExporter final : public SpanExporter {
 public:
  explicit ConsoleExporter(std::ostream& out) : out_(out) {}

  ExportResult export_spans(const std::vector<const SpanData*>& spans) noexcept override {
    try {
      std::ostringstream text;
      for (const SpanData* span : spans) print_span(text, *span);
      out_ << text.str() << std::flush;
      return out_ ? ExportResult::kSuccess : ExportResult::kFailure;
    } catch (...) {
      return ExportResult::kFailure;
    }
  }

 private:
  std::ostream& out_;
};

}  // namespace

std::unique_ptr<SpanExporter> make_console_exporter(std::ostream* out) {
  return std::make_unique<ConsoleExporter>(out != nullptr ? *out : std::cout);
}

}  // namespace weft
