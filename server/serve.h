// Running the server: connect, migrate, serve until SIGTERM or SIGINT, drain, exit.
#pragma once

#include "config.h"

namespace digits::server {

// Returns the process exit status: 0 after a clean shutdown.
int serve(const Config& config);
// Applies the migrations and returns.
int migrate(const Config& config);

}  // namespace digits::server
