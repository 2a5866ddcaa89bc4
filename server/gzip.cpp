#include "gzip.h"

#include <zlib.h>

#include <stdexcept>

namespace digits::server {

std::string gzip(const std::string& text) {
  z_stream stream{};
  // 15 window bits, +16 for a gzip header and trailer rather than zlib's.
  if (deflateInit2(&stream, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    throw std::runtime_error("zlib could not start");
  }
  std::string out(deflateBound(&stream, static_cast<uLong>(text.size())), '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  stream.avail_in = static_cast<uInt>(text.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  const int result = deflate(&stream, Z_FINISH);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  if (result != Z_STREAM_END) throw std::runtime_error("zlib could not compress");
  return out;
}

std::optional<std::string> gunzip(const std::string& compressed, size_t max_bytes) {
  z_stream stream{};
  // 15 window bits, +16: only a gzip stream is accepted.
  if (inflateInit2(&stream, 15 + 16) != Z_OK) return std::nullopt;
  std::string out;
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
  stream.avail_in = static_cast<uInt>(compressed.size());
  int result = Z_OK;
  char chunk[64 * 1024];
  while (result == Z_OK) {
    stream.next_out = reinterpret_cast<Bytef*>(chunk);
    stream.avail_out = sizeof chunk;
    result = inflate(&stream, Z_NO_FLUSH);
    if (result != Z_OK && result != Z_STREAM_END) break;
    out.append(chunk, sizeof chunk - stream.avail_out);
    if (out.size() > max_bytes) break;
  }
  inflateEnd(&stream);
  // Anything after the stream, or a stream cut short, is not a file we wrote.
  if (result != Z_STREAM_END || stream.avail_in != 0 || out.size() > max_bytes) return std::nullopt;
  return out;
}

}  // namespace digits::server
