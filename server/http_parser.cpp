#include "http_parser.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <initializer_list>
#include <optional>

namespace digits::server {
namespace {

constexpr size_t kMaxMethod = 16;
constexpr std::string_view kCrlf = "\r\n";

bool is_token_char(unsigned char c) {
  return std::isalnum(c) != 0 || (c != 0 && std::strchr("!#$%&'*+-.^_`|~", c) != nullptr);
}

bool is_target_char(unsigned char c) { return c > 0x20 && c < 0x7f; }

// Field values: visible characters, spaces, tabs and obs-text; no other controls.
bool is_value_char(unsigned char c) { return c == '\t' || (c >= 0x20 && c != 0x7f); }

ParseOutcome refuse(int status, std::string reason) {
  ParseOutcome outcome;
  outcome.kind = ParseOutcome::Kind::refused;
  outcome.status = status;
  outcome.reason = std::move(reason);
  return outcome;
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// Whether a line break is anything but CR LF: a bare LF or CR is how requests are
// smuggled past proxies that read them differently. (A CR at the very end of what has
// arrived may be followed by its LF in the next packet.)
bool bare_line_break(std::string_view text) {
  for (size_t at = text.find_first_of("\r\n"); at != std::string_view::npos; at = text.find_first_of("\r\n", at + 1)) {
    if (text[at] == '\n' && (at == 0 || text[at - 1] != '\r')) return true;
    if (text[at] == '\r' && at + 1 < text.size() && text[at + 1] != '\n') return true;
  }
  return false;
}

// Whether a comma-separated header value holds token (case-insensitive).
bool has_token(std::string_view value, std::string_view token) {
  while (!value.empty()) {
    const size_t comma = value.find(',');
    if (lower(trim(value.substr(0, comma))) == token) return true;
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  return false;
}

// Whether an Accept-Encoding value takes one of the codings: named with a weight above
// zero ("gzip;q=0" refuses gzip), or left to "*" when none of them is named (RFC 9110,
// 12.5.3).
bool accepts_encoding(const std::string* accept, std::initializer_list<std::string_view> codings) {
  if (accept == nullptr) return false;
  bool any = false;  // what "*" says
  for (std::string_view rest = *accept; !rest.empty();) {
    const size_t comma = rest.find(',');
    const std::string_view item = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    const size_t semicolon = item.find(';');
    const std::string name = lower(trim(item.substr(0, semicolon)));
    const bool named = std::find(codings.begin(), codings.end(), name) != codings.end();
    if (!named && name != "*") continue;
    const std::string parameter =
        semicolon == std::string_view::npos ? "" : lower(trim(item.substr(semicolon + 1)));
    // A weight is 0 to 1 with up to three decimals; only an all-zero one refuses.
    const bool weighted = parameter.rfind("q=", 0) != 0 || parameter.find_first_not_of("0.", 2) != std::string::npos;
    if (named) return weighted;
    any = weighted;
  }
  return any;
}

// The request line as far as it has arrived: refused at the first byte that cannot
// belong to one, instead of waiting for a line that will never be right.
std::optional<ParseOutcome> check_partial_line(std::string_view line) {
  // The line may have arrived up to its CR, the LF still on its way.
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  size_t i = 0;
  for (; i < line.size() && line[i] != ' '; ++i) {
    if (!is_token_char(static_cast<unsigned char>(line[i])) || i >= kMaxMethod) {
      return refuse(400, "a request starts with a method such as GET or POST");
    }
  }
  if (i == line.size()) return std::nullopt;
  if (i == 0) return refuse(400, "a request starts with a method such as GET or POST");
  for (++i; i < line.size() && line[i] != ' '; ++i) {
    if (!is_target_char(static_cast<unsigned char>(line[i]))) {
      return refuse(400, "the request target holds a character that must be percent-encoded");
    }
  }
  if (i == line.size()) return std::nullopt;
  const std::string_view version = line.substr(i + 1);
  constexpr std::string_view kPrefix = "HTTP/1.";
  if (version.substr(0, kPrefix.size()) != kPrefix.substr(0, std::min(version.size(), kPrefix.size())) ||
      version.size() > kPrefix.size() + 1) {
    return refuse(400, "the request line must end with HTTP/1.1 or HTTP/1.0");
  }
  return std::nullopt;
}

std::optional<ParseOutcome> parse_request_line(std::string_view line, HttpRequest& request) {
  const size_t first = line.find(' ');
  const size_t second = first == std::string_view::npos ? first : line.find(' ', first + 1);
  if (second == std::string_view::npos || line.find(' ', second + 1) != std::string_view::npos) {
    return refuse(400, "the request line must be METHOD /target HTTP/1.1, single spaces between");
  }
  const std::string_view method = line.substr(0, first), target = line.substr(first + 1, second - first - 1);
  const std::string_view version = line.substr(second + 1);
  if (method.empty() || method.size() > kMaxMethod ||
      !std::all_of(method.begin(), method.end(), [](char c) { return is_token_char(static_cast<unsigned char>(c)); })) {
    return refuse(400, "a request starts with a method such as GET or POST");
  }
  if (target.empty() || target[0] != '/' ||
      !std::all_of(target.begin(), target.end(), [](char c) { return is_target_char(static_cast<unsigned char>(c)); })) {
    return refuse(400, "the request target must be a path starting with /, with unsafe characters percent-encoded");
  }
  if (version == "HTTP/1.1") {
    request.minor_version = 1;
  } else if (version == "HTTP/1.0") {
    request.minor_version = 0;
  } else if (version.substr(0, 5) == "HTTP/") {
    return refuse(505, "only HTTP/1.1 and HTTP/1.0 are served");
  } else {
    return refuse(400, "the request line must end with HTTP/1.1 or HTTP/1.0");
  }
  request.method = std::string(method);
  const size_t question = target.find('?');
  request.path = std::string(target.substr(0, question));
  if (question != std::string_view::npos) request.query = std::string(target.substr(question + 1));
  return std::nullopt;
}

std::optional<ParseOutcome> parse_headers(std::string_view block, const HttpLimits& limits, HttpRequest& request) {
  while (!block.empty()) {
    const size_t end = block.find(kCrlf);
    const std::string_view line = block.substr(0, end);
    block.remove_prefix(end == std::string_view::npos ? block.size() : end + 2);
    if (line.front() == ' ' || line.front() == '\t') return refuse(400, "folded header lines are not accepted");
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) return refuse(400, "a header line must be Name: value");
    const std::string_view name = line.substr(0, colon);
    if (!std::all_of(name.begin(), name.end(), [](char c) { return is_token_char(static_cast<unsigned char>(c)); })) {
      return refuse(400, "a header name holds a character names cannot have (no space before the colon)");
    }
    const std::string_view value = trim(line.substr(colon + 1));
    if (!std::all_of(value.begin(), value.end(), [](char c) { return is_value_char(static_cast<unsigned char>(c)); })) {
      return refuse(400, "the value of header " + std::string(name) + " holds a control character");
    }
    if (request.headers.size() >= limits.max_headers) {
      return refuse(431, "more than " + std::to_string(limits.max_headers) + " headers");
    }
    request.headers.emplace_back(lower(name), std::string(value));
  }
  return std::nullopt;
}

size_t count_header(const HttpRequest& request, std::string_view name) {
  return static_cast<size_t>(std::count_if(request.headers.begin(), request.headers.end(),
                                           [&](const auto& header) { return header.first == name; }));
}

// The body's length from the framing headers, refusing anything ambiguous.
std::optional<ParseOutcome> body_length(const HttpRequest& request, const HttpLimits& limits, size_t& length) {
  const size_t lengths = count_header(request, "content-length");
  if (lengths > 1) return refuse(400, "more than one Content-Length header");
  if (count_header(request, "transfer-encoding") > 0) {
    return lengths > 0 ? refuse(400, "both Content-Length and Transfer-Encoding: send one Content-Length")
                       : refuse(411, "send the body with a Content-Length (Transfer-Encoding is not accepted)");
  }
  length = 0;
  if (lengths == 0) return std::nullopt;
  const std::string& text = *request.header("content-length");
  if (text.empty() || text.size() > 19 ||
      !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return refuse(400, "Content-Length must be a whole number of bytes");
  }
  const unsigned long long declared = std::stoull(text);
  if (declared > limits.max_body) {
    return refuse(413, "the body of " + text + " bytes is larger than " + std::to_string(limits.max_body) +
                           " bytes; send fewer records per request");
  }
  length = static_cast<size_t>(declared);
  return std::nullopt;
}

}  // namespace

ParseOutcome parse_request(std::string_view buffer, const HttpLimits& limits) {
  // A client may send an empty line or two before a request (RFC 9112, 2.2).
  size_t start = 0;
  while (start < 4 && buffer.substr(start, 2) == kCrlf) start += 2;
  const size_t line_end = buffer.find(kCrlf, start);
  if (line_end == std::string_view::npos) {
    const std::string_view partial = buffer.substr(start);
    if (partial.size() > limits.max_request_line) return refuse(414, "the request line is longer than 8 KiB");
    if (bare_line_break(partial)) return refuse(400, "lines must end with CR LF");
    if (auto refused = check_partial_line(partial)) return *refused;
    return ParseOutcome{};
  }
  if (line_end - start > limits.max_request_line) return refuse(414, "the request line is longer than 8 KiB");

  ParseOutcome outcome;
  HttpRequest& request = outcome.request;
  if (auto refused = parse_request_line(buffer.substr(start, line_end - start), request)) return *refused;
  const size_t head_end = buffer.find("\r\n\r\n", line_end);
  const size_t head_limit = start + limits.max_head;
  if (head_end == std::string_view::npos) {
    if (buffer.size() > head_limit) return refuse(431, "the request's headers are larger than 16 KiB");
    if (bare_line_break(buffer.substr(line_end + 2))) return refuse(400, "lines must end with CR LF");
    return outcome;  // incomplete
  }
  if (head_end + 4 > head_limit) return refuse(431, "the request's headers are larger than 16 KiB");
  const std::string_view block =
      head_end > line_end ? buffer.substr(line_end + 2, head_end - line_end - 2) : std::string_view();
  if (bare_line_break(block) || (!block.empty() && block.back() == '\r')) {
    return refuse(400, "lines must end with CR LF");
  }
  if (auto refused = parse_headers(block, limits, request)) return *refused;
  if (request.minor_version == 1 && count_header(request, "host") != 1) {
    return refuse(400, "an HTTP/1.1 request needs exactly one Host header");
  }
  size_t length = 0;
  if (auto refused = body_length(request, limits, length)) return *refused;

  const std::string* connection = request.header("connection");
  request.keep_alive = request.minor_version == 1 ? !(connection && has_token(*connection, "close"))
                                                  : connection && has_token(*connection, "keep-alive");
  const size_t body_start = head_end + 4;
  if (buffer.size() - body_start < length) {
    outcome.head_complete = true;
    const std::string* expect = request.header("expect");
    outcome.expects_continue = expect != nullptr && lower(*expect) == "100-continue";
    outcome.request = HttpRequest{};
    outcome.consumed = body_start + length;
    return outcome;  // incomplete: the body is on its way
  }
  request.body = std::string(buffer.substr(body_start, length));
  outcome.kind = ParseOutcome::Kind::request;
  outcome.consumed = body_start + length;
  return outcome;
}

const std::string* HttpRequest::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (key == name) return &value;
  }
  return nullptr;
}

std::optional<std::string> HttpRequest::query_parameter(std::string_view name) const {
  std::string_view rest = query;
  while (!rest.empty()) {
    const size_t amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    rest.remove_prefix(amp == std::string_view::npos ? rest.size() : amp + 1);
    const size_t equals = pair.find('=');
    if (pair.substr(0, equals) != name) continue;
    const std::string_view raw = equals == std::string_view::npos ? std::string_view() : pair.substr(equals + 1);
    std::string value;
    for (size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] == '%') {
        if (i + 2 >= raw.size() || !std::isxdigit(static_cast<unsigned char>(raw[i + 1])) ||
            !std::isxdigit(static_cast<unsigned char>(raw[i + 2]))) {
          return std::nullopt;
        }
        value += static_cast<char>(std::stoi(std::string(raw.substr(i + 1, 2)), nullptr, 16));
        i += 2;
      } else {
        value += raw[i] == '+' ? ' ' : raw[i];
      }
    }
    return value;
  }
  return std::nullopt;
}

bool HttpRequest::is_json() const {
  const std::string* type = header("content-type");
  return type != nullptr && lower(trim(std::string_view(*type).substr(0, type->find(';')))) == "application/json";
}

bool HttpRequest::accepts_gzip() const { return accepts_encoding(header("accept-encoding"), {"gzip", "x-gzip"}); }

bool HttpRequest::accepts_brotli() const { return accepts_encoding(header("accept-encoding"), {"br"}); }

}  // namespace digits::server
