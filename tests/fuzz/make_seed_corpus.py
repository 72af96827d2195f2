#!/usr/bin/env python3
"""Writes the text and protobuf seeds of tests/fuzz/corpus (the relay seeds come from weft's own
encoder, see README.md). Run from tests/fuzz; the output is committed, so CI never runs this."""
import os
import struct


def write(target, name, data):
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join("corpus", target, name), "wb") as out:
        out.write(data)


def varint(value):
    out = bytearray()
    while value >= 0x80:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def field(number, wire_type, payload):
    key = varint(number << 3 | wire_type)
    if wire_type == 2:
        return key + varint(len(payload)) + payload
    return key + payload


def text(number, value):
    return field(number, 2, value if isinstance(value, bytes) else value.encode())


def key_value(key, any_value):
    return text(1, key) + field(2, 2, any_value)


def otlp_request(with_everything):
    string_value = text(1, "checkout")
    int_value = field(3, 0, varint(42))
    double_value = field(4, 1, struct.pack("<d", 1.5))
    bool_value = field(2, 0, varint(1))
    array_value = field(5, 2, field(1, 2, int_value) + field(1, 2, string_value))
    kvlist_value = field(6, 2, field(1, 2, key_value("inner", bool_value)))
    resource = field(1, 2, key_value("service.name", string_value)) + field(
        1, 2, key_value("process.pid", int_value))
    span = text(1, bytes(range(1, 17))) + text(2, bytes(range(1, 9))) + text(5, "GET /cart")
    span += field(6, 0, varint(2)) + field(7, 1, struct.pack("<Q", 1700000000000000000))
    span += field(8, 1, struct.pack("<Q", 1700000000000001000))
    if with_everything:
        span += text(3, "vendor=value") + text(4, bytes(range(9, 17)))
        span += field(9, 2, key_value("double", double_value))
        span += field(9, 2, key_value("array", array_value))
        span += field(9, 2, key_value("map", kvlist_value))
        span += field(11, 2, field(1, 1, struct.pack("<Q", 1700000000000000500)) + text(2, "retry"))
        span += field(13, 2, text(1, bytes(range(17, 33))) + text(2, bytes(range(33, 41))))
        span += field(15, 2, text(2, "boom") + field(3, 0, varint(2)))
        span += field(16, 5, struct.pack("<I", 0x301))
    scope = field(1, 2, text(1, "weft.fuzz") + text(2, "1.0"))
    scope_spans = scope + field(2, 2, span)
    resource_spans = field(1, 2, resource) + field(2, 2, scope_spans)
    return field(1, 2, resource_spans)


for name, header in {
    "sampled": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
    "not_sampled": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00",
    "future_version": "cc-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-03-extra",
    "zero_trace_id": "00-00000000000000000000000000000000-b7ad6b7169203331-01",
    "uppercase": "00-0AF7651916CD43DD8448EB211C80319C-B7AD6B7169203331-01",
}.items():
    write("traceparent_fuzz", name, header)

for name, header in {
    "two_members": "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE",
    "multi_tenant": "tenant@vendor=value, other=x ,, third=y",
    "duplicate": "a=1,a=2",
    "long_value": "k=" + "v" * 250,
}.items():
    write("tracestate_fuzz", name, header)

for name, header in {
    "simple": "userId=alice,serverNode=DF%2028,isProduction=false",
    "properties": "key1=value1;property1;property2=x, key2 = value2",
    "percent": "k=%E2%9C%93%20ok,bad=%zz,empty=",
}.items():
    write("baggage_fuzz", name, header)

write("config_fuzz", "resource_and_sampler",
      "OTEL_SERVICE_NAME=checkout\nOTEL_RESOURCE_ATTRIBUTES=deployment.environment=prod,"
      "team=a%20b\nOTEL_TRACES_SAMPLER=parentbased_traceidratio\nOTEL_TRACES_SAMPLER_ARG=0.25\n")
write("config_fuzz", "limits_and_batch",
      "OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT=4\nOTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT=16\n"
      "OTEL_BSP_MAX_QUEUE_SIZE=100\nOTEL_BSP_SCHEDULE_DELAY=5\nOTEL_BSP_MAX_EXPORT_BATCH_SIZE=-3\n"
      "OTEL_SDK_DISABLED=false\nWEFT_STRICT_CONTEXT=1\n")
write("config_fuzz", "otlp",
      "OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318\nOTEL_EXPORTER_OTLP_HEADERS=api-key=a%3Db,"
      "x=y\nOTEL_EXPORTER_OTLP_TRACES_TIMEOUT=2500\nOTEL_EXPORTER_OTLP_COMPRESSION=gzip\n"
      "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL=http/json\n")

minimal = otlp_request(False)
everything = otlp_request(True)
write("collect_proto_fuzz", "minimal", minimal)
write("collect_proto_fuzz", "everything", everything)
write("collect_proto_fuzz", "empty", b"")
