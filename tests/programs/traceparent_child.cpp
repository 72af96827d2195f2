// A program for the interop tests: a weft child started by another SDK's process. It continues
// the trace in its TRACEPARENT/TRACESTATE environment variables with "weft-child" and a nested
// "weft-child-inner", exported by the global provider that the OTEL_* environment configures, and
// flushed at exit.
#include <cstdlib>
#include <map>
#include <string>

#include "weft/weft.h"

int main() {
  std::map<std::string, std::string> variables;
  for (const char* name : {"traceparent", "tracestate"}) {
    std::string upper(name);
    for (char& c : upper) c = static_cast<char>(c - 'a' + 'A');
    if (const char* value = std::getenv(upper.c_str())) variables[name] = value;
  }
  weft::MapCarrier carrier(variables);
  weft::StartSpanOptions options;
  options.parent = weft::TraceContextPropagator().extract(carrier);
  weft::Tracer tracer = weft::get_tracer("weft-interop-child");
  weft::ScopedSpan child = tracer.start_scoped_span("weft-child", options);
  child->set_attribute("child.argument", "none");
  weft::ScopedSpan inner = tracer.start_scoped_span("weft-child-inner");
  return 0;
}
