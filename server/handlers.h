// HTTP handlers: each validates its request, calls into the app, and maps the result
// to a status. http_server.cpp binds them to paths. Each answers once through its
// Responder, also when it answers later (POST /log after the commit); the router
// counts the answer just before it is written, so a client that reads /metrics right
// after its answer finds the request counted.
#pragma once

#include <string>

#include "app.h"
#include "http_connection.h"
#include "http_request.h"

namespace digits::server {

// Seconds a client should wait before trying again when the database cannot be reached.
inline constexpr int kDatabaseRetrySeconds = 2;

// 503 "the database is unavailable; <consequence>", with Retry-After: the one reply for it.
inline void respond_database_unavailable(const Responder& response, const std::string& consequence) {
  response.send_error(503, "the database is unavailable; " + consequence, kDatabaseRetrySeconds);
}

void handle_log(App& app, const HttpRequest& request, Responder response);
void handle_history(App& app, const HttpRequest& request, Responder response);
void handle_delete_history(App& app, const HttpRequest& request, Responder response);
void handle_stats(App& app, const HttpRequest& request, Responder response);
void handle_healthz(App& app, const HttpRequest& request, Responder response);
void handle_readyz(App& app, const HttpRequest& request, Responder response);
void handle_metrics(App& app, const HttpRequest& request, Responder response);
// GET and HEAD of the web app's files; other methods get 405.
void handle_static(App& app, const HttpRequest& request, Responder response);

}  // namespace digits::server
