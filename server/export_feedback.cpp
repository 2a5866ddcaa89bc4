#include "export_feedback.h"

#include <zlib.h>

#include <filesystem>
#include <vector>

#include "database.h"
#include "log.h"
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

// A gzip file written under a temporary name and renamed when complete: all or nothing.
class GzOutput {
 public:
  explicit GzOutput(std::string path) : path_(std::move(path)), partial_(path_ + ".part") {
    file_ = gzopen(partial_.c_str(), "wb9");
  }
  ~GzOutput() {
    if (file_ != nullptr) gzclose(file_);
    if (!finished_) std::filesystem::remove(partial_);
  }
  bool ok() const { return file_ != nullptr && ok_; }
  void write(const uint8_t* data, size_t size) {
    if (ok() && size > 0) ok_ = gzwrite(file_, data, static_cast<unsigned>(size)) == static_cast<int>(size);
  }
  Status finish() {
    const bool closed = file_ != nullptr && gzclose(file_) == Z_OK;
    file_ = nullptr;
    if (!closed || !ok_) return Status::error("cannot write " + partial_);
    std::error_code error;
    std::filesystem::rename(partial_, path_, error);
    if (error) return Status::error("cannot rename " + partial_ + ": " + error.message());
    finished_ = true;
    return Status::success();
  }

 private:
  std::string path_, partial_;
  gzFile file_ = nullptr;
  bool ok_ = true;
  bool finished_ = false;
};

}  // namespace

Status export_feedback(const Config& config, const std::string& directory, size_t& count) {
  std::error_code error;
  std::filesystem::create_directories(directory, error);
  if (error) return Status::error("cannot create " + directory + ": " + error.message());
  Result<std::unique_ptr<pqxx::connection>> connection = connect_database(config.connection_string());
  if (!connection.ok()) return connection.status();
  GzOutput images(directory + "/feedback-images-idx3-ubyte.gz");
  GzOutput labels(directory + "/feedback-labels-idx1-ubyte.gz");
  if (!images.ok() || !labels.ok()) return Status::error("cannot write in " + directory);
  // Written as read: the headers first (the count comes from the same snapshot), then
  // each row, so memory stays one page of rows whatever the number of drawings.
  size_t total = 0, written = 0;
  try {
    read_labelled_images(
        *connection.value(),
        [&](size_t rows) {
          total = rows;
          const std::vector<uint8_t> image_header = idx_header({static_cast<uint32_t>(rows), 28, 28});
          const std::vector<uint8_t> label_header = idx_header({static_cast<uint32_t>(rows)});
          images.write(image_header.data(), image_header.size());
          labels.write(label_header.data(), label_header.size());
        },
        [&](const uint8_t* image, int label) {
          const uint8_t byte = static_cast<uint8_t>(label);
          images.write(image, kImageBytes);
          labels.write(&byte, 1);
          if (++written % 100000 == 0) {
            log_info("exporting", {{"written", std::to_string(written)}, {"of", std::to_string(total)}});
          }
        });
  } catch (const std::exception& e) {
    return Status::error(std::string("reading feedback failed: ") + e.what());
  }
  count = written;
  DIGITS_TRY(images.finish());
  return labels.finish();
}

}  // namespace digits::server
