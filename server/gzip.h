// gzip for replies built at run time (the statistics); the web app's files come
// precompressed from the build, and gunzip restores a file shipped only compressed.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

namespace digits::server {

// The gzip stream of text (zlib, best compression).
std::string gzip(const std::string& text);

// The content of a gzip stream; nullopt when it is not one, or when the content would
// be larger than max_bytes.
std::optional<std::string> gunzip(const std::string& compressed, size_t max_bytes);

}  // namespace digits::server
