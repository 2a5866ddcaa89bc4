// HTTP/1.x request framing: the server's own, strict and bounded, in front of
// everything else. Pistache 0.0.5 serves the connections; its HTTP parser is not used
// (it re-reads an incomplete head from the start on every packet, reads a body of any
// announced size before refusing it, takes conflicting Content-Lengths, and drops
// pipelined requests). This one decides on every request from at most the bytes that
// show its fault, in time linear in them, and is fuzzed (server/fuzz).
//
//   ParseOutcome outcome = parse_request(buffer, limits);
//   if (outcome.kind == ParseOutcome::Kind::request) handle(outcome.request), buffer.erase(0, outcome.consumed);
//   if (outcome.kind == ParseOutcome::Kind::refused) answer(outcome.status, outcome.reason), close();
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "http_request.h"

namespace digits::server {

struct HttpLimits {
  size_t max_request_line = 8 * 1024;   // longer: 414
  size_t max_head = 16 * 1024;          // request line and headers; longer: 431
  size_t max_headers = 100;             // more: 431
  size_t max_body = 1 << 20;            // a larger Content-Length: 413, before any of it is read
};

struct ParseOutcome {
  enum class Kind { incomplete, request, refused };
  Kind kind = Kind::incomplete;
  // incomplete: whether the head is complete (only the body is awaited; consumed then
  // says how many bytes the whole request takes), and whether the client waits for
  // "100 Continue" before sending it.
  bool head_complete = false;
  bool expects_continue = false;
  // request: the request, and how many bytes of the buffer it took.
  HttpRequest request;
  size_t consumed = 0;
  // refused: the status to answer with, and why in words for the client. The
  // connection must be closed after the answer: its framing cannot be trusted.
  int status = 0;
  std::string reason;
};

// Frames the first request in buffer (the bytes received on a connection and not yet
// consumed).
ParseOutcome parse_request(std::string_view buffer, const HttpLimits& limits);

}  // namespace digits::server
