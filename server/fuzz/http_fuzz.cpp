// libFuzzer target for the request framing (http_parser.h): whatever bytes arrive, in
// whatever pieces, the parser decides without crashing, reading out of bounds or
// consuming more than it was given, a request it frames is one it would frame again
// from its own bytes, and no piece of such a request is refused.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "http_parser.h"

using digits::server::HttpLimits;
using digits::server::ParseOutcome;
using digits::server::parse_request;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  HttpLimits limits;
  limits.max_request_line = 512;  // small limits reach every refusal with short inputs
  limits.max_head = 1024;
  limits.max_headers = 16;
  limits.max_body = 4096;
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  // As a connection sees it: first a prefix, then more, then all; then the pipelined rest.
  for (size_t cut : {size / 3, size / 2, size}) {
    const ParseOutcome partial = parse_request(bytes.substr(0, cut), limits);
    if (partial.kind == ParseOutcome::Kind::request && partial.consumed > cut) __builtin_trap();
  }
  for (int requests = 0; requests < 8 && !bytes.empty(); ++requests) {
    const ParseOutcome outcome = parse_request(bytes, limits);
    if (outcome.kind != ParseOutcome::Kind::request) break;
    if (outcome.consumed == 0 || outcome.consumed > bytes.size()) __builtin_trap();
    if (outcome.request.body.size() > limits.max_body) __builtin_trap();
    const ParseOutcome again = parse_request(bytes.substr(0, outcome.consumed), limits);
    if (again.kind != ParseOutcome::Kind::request || again.consumed != outcome.consumed) __builtin_trap();
    // The network may cut it anywhere: no part of a request it frames is refused.
    for (size_t cut = 0; cut < outcome.consumed; ++cut) {
      if (parse_request(bytes.substr(0, cut), limits).kind == ParseOutcome::Kind::refused) __builtin_trap();
    }
    (void)outcome.request.query_parameter("client_id");
    (void)outcome.request.is_json();
    // Any Accept-Encoding is read without fault; without one, no coding is taken.
    if (outcome.request.accepts_brotli() && !outcome.request.header("accept-encoding")) __builtin_trap();
    (void)outcome.request.accepts_gzip();
    bytes.remove_prefix(outcome.consumed);
  }
  return 0;
}
