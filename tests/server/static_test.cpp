// The web app's files: types, caching, compression, HEAD, and nothing outside the root.
#include <doctest/doctest.h>

#include "support.h"

using namespace digits::test;

TEST_CASE("files come with their type, security headers and cache policy") {
  LocalServer server;
  const int port = server.port();
  Response index = http(port, "GET", "/");
  REQUIRE(index.status == 200);
  CHECK(index.headers["content-type"] == "text/html; charset=utf-8");
  CHECK(index.headers["cache-control"] == "no-cache");
  CHECK(index.headers["cross-origin-opener-policy"] == "same-origin");
  CHECK(index.headers["cross-origin-embedder-policy"] == "require-corp");
  CHECK(index.headers["x-content-type-options"] == "nosniff");
  CHECK(index.headers["content-security-policy"].find("'wasm-unsafe-eval'") != std::string::npos);
  CHECK(index.body == "<!doctype html><title>Digits</title>\n");

  CHECK(http(port, "GET", "/app.mjs").headers["content-type"] == "text/javascript; charset=utf-8");
  CHECK(http(port, "GET", "/manifest.webmanifest").headers["content-type"] == "application/manifest+json");
  Response wasm = http(port, "GET", "/assets/engine.0123abcd.wasm");
  CHECK(wasm.headers["content-type"] == "application/wasm");
  CHECK(wasm.headers["cache-control"] == "public, max-age=31536000, immutable");
  CHECK(wasm.body.size() == 8);
}

TEST_CASE("ETag and If-None-Match give 304") {
  LocalServer server;
  Response first = http(server.port(), "GET", "/app.mjs");
  const std::string etag = first.headers["etag"];
  REQUIRE_FALSE(etag.empty());
  const Response again = http(server.port(), "GET", "/app.mjs", "", {{"If-None-Match", etag}});
  CHECK(again.status == 304);
  CHECK(again.body.empty());
  CHECK(http(server.port(), "GET", "/app.mjs", "", {{"If-None-Match", "\"other\""}}).status == 200);
}

TEST_CASE("precompressed variants go to clients that accept gzip") {
  LocalServer server;
  Response plain = http(server.port(), "GET", "/big.js");
  CHECK(plain.body.size() == 20000);
  CHECK(plain.headers["vary"] == "Accept-Encoding");
  CHECK(plain.headers.count("content-encoding") == 0);
  Response gz = http(server.port(), "GET", "/big.js", "", {{"Accept-Encoding", "deflate, gzip"}});
  CHECK(gz.headers["content-encoding"] == "gzip");
  CHECK(gz.body.size() < 200);
  CHECK(gz.headers["etag"] != plain.headers["etag"]);
  CHECK(gz.headers["content-type"] == "text/javascript; charset=utf-8");
}

TEST_CASE("Brotli variants go to clients that take br, gzip to those that take only gzip") {
  LocalServer server;
  const int port = server.port();
  Response plain = http(port, "GET", "/big.js");
  Response gz = http(port, "GET", "/big.js", "", {{"Accept-Encoding", "gzip"}});
  Response br = http(port, "GET", "/big.js", "", {{"Accept-Encoding", "gzip, deflate, br, zstd"}});
  CHECK(br.headers["content-encoding"] == "br");
  CHECK(br.body == kBrotliVariant);
  CHECK(br.headers["vary"] == "Accept-Encoding");
  CHECK(br.headers["content-type"] == "text/javascript; charset=utf-8");
  // Three representations, three validators, each answered by its own 304.
  CHECK(br.headers["etag"] != gz.headers["etag"]);
  CHECK(br.headers["etag"] != plain.headers["etag"]);
  CHECK(http(port, "GET", "/big.js", "", {{"Accept-Encoding", "br"}, {"If-None-Match", br.headers["etag"]}}).status ==
        304);
  // A weight of zero refuses a coding; "*" stands for those not named.
  const auto encoding = [&](const std::string& accept) {
    return http(port, "GET", "/big.js", "", {{"Accept-Encoding", accept}}).headers["content-encoding"];
  };
  CHECK(encoding("br;q=0, gzip") == "gzip");
  CHECK(encoding("gzip;q=0.5, br;q=0.000") == "gzip");
  CHECK(encoding("gzip;q=0") == "");
  CHECK(encoding("BR;Q=1") == "br");
  CHECK(encoding("*") == "br");
  CHECK(encoding("*;q=0, gzip") == "gzip");
  CHECK(encoding("gzip;q=0, *") == "br");
  CHECK(encoding("brotli, x-gzip") == "gzip");
  CHECK(encoding("identity") == "");
  // The .br itself is never a path.
  CHECK(http(port, "GET", "/big.js.br").status == 404);
}

TEST_CASE("a file there only as NAME.gz is served compressed, or decompressed to clients without gzip") {
  LocalServer server;
  const std::string expected = "export const packed = '" + std::string(3000, 'p') + "';\n";
  Response plain = http(server.port(), "GET", "/packed.js");
  CHECK(plain.status == 200);
  CHECK(plain.body == expected);
  CHECK(plain.headers.count("content-encoding") == 0);
  CHECK(plain.headers["content-type"] == "text/javascript; charset=utf-8");
  Response gz = http(server.port(), "GET", "/packed.js", "", {{"Accept-Encoding", "gzip"}});
  CHECK(gz.headers["content-encoding"] == "gzip");
  CHECK(gz.body.size() < 200);
  CHECK(gz.headers["etag"] != plain.headers["etag"]);
  CHECK(http(server.port(), "GET", "/packed.js", "", {{"If-None-Match", plain.headers["etag"]}}).status == 304);
  // Its .br beside it goes to clients that take Brotli, as beside any file.
  Response br = http(server.port(), "GET", "/packed.js", "", {{"Accept-Encoding", "gzip, br"}});
  CHECK(br.headers["content-encoding"] == "br");
  CHECK(br.body == kBrotliVariant);
  // The .gz itself is never a path, and a .gz that does not decompress is not served.
  CHECK(http(server.port(), "GET", "/packed.js.gz").status == 404);
  CHECK(http(server.port(), "GET", "/broken.js").status == 404);
  CHECK(http(server.port(), "GET", "/healthz").status == 200);
}

TEST_CASE("HEAD answers with the GET's headers and length but no body") {
  LocalServer server;
  Response head = http(server.port(), "HEAD", "/big.js");
  CHECK(head.status == 200);
  CHECK(head.headers["content-length"] == "20000");
  CHECK(head.headers["content-type"] == "text/javascript; charset=utf-8");
  CHECK(head.body.empty());
  CHECK(http(server.port(), "HEAD", "/missing").status == 404);
}

TEST_CASE("no path leaves the web root") {
  LocalServer server;
  const int port = server.port();
  for (const char* path : {"/../../../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd",
                           "/assets/../../etc/passwd", "//etc/passwd", "/leak.txt", "/.%2e/etc/passwd",
                           "/index.html%00.png", "/..%5c..%5cetc%5cpasswd", "/%zz"}) {
    CAPTURE(path);
    const Response response = http(port, "GET", path);
    CHECK(response.status == 404);
    CHECK(response.body.find("root:") == std::string::npos);
    CHECK(response.body.find("secret") == std::string::npos);
  }
  Response missing = http(port, "GET", "/nothing-here");
  CHECK(missing.status == 404);
  CHECK(missing.headers["content-type"] == "text/html; charset=utf-8");
  CHECK(missing.body.find("nothing here") != std::string::npos);
  // Its links lead back to the root from the missing path's folder, without naming "/"
  // (a proxy may serve the site under a path of its own).
  CHECK(missing.body.find("<head><base href=\"./\">") != std::string::npos);
  const Response deeper = http(port, "GET", "/a/b%2Fc/missing?x=/y");
  CHECK(deeper.status == 404);
  CHECK(deeper.body.find("<head><base href=\"../../\">") != std::string::npos);
  CHECK(http(port, "GET", "/a/").body.find("<base href=\"../\">") != std::string::npos);
  CHECK(http(port, "POST", "/index.html", "x").status == 405);
  CHECK(http(port, "DELETE", "/index.html").status == 405);
}

TEST_CASE("a directory is not a file: 404 at once, and the server keeps answering") {
  LocalServer server;
  for (int i = 0; i < 6; ++i) {  // more than the worker threads: a stuck thread would show
    const Response directory = http(server.port(), "GET", "/assets");
    CHECK(directory.status == 404);
  }
  CHECK(http(server.port(), "GET", "/healthz").status == 200);
  CHECK(http(server.port(), "GET", "/assets/engine.0123abcd.wasm").status == 200);
}
