// gzip for replies built at run time (the statistics); the web app's files come
// precompressed from the build.
#pragma once

#include <pistache/http.h>

#include <string>

namespace digits::server {

// The gzip stream of text (zlib, best compression).
std::string gzip(const std::string& text);

// Whether the request's Accept-Encoding takes gzip.
bool accepts_gzip(const Pistache::Http::Request& request);

}  // namespace digits::server
