#include "static_files.h"

#include <sys/stat.h>

#include <climits>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <vector>

#include "gzip.h"
#include "log.h"

namespace digits::server {
namespace {

constexpr size_t kMaxFileBytes = 64 << 20;

const char* const kNotFoundPage =
    "<!doctype html><head><meta charset=utf-8><title>Not found</title></head>"
    "<p>There is nothing here. <a href=\"./\">Draw a digit</a> instead.</p>\n";

// The not-found page's links are relative to the site's root; a <base> leads from the
// missing path's folder back up to it. Relative, not "/": behind a proxy that serves the
// site under a path ("/digits/..."), "/" is someone else's root.
std::string with_base(const std::string& page, std::string_view path) {
  std::string base;
  for (size_t i = 1; i < path.size(); ++i) {
    if (path[i] == '/') base += "../";
  }
  if (base.empty()) base = "./";
  const size_t head = page.find("<head>");
  const size_t at = head == std::string::npos ? 0 : head + 6;
  return page.substr(0, at) + "<base href=\"" + base + "\">" + page.substr(at);
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decodes a path; false for malformed escapes and bytes no file name needs.
bool decode_path(std::string_view raw, std::string& out) {
  out.clear();
  for (size_t i = 0; i < raw.size(); ++i) {
    char c = raw[i];
    if (c == '%') {
      if (i + 2 >= raw.size() || hex_value(raw[i + 1]) < 0 || hex_value(raw[i + 2]) < 0) return false;
      c = static_cast<char>(hex_value(raw[i + 1]) * 16 + hex_value(raw[i + 2]));
      i += 2;
    }
    if (c == '\0' || c == '\\') return false;
    out += c;
  }
  return !out.empty() && out[0] == '/';
}

// No "." or ".." segment, whatever its spelling was before decoding.
bool safe_segments(const std::string& path) {
  size_t start = 1;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    const std::string_view segment(path.data() + start, end - start);
    if (segment == "." || segment == "..") return false;
    start = end + 1;
  }
  return true;
}

std::shared_ptr<const std::string> read_whole(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return nullptr;
  std::ostringstream content;
  content << file.rdbuf();
  return std::make_shared<const std::string>(content.str());
}

// A precompressed variant, unless it is missing or older than the file it stands for
// (left from an earlier build).
std::shared_ptr<const std::string> read_if_as_new(const std::string& path, std::time_t modified) {
  struct stat info{};
  if (stat(path.c_str(), &info) != 0 || !S_ISREG(info.st_mode) || info.st_mtime < modified) return nullptr;
  return read_whole(path);
}

std::string etag_of(const std::string& content) {
  uint64_t hash = 1469598103934665603ull;  // FNV-1a: identity, not security
  for (unsigned char c : content) hash = (hash ^ c) * 1099511628211ull;
  char text[24];
  std::snprintf(text, sizeof(text), "\"%016llx\"", static_cast<unsigned long long>(hash));
  return text;
}

// Names like app.3f9a2c1b.wasm never change content: cache them for a year.
bool is_fingerprinted(std::string_view path) {
  const size_t slash = path.rfind('/');
  const std::string_view name = path.substr(slash == std::string_view::npos ? 0 : slash + 1);
  size_t run = 0;
  for (size_t i = 0; i < name.size(); ++i) {
    const bool hex = (name[i] >= '0' && name[i] <= '9') || (name[i] >= 'a' && name[i] <= 'f');
    if (hex) {
      ++run;
    } else {
      if (name[i] == '.' && run >= 8 && i >= run + 1 && name[i - run - 1] == '.') return true;
      run = 0;
    }
  }
  return false;
}

bool ends_with(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

}  // namespace

StaticFiles::StaticFiles(const std::string& root) {
  char resolved[PATH_MAX];
  root_ = realpath(root.c_str(), resolved) != nullptr ? resolved : root;
  while (root_.size() > 1 && root_.back() == '/') root_.pop_back();
}

std::string StaticFiles::content_type_for(std::string_view path) {
  static const std::pair<const char*, const char*> kTypes[] = {
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".map", "application/json"},
      {".webmanifest", "application/manifest+json"},
      {".wasm", "application/wasm"},
      {".onnx", "application/octet-stream"},
      {".png", "image/png"},
      {".svg", "image/svg+xml"},
      {".ico", "image/x-icon"},
      {".txt", "text/plain; charset=utf-8"},
      {".woff2", "font/woff2"},
  };
  for (const auto& [extension, type] : kTypes) {
    if (ends_with(path, extension)) return type;
  }
  return "application/octet-stream";
}

StaticResponse StaticFiles::not_found(std::string_view path) {
  StaticResponse response;
  response.status = 404;
  response.content_type = "text/html; charset=utf-8";
  response.cache_control = "no-cache";
  const std::optional<File> page = load(root_ + "/404.html");
  response.body = std::make_shared<const std::string>(with_base(page ? *page->body : kNotFoundPage, path));
  return response;
}

std::optional<StaticFiles::File> StaticFiles::load(const std::string& real_path) {
  const std::string gz_path = real_path + ".gz";
  struct stat info{};
  // The file itself, or NAME.gz when only that was shipped.
  const bool compressed_only = stat(real_path.c_str(), &info) != 0;
  if (compressed_only && stat(gz_path.c_str(), &info) != 0) return std::nullopt;
  if (!S_ISREG(info.st_mode) || static_cast<size_t>(info.st_size) > kMaxFileBytes) return std::nullopt;
  std::lock_guard<std::mutex> lock(mutex_);
  auto found = files_.find(real_path);
  if (found != files_.end() && found->second.modified == info.st_mtime && found->second.stored_bytes == info.st_size) {
    return found->second;
  }
  File file;
  file.modified = info.st_mtime;
  file.stored_bytes = info.st_size;
  if (compressed_only) {
    file.gzipped = read_whole(gz_path);
    if (!file.gzipped) return std::nullopt;
    std::optional<std::string> body = gunzip(*file.gzipped, kMaxFileBytes);
    if (!body) {
      log_error("not a gzip file, not served", {{"path", gz_path}});
      return std::nullopt;
    }
    file.body = std::make_shared<const std::string>(std::move(*body));
  } else {
    file.body = read_whole(real_path);
    if (!file.body) return std::nullopt;
    file.gzipped = read_if_as_new(gz_path, info.st_mtime);
  }
  file.brotli = read_if_as_new(real_path + ".br", info.st_mtime);
  file.etag = etag_of(*file.body);
  files_[real_path] = file;
  return file;
}

std::string StaticFiles::resolve(const std::string& decoded) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    const auto found = resolved_.find(decoded);
    if (found != resolved_.end()) return found->second;
  }
  char resolved[PATH_MAX];
  const std::string candidate = root_ + decoded;
  // realpath follows symlinks: a link pointing out of the root resolves outside it.
  std::string real_path;
  if (realpath(candidate.c_str(), resolved) != nullptr) {
    real_path = resolved;
    if (ends_with(real_path, ".gz") || ends_with(real_path, ".br")) return "";
  } else if (realpath((candidate + ".gz").c_str(), resolved) != nullptr && ends_with(resolved, ".gz")) {
    real_path = resolved;
    real_path.resize(real_path.size() - 3);
  } else {
    return "";
  }
  if (real_path.compare(0, root_.size() + 1, root_ + "/") != 0) return "";
  std::lock_guard<std::mutex> lock(mutex_);
  resolved_[decoded] = real_path;
  return real_path;
}

StaticResponse StaticFiles::get(std::string_view path, AcceptedEncodings accepted, std::string_view if_none_match) {
  std::string decoded;
  if (!decode_path(path, decoded) || !safe_segments(decoded)) return not_found(path);
  if (decoded.back() == '/') decoded += "index.html";

  const std::string real_path = resolve(decoded);
  if (real_path.empty()) return not_found(path);
  const std::optional<File> file = load(real_path);
  if (!file) {  // a directory, or gone since: resolve afresh next time
    {
      std::lock_guard<std::mutex> lock(mutex_);
      resolved_.erase(decoded);
    }
    return not_found(path);  // takes the lock itself
  }

  StaticResponse response;
  response.status = 200;
  response.content_type = content_type_for(real_path);
  response.cache_control = is_fingerprinted(real_path) ? "public, max-age=31536000, immutable" : "no-cache";
  response.varies_by_encoding = file->gzipped != nullptr || file->brotli != nullptr;
  response.body = file->body;
  response.etag = file->etag;
  // Each encoding is its own representation, with its own validator.
  const auto variant = [&](std::string_view encoding, std::string_view tag, std::shared_ptr<const std::string> body) {
    response.encoding = encoding;
    response.body = std::move(body);
    response.etag = file->etag.substr(0, file->etag.size() - 1) + std::string(tag) + "\"";
  };
  if (accepted.brotli && file->brotli) {
    variant("br", "-br", file->brotli);
  } else if (accepted.gzip && file->gzipped) {
    variant("gzip", "-gz", file->gzipped);
  }
  if (!if_none_match.empty() &&
      (if_none_match == "*" || if_none_match.find(response.etag) != std::string_view::npos)) {
    response.status = 304;
    response.body = nullptr;
  }
  return response;
}

}  // namespace digits::server
