#include "read_pool.h"

#include "database.h"

namespace digits::server {

ReadPool::ReadPool(std::string connection_string, int size)
    : connection_string_(std::move(connection_string)), free_slots_(size) {}

Status ReadPool::with_connection(const std::function<void(pqxx::connection&)>& work) {
  std::unique_ptr<pqxx::connection> connection;
  {
    std::unique_lock<std::mutex> lock(mutex_);
    available_.wait(lock, [this] { return free_slots_ > 0; });
    --free_slots_;
    if (!idle_.empty()) {
      connection = std::move(idle_.back());
      idle_.pop_back();
    }
  }
  auto give_back = [&](std::unique_ptr<pqxx::connection> keep) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (keep) idle_.push_back(std::move(keep));
    ++free_slots_;
    available_.notify_one();
  };
  if (!connection) {
    Result<std::unique_ptr<pqxx::connection>> opened = connect_database(connection_string_);
    if (!opened.ok()) {
      give_back(nullptr);
      return opened.status();
    }
    connection = opened.take();
  }
  try {
    work(*connection);
  } catch (const std::exception& error) {
    give_back(nullptr);
    return Status::error(error.what());
  }
  give_back(std::move(connection));
  return Status::success();
}

}  // namespace digits::server
