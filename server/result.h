// The server reuses the engine's Status and Result: errors are values here too.
#pragma once

#include "digits/status.h"

namespace digits::server {
using digits::Result;
using digits::Status;
}  // namespace digits::server
