// What `weft run` hands its child: the trace context in the environment (TRACEPARENT, TRACESTATE,
// BAGGAGE, replacing inherited ones) and in the arguments ({{traceparent}}).
//
//   Context parent = context_from_environment(environ);
//   std::vector<std::string> env = child_environment(environ, run_span_context);
//   std::vector<std::string> args = substitute_traceparent(argv, format_traceparent(...));
#pragma once

#include <string>
#include <vector>

#include "weft/context.h"

namespace weft::cli {

// The context an `environ`-style array carries, read with the global propagator (variables are
// the propagation fields in upper case). Empty when there is none or it is invalid.
Context context_from_environment(const char* const* environment);

// `inherited` ("NAME=value" entries) without TRACEPARENT, TRACESTATE and BAGGAGE, plus what the
// global propagator writes for `context` (nothing when the context is empty).
std::vector<std::string> child_environment(const char* const* inherited, const Context& context);

// The arguments with every "{{traceparent}}" replaced by `traceparent` (which may be empty).
std::vector<std::string> substitute_traceparent(std::vector<std::string> arguments,
                                                const std::string& traceparent);

}  // namespace weft::cli
