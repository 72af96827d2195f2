// Fuzzes the decoding of the messages a child process relays to its parent. Property: a message
// that decodes re-encodes to bytes that decode again and re-encode to the very same bytes.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "process/relay_codec.h"

namespace {

std::string reencode(const weft::detail::RelayMessage& message) {
  std::string out;
  if (message.type == weft::detail::RelayMessageType::kHello) {
    weft::detail::encode_relay_hello(message.pid, message.resource, out);
  } else {
    weft::SpanData span = message.span;
    span.scope = &message.scope;
    weft::detail::encode_relay_span(message.type, message.pid, span, out);
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const auto message = weft::detail::decode_relay_message(bytes);
  if (!message) return 0;
  const std::string encoded = reencode(*message);
  const auto decoded_again = weft::detail::decode_relay_message(encoded);
  WEFT_FUZZ_CHECK(decoded_again.has_value());
  WEFT_FUZZ_CHECK(decoded_again->type == message->type);
  WEFT_FUZZ_CHECK(decoded_again->pid == message->pid);
  WEFT_FUZZ_CHECK(reencode(*decoded_again) == encoded);
  return 0;
}
