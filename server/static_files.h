// The built web app, served from memory: content types, ETags and 304s, cache policy,
// precompressed .br and .gz variants, and no path that leaves the web root.
#pragma once

#include <ctime>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include <sys/types.h>
#include <string_view>

namespace digits::server {

struct StaticResponse {
  int status = 404;
  std::string content_type;
  std::shared_ptr<const std::string> body;  // null for 304
  std::string etag;
  std::string cache_control;
  std::string_view encoding;  // "br" or "gzip" when body is that variant, else empty
  bool varies_by_encoding = false;
};

// The precompressed variants a request takes (its Accept-Encoding).
struct AcceptedEncodings {
  bool gzip = false;
  bool brotli = false;
};

class StaticFiles {
 public:
  // root: the web root; files are read when first asked for and again when they change.
  // A file may be there only as NAME.gz (the container image ships text and wasm only
  // compressed): clients that do not accept gzip get it decompressed once, in memory.
  // NAME.br beside it, when there, goes to clients that take Brotli: smaller than the .gz
  // (by 17% for the engine's .wasm, 27% for ONNX Runtime Web's). This server does not
  // decode Brotli; it serves the build's files as they are.
  explicit StaticFiles(const std::string& root);

  // path: the request path as received (percent-encoded, without the query).
  StaticResponse get(std::string_view path, AcceptedEncodings accepted, std::string_view if_none_match);

  static std::string content_type_for(std::string_view path);

 private:
  struct File {
    std::time_t modified = 0;
    off_t stored_bytes = 0;  // of the file on disk: NAME, or NAME.gz when only that exists
    std::shared_ptr<const std::string> body;
    std::shared_ptr<const std::string> gzipped;  // null when there is no .gz beside it
    std::shared_ptr<const std::string> brotli;   // null when there is no .br beside it
    std::string etag;
  };

  // path: as in get(), for the page's way back to the root.
  StaticResponse not_found(std::string_view path);
  // The cached file (a copy: shared bodies, so no lock is held while it is sent) for a
  // path already resolved inside the root; nullopt when it cannot be read.
  std::optional<File> load(const std::string& real_path);

  // The checked real path for a decoded request path: realpath() walks every component
  // with a system call, too slow to repeat per request. Only paths that resolved inside
  // the root are kept, so unknown paths cannot grow it. For a file there only as
  // NAME.gz, the real path of NAME.gz without its ".gz".
  std::string resolve(const std::string& decoded);

  std::string root_;  // real path, no trailing slash
  std::mutex mutex_;
  std::map<std::string, File> files_;
  std::map<std::string, std::string> resolved_;
};

}  // namespace digits::server
