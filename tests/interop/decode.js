// Decodes what weft wrote with OpenTelemetry JavaScript's own protobufjs decoder
// (@opentelemetry/otlp-transformer's generated root.js), and prints it as JSON with ids in hex and
// 64-bit numbers as strings. Arguments: PROTOBUF_FILE [OTLP_JSON_FILE]. With a JSON file, that
// request is read too (OTLP/JSON's hex ids turned into bytes, as OTLP/JSON requires) by the same
// decoder (fromObject, which takes OTLP/JSON's
// decimal strings for 64-bit numbers), and printed second: {"protobuf": ..., "json": ...}.
'use strict';
const fs = require('fs');
const root = require('@opentelemetry/otlp-transformer/build/src/generated/root');

const Request = root.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
const ID_FIELDS = new Set(['traceId', 'spanId', 'parentSpanId']);

// Walks an object, converting id fields with `convert`.
function mapIds(value, convert) {
  if (Array.isArray(value)) return value.map((item) => mapIds(item, convert));
  if (value === null || typeof value !== 'object') return value;
  const out = {};
  for (const [key, item] of Object.entries(value)) {
    out[key] = ID_FIELDS.has(key) && typeof item === 'string' ? convert(item) : mapIds(item, convert);
  }
  return out;
}

function normalized(message) {
  const object = Request.toObject(message, { longs: String, enums: Number, bytes: String, oneofs: false });
  return mapIds(object, (base64) => Buffer.from(base64, 'base64').toString('hex'));
}

const output = {};
output.protobuf = normalized(Request.decode(fs.readFileSync(process.argv[2])));
if (process.argv[3]) {
  const json = JSON.parse(fs.readFileSync(process.argv[3], 'utf8'));
  const withBytes = mapIds(json, (hex) => Buffer.from(hex, 'hex').toString('base64'));
  output.json = normalized(Request.fromObject(withBytes));
}
process.stdout.write(JSON.stringify(output));
