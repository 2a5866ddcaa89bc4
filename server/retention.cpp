#include "retention.h"

#include "database.h"
#include "log.h"
#include "repository.h"

namespace digits::server {
namespace {

constexpr size_t kBatch = 5000;  // rows per statement: short locks, a steady walk

}  // namespace

Retention::Retention(std::string connection_string, int days, Metrics& metrics, std::chrono::milliseconds interval)
    : connection_string_(std::move(connection_string)),
      days_(days),
      metrics_(metrics),
      job_([this](const BackgroundJob& job) { clear_batches(job); }, interval) {}

void Retention::start() {
  if (days_ > 0) job_.start();
}

void Retention::clear_batches(const BackgroundJob& job) {
  Result<std::unique_ptr<pqxx::connection>> connection = connect_database(connection_string_);
  if (!connection.ok()) {
    log_warn("images not cleared", {{"error", connection.status().message()}});
    return;
  }
  size_t total = 0;
  try {
    for (size_t cleared = kBatch; cleared == kBatch && !job.stopping();) {
      cleared = clear_old_images(*connection.value(), days_, kBatch, from_);
      total += cleared;
      metrics_.count_images_cleared(cleared);
    }
  } catch (const std::exception& error) {
    log_warn("images not cleared", {{"error", error.what()}});
  }
  if (total > 0) {
    log_info("images cleared", {{"predictions", std::to_string(total)}, {"older_than_days", std::to_string(days_)}});
  }
}

}  // namespace digits::server
