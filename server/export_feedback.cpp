#include "export_feedback.h"

#include <zlib.h>

#include <filesystem>
#include <vector>

#include "database.h"
#include "repository.h"

namespace digits::server {
namespace {

std::vector<uint8_t> idx_header(const std::vector<uint32_t>& dims) {
  std::vector<uint8_t> header = {0, 0, 0x08, static_cast<uint8_t>(dims.size())};
  for (uint32_t dim : dims) {
    for (int shift = 24; shift >= 0; shift -= 8) header.push_back(static_cast<uint8_t>(dim >> shift));
  }
  return header;
}

Status write_gz(const std::string& path, const std::vector<uint8_t>& header, const std::vector<uint8_t>& data) {
  const std::string partial = path + ".part";
  gzFile file = gzopen(partial.c_str(), "wb9");
  if (file == nullptr) return Status::error("cannot write " + partial);
  const bool written = gzwrite(file, header.data(), static_cast<unsigned>(header.size())) == static_cast<int>(header.size()) &&
                       (data.empty() || gzwrite(file, data.data(), static_cast<unsigned>(data.size())) == static_cast<int>(data.size()));
  if (gzclose(file) != Z_OK || !written) return Status::error("cannot write " + partial);
  std::error_code error;
  std::filesystem::rename(partial, path, error);  // all or nothing
  return error ? Status::error("cannot rename " + partial + ": " + error.message()) : Status::success();
}

}  // namespace

Status export_feedback(const Config& config, const std::string& directory, size_t& count) {
  std::error_code error;
  std::filesystem::create_directories(directory, error);
  if (error) return Status::error("cannot create " + directory + ": " + error.message());
  Result<std::unique_ptr<pqxx::connection>> connection = connect_database(config.connection_string());
  if (!connection.ok()) return connection.status();
  std::vector<uint8_t> images, labels;
  try {
    read_labelled_images(*connection.value(), [&](const std::vector<uint8_t>& image, int label) {
      images.insert(images.end(), image.begin(), image.end());
      labels.push_back(static_cast<uint8_t>(label));
    });
  } catch (const std::exception& e) {
    return Status::error(std::string("reading feedback failed: ") + e.what());
  }
  count = labels.size();
  const uint32_t n = static_cast<uint32_t>(count);
  DIGITS_TRY(write_gz(directory + "/feedback-images-idx3-ubyte.gz", idx_header({n, 28, 28}), images));
  return write_gz(directory + "/feedback-labels-idx1-ubyte.gz", idx_header({n}), labels);
}

}  // namespace digits::server
