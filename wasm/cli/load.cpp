#include "load.h"

#include <chrono>
#include <cstdio>

#include "files.h"

namespace digits::cli {

Result<std::unique_ptr<Classifier>> load_classifier(const std::string& path) {
  Result<std::vector<uint8_t>> bytes = read_file(path);
  if (!bytes.ok()) return bytes.status();
  Result<std::unique_ptr<Classifier>> classifier = Classifier::load(bytes.value().data(), bytes.value().size());
  if (!classifier.ok()) return classifier.status().within(path);
  return classifier;
}

int report(const Status& status) {
  std::fprintf(stderr, "digits: %s\n", status.message().c_str());
  return 1;
}

std::string json_escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char escaped[8];
      std::snprintf(escaped, sizeof(escaped), "\\u%04x", c);
      out += escaped;
    } else {
      out += c;
    }
  }
  return out;
}

double now_ms() {
  using namespace std::chrono;
  return duration<double, std::milli>(steady_clock::now().time_since_epoch()).count();
}

}  // namespace digits::cli
