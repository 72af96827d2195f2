// The messages a child process sends its parent over the relay socket: one message per datagram
// (SOCK_SEQPACKET), in a compact binary form both sides of one weft build agree on.
//
//   kHello  — the sending process's resource, before its first span message
//   kStart  — a span as it started (so the parent can report it if the child dies first)
//   kEnd    — a finished span, complete
//
// Every message starts with its type, a format version and the sender's pid: processes forked
// from a relaying child share its socket, and the parent tells them apart by pid.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "weft/resource.h"
#include "weft/span_data.h"

namespace weft::detail {

enum class RelayMessageType : std::uint8_t { kHello = 1, kStart = 2, kEnd = 3 };

inline constexpr std::uint8_t kRelayFormatVersion = 1;

// Appends one message to `out` (which is cleared first).
void encode_relay_hello(std::int32_t pid, const Resource& resource, std::string& out);
void encode_relay_span(RelayMessageType type, std::int32_t pid, const SpanData& span,
                       std::string& out);

// A decoded message. For span messages, `span` holds everything but the scope and resource
// pointers: the scope is in `scope`, the resource is the sender's (from its hello).
struct RelayMessage {
  RelayMessageType type = RelayMessageType::kHello;
  std::int32_t pid = 0;
  Resource resource;            // kHello
  SpanData span;                // kStart, kEnd
  InstrumentationScope scope;   // kStart, kEnd
};

// Decodes one whole message; nullopt for anything malformed, truncated or of another version.
// Never reads outside `bytes`, and never allocates more than `bytes` can describe.
std::optional<RelayMessage> decode_relay_message(std::string_view bytes);

}  // namespace weft::detail
