// weft: OpenTelemetry tracing for C++ that keeps traces connected across threads and processes.
// Include this header for everything, or the single headers for what you use.
#pragma once

#include "weft/attributes.h"
#include "weft/baggage.h"
#include "weft/config.h"
#include "weft/context.h"
#include "weft/diagnostics.h"
#include "weft/exporter.h"
#include "weft/ids.h"
#include "weft/otlp_exporter.h"
#include "weft/processor.h"
#include "weft/propagation.h"
#include "weft/provider.h"
#include "weft/resource.h"
#include "weft/sampler.h"
#include "weft/span.h"
#include "weft/span_context.h"
#include "weft/span_data.h"
#include "weft/thread_name.h"
#include "weft/thread_pool.h"
#include "weft/trace_state.h"
#include "weft/tracer.h"
