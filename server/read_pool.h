// A few connections for the read endpoints, opened on demand and replaced when they break.
#pragma once

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "result.h"

namespace digits::server {

class ReadPool {
 public:
  ReadPool(std::string connection_string, int size);

  // Runs work with a connection; any exception becomes an error and the connection is
  // dropped (a broken one must not go back into the pool).
  Status with_connection(const std::function<void(pqxx::connection&)>& work);

 private:
  std::string connection_string_;
  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<pqxx::connection>> idle_;
  int free_slots_;
};

}  // namespace digits::server
