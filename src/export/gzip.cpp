#include "export/gzip.h"

#include <zlib.h>

#include <algorithm>

namespace weft::detail {
namespace {

constexpr int kGzipWindowBits = 15 + 16;  // 32 KiB window, gzip header and trailer
constexpr int kAutoDetectWindowBits = 15 + 32;
constexpr std::size_t kChunk = 64 * 1024;

}  // namespace

bool gzip_compress(std::string_view data, std::string& out) {
  z_stream stream{};
  if (deflateInit2(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, kGzipWindowBits, 8,
                   Z_DEFAULT_STRATEGY) != Z_OK) {
    return false;
  }
  out.resize(deflateBound(&stream, static_cast<uLong>(data.size())));
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  const int result = deflate(&stream, Z_FINISH);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  return result == Z_STREAM_END;
}

GunzipResult gzip_decompress(std::string_view data, std::size_t max_size, std::string& out) {
  out.clear();
  z_stream stream{};
  if (inflateInit2(&stream, kAutoDetectWindowBits) != Z_OK) return GunzipResult::kMalformed;
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  GunzipResult outcome = GunzipResult::kMalformed;
  char chunk[kChunk];
  for (;;) {
    stream.next_out = reinterpret_cast<Bytef*>(chunk);
    stream.avail_out = kChunk;
    const int result = inflate(&stream, Z_NO_FLUSH);
    const std::size_t produced = kChunk - stream.avail_out;
    if (out.size() + produced > max_size) {
      outcome = GunzipResult::kTooLarge;
      break;
    }
    if (out.size() + produced > out.capacity()) {
      // Grow by doubling, as append would, but never past the limit: the buffer of a body near
      // the limit must not end up nearly twice its size. (A string's own reserve() doubles past
      // what it is asked for; a fresh string's gets what it asks, for any size above 30.)
      std::string grown;
      grown.reserve(std::min(std::max(2 * out.capacity(), out.size() + produced), max_size));
      grown.append(out);
      out.swap(grown);
    }
    out.append(chunk, produced);
    if (result == Z_STREAM_END) {
      outcome = stream.avail_in == 0 ? GunzipResult::kOk : GunzipResult::kMalformed;
      break;
    }
    if (result != Z_OK) break;                         // corrupt data
    if (stream.avail_in == 0 && produced == 0) break;  // truncated stream
  }
  inflateEnd(&stream);
  return outcome;
}

}  // namespace weft::detail
