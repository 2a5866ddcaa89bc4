// `digits-server healthcheck`: asks the running server's GET /healthz over loopback, so a
// container's HEALTHCHECK needs no curl (and none of its libraries) in the image.
#pragma once

#include "config.h"
#include "result.h"

namespace digits::server {

// OK when the server on config.port answers /healthz with 200 within `timeout_ms`; an
// error naming what went wrong (refused, timed out, another status) otherwise.
Status probe_health(const Config& config, int timeout_ms);

}  // namespace digits::server
