#include "feedback_catch_up.h"

#include <algorithm>
#include <chrono>

#include "database.h"
#include "log.h"
#include "repository.h"

namespace digits::server {
namespace {

// Feedback ids per statement: a few hundred milliseconds each, well inside the
// statement timeout, with nothing locked where nothing waits.
constexpr int64_t kSlice = 50000;

}  // namespace

FeedbackCatchUp::FeedbackCatchUp(std::string connection_string)
    : connection_string_(std::move(connection_string)), job_([this](const BackgroundJob& job) { walk(job); }) {}

void FeedbackCatchUp::walk(const BackgroundJob& job) {
  const auto started = std::chrono::steady_clock::now();
  Result<std::unique_ptr<pqxx::connection>> connection = connect_database(connection_string_);
  if (!connection.ok()) {
    log_warn("waiting feedback not applied", {{"error", connection.status().message()}});
    return;
  }
  try {
    const int64_t last = last_feedback_id(*connection.value());
    for (int64_t after = 0; after < last; after += kSlice) {
      if (job.stopping()) return;
      apply_waiting_feedback(*connection.value(), after, std::min(after + kSlice, last));
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    log_info("waiting feedback applied", {{"feedback_checked", std::to_string(last)}, {"seconds", std::to_string(seconds)}});
  } catch (const std::exception& error) {
    log_warn("waiting feedback not applied", {{"error", error.what()}});
  }
}

}  // namespace digits::server
