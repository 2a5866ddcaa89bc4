// How often GET /api/stats's figures are refreshed and checked (stats_service.h).
#pragma once

#include <chrono>

namespace digits::server {

struct StatsTiming {
  std::chrono::milliseconds refresh{1000};   // how often the figures are read
  std::chrono::milliseconds max_age{10000};  // older figures are not served once reading fails (503)
  std::chrono::seconds verify{3600};         // recount this often, and at start; 0: never
};

}  // namespace digits::server
