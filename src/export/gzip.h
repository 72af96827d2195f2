// gzip (RFC 1952) over zlib: the OTLP exporter compresses request bodies with it, and
// `weft collect` inflates them with a limit on the decompressed size.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace weft::detail {

// Replaces `out` with the gzip stream of `data`; false only if zlib fails (out of memory).
bool gzip_compress(std::string_view data, std::string& out);

enum class GunzipResult { kOk, kMalformed, kTooLarge };

// Replaces `out` with the inflated `data`; stops with kTooLarge once more than `max_size` bytes
// would come out, so a small "zip bomb" cannot exhaust memory.
GunzipResult gzip_decompress(std::string_view data, std::size_t max_size, std::string& out);

}  // namespace weft::detail
