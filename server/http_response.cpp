#include "http_response.h"

#include <pistache/peer.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace digits::server {
namespace {

// Cross-origin isolation lets ONNX Runtime Web use threads; the CSP allows
// WebAssembly compilation and nothing from other origins.
const Headers& security_headers() {
  static const Headers kHeaders = {
      {"Cross-Origin-Opener-Policy", "same-origin"},
      {"Cross-Origin-Embedder-Policy", "require-corp"},
      {"Cross-Origin-Resource-Policy", "same-origin"},
      {"Content-Security-Policy",
       "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; connect-src 'self'; "
       "img-src 'self' data: blob:; style-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'; "
       "form-action 'self'"},
      {"X-Content-Type-Options", "nosniff"},
      {"Referrer-Policy", "no-referrer"},
  };
  return kHeaders;
}

// A header whose name is known only at run time. (Pistache writes only typed headers
// into responses; headers added with addRaw are dropped.)
class NamedHeader final : public Pistache::Http::Header::Header {
 public:
  NamedHeader(std::string name, std::string value) : name_(std::move(name)), value_(std::move(value)) {}
  const char* name() const override { return name_.c_str(); }
  void write(std::ostream& stream) const override { stream << value_; }
#ifdef SAFE_HEADER_CAST
  uint64_t hash() const override { return 0; }
#endif

 private:
  std::string name_;
  std::string value_;
};

const char* reason(int status) {
  switch (status) {
    case 200: return "OK";
    case 304: return "Not Modified";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    default: return "";
  }
}

// The security headers never change: built once and shared (read-only) by every response.
const std::vector<std::shared_ptr<Pistache::Http::Header::Header>>& shared_security_headers() {
  static const auto kShared = [] {
    std::vector<std::shared_ptr<Pistache::Http::Header::Header>> shared;
    for (const auto& [name, value] : security_headers()) shared.push_back(std::make_shared<NamedHeader>(name, value));
    return shared;
  }();
  return kShared;
}

}  // namespace

void send_response(Pistache::Http::ResponseWriter& response, int status, const Headers& headers,
                   const std::string& body) {
  for (const auto& header : shared_security_headers()) response.headers().add(header);
  for (const auto& [name, value] : headers) response.headers().add(std::make_shared<NamedHeader>(name, value));
  response.send(static_cast<Pistache::Http::Code>(status), body);
}

void send_head(Pistache::Http::ResponseWriter& response, int status, const Headers& headers, size_t content_length) {
  std::string head = "HTTP/1.1 " + std::to_string(status) + " " + reason(status) + "\r\n";
  const auto connection = response.headers().tryGet<Pistache::Http::Header::Connection>();
  head += connection && connection->control() == Pistache::Http::ConnectionControl::Close
              ? "Connection: close\r\n"
              : "Connection: keep-alive\r\n";
  for (const auto& [name, value] : security_headers()) head += name + ": " + value + "\r\n";
  for (const auto& [name, value] : headers) head += name + ": " + value + "\r\n";
  head += "Content-Length: " + std::to_string(content_length) + "\r\n\r\n";
  const std::shared_ptr<Pistache::Tcp::Peer> peer = response.getPeer();
  if (!peer) return;
  peer->setIdle(true);
  peer->send(Pistache::RawBuffer(head, head.size()));
}

void send_json(Pistache::Http::ResponseWriter& response, int status, const std::string& json, Headers headers) {
  headers.emplace_back("Content-Type", "application/json");
  headers.emplace_back("Cache-Control", "no-store");
  send_response(response, status, headers, json);
}

void send_error(Pistache::Http::ResponseWriter& response, int status, const std::string& message,
                int retry_after_seconds) {
  Headers headers;
  if (retry_after_seconds > 0) headers.emplace_back("Retry-After", std::to_string(retry_after_seconds));
  send_json(response, status, "{\"error\":" + json_string(message) + "}", std::move(headers));
}

std::string json_string(const std::string& text) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  writer.String(text.c_str(), static_cast<rapidjson::SizeType>(text.size()));
  return buffer.GetString();
}

}  // namespace digits::server
