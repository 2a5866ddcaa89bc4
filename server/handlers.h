// HTTP handlers: each parses and validates its request, calls into the app, and maps the
// result to a status. http_server.cpp binds them to paths. Each reports its status
// through `finished` (metrics and logs) just before it answers, also when it answers
// later: a client that reads /metrics right after its answer finds the request counted.
#pragma once

#include <pistache/http.h>

#include <functional>

#include "app.h"

namespace digits::server {

using Finished = std::function<void(int status)>;

void handle_log(App& app, const Pistache::Http::Request& request, Pistache::Http::ResponseWriter response,
                Finished finished);
void handle_history(App& app, const Pistache::Http::Request& request, Pistache::Http::ResponseWriter response,
                    Finished finished);
void handle_stats(App& app, const Pistache::Http::Request& request, Pistache::Http::ResponseWriter response,
                  Finished finished);
void handle_healthz(App& app, const Pistache::Http::Request& request, Pistache::Http::ResponseWriter response,
                    Finished finished);
void handle_readyz(App& app, const Pistache::Http::Request& request, Pistache::Http::ResponseWriter response,
                   Finished finished);
void handle_metrics(App& app, const Pistache::Http::Request& request, Pistache::Http::ResponseWriter response,
                    Finished finished);
// GET and HEAD of the web app's files; other methods get 405.
void handle_static(App& app, const Pistache::Http::Request& request, Pistache::Http::ResponseWriter response,
                   Finished finished);

}  // namespace digits::server
