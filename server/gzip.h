// gzip for replies built at run time (the statistics); the web app's files come
// precompressed from the build.
#pragma once

#include <string>

namespace digits::server {

// The gzip stream of text (zlib, best compression).
std::string gzip(const std::string& text);

}  // namespace digits::server
