// An OpenTelemetry JavaScript program for weft's interop tests. It continues the trace in
// TRACEPARENT/TRACESTATE (when set), records "node-work" with a child "node-inner", and exports
// them over OTLP/HTTP to OTLP_URL, as protobuf or JSON (OTLP_PROTOCOL=protobuf|json).
//
// With CHILD_PROGRAM set it is instead a parent: inside "node-parent" it runs that program with
// the span's context in TRACEPARENT/TRACESTATE, waits for it, and then exports.
'use strict';
const { spawnSync } = require('child_process');
const api = require('@opentelemetry/api');
const { W3CTraceContextPropagator } = require('@opentelemetry/core');
const { Resource } = require('@opentelemetry/resources');
const { BasicTracerProvider, SimpleSpanProcessor } = require('@opentelemetry/sdk-trace-base');
const protoExporter = require('@opentelemetry/exporter-trace-otlp-proto');
const jsonExporter = require('@opentelemetry/exporter-trace-otlp-http');

const url = process.env.OTLP_URL;
const protocol = process.env.OTLP_PROTOCOL || 'protobuf';
const Exporter = protocol === 'json' ? jsonExporter.OTLPTraceExporter : protoExporter.OTLPTraceExporter;
const provider = new BasicTracerProvider({
  resource: new Resource({ 'service.name': 'node-peer', 'process.pid': process.pid }),
});
provider.addSpanProcessor(new SimpleSpanProcessor(new Exporter({ url })));
const tracer = provider.getTracer('weft-interop-node', '1.0.0');
const propagator = new W3CTraceContextPropagator();
const getter = { get: (carrier, key) => carrier[key], keys: (carrier) => Object.keys(carrier) };
const setter = { set: (carrier, key, value) => { carrier[key] = value; } };

function asChild() {
  const carrier = {};
  if (process.env.TRACEPARENT) carrier.traceparent = process.env.TRACEPARENT;
  if (process.env.TRACESTATE) carrier.tracestate = process.env.TRACESTATE;
  // No context manager is registered: the parent context is passed to startSpan explicitly.
  const parent = propagator.extract(api.ROOT_CONTEXT, carrier, getter);
  const work = tracer.startSpan('node-work', {
    attributes: { 'node.flag': true, 'node.count': 3, 'node.ratio': 0.5, 'node.tags': ['a', 'b'] },
  }, parent);
  const inner = tracer.startSpan('node-inner', {}, api.trace.setSpan(parent, work));
  inner.addEvent('node-event', { step: 1 });
  inner.end();
  work.setStatus({ code: api.SpanStatusCode.OK });
  work.end();
}

function asParent(program) {
  const span = tracer.startSpan('node-parent', { kind: api.SpanKind.SERVER });
  const carrier = {};
  propagator.inject(api.trace.setSpan(api.ROOT_CONTEXT, span), carrier, setter);
  const env = Object.assign({}, process.env, { TRACEPARENT: carrier.traceparent });
  if (carrier.tracestate) env.TRACESTATE = carrier.tracestate;
  const result = spawnSync(program, [], { env, stdio: 'inherit' });
  span.setAttribute('child.exit_code', result.status === null ? -1 : result.status);
  span.end();
  return result.status;
}

const status = process.env.CHILD_PROGRAM ? asParent(process.env.CHILD_PROGRAM) : (asChild(), 0);
provider.shutdown().then(
  () => process.exit(status === 0 ? 0 : 3),
  (error) => { console.error('node peer: export failed:', error); process.exit(2); });
