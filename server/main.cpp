// digits-server: serves the web app and stores predictions and feedback in PostgreSQL.
#include <CLI/CLI.hpp>

#include "config.h"
#include "export_feedback.h"
#include "health_probe.h"
#include "log.h"
#include "serve.h"

int main(int argc, char** argv) {
  using namespace digits::server;
  CLI::App cli{"digits-server: the web app's files, POST /log into PostgreSQL, history and statistics.\n"
               "Configuration comes from the environment (see .env.example)."};
  CLI::App* serve_command = cli.add_subcommand("serve", "Serve HTTP until SIGTERM (the default)");
  CLI::App* migrate_command = cli.add_subcommand("migrate", "Apply the SQL migrations and exit");
  std::string out = "feedback";
  CLI::App* export_command =
      cli.add_subcommand("export-feedback", "Write the labelled images as MNIST IDX files for retraining");
  export_command->add_option("--out", out, "Folder for feedback-{images,labels}-*.gz")->capture_default_str();
  CLI::App* health_command =
      cli.add_subcommand("healthcheck", "Exit 0 when the server on PORT answers GET /healthz (for HEALTHCHECK)");
  CLI11_PARSE(cli, argc, argv);
  (void)serve_command;

  digits::Result<Config> config = config_from_environment();
  if (!config.ok()) {
    log_error("bad configuration", {{"error", config.status().message()}});
    return 2;
  }
  if (migrate_command->parsed()) return migrate(config.value());
  if (health_command->parsed()) {
    const digits::Status health = probe_health(config.value(), 3000);
    if (!health.ok()) log_error("unhealthy", {{"error", health.message()}});
    return health.ok() ? 0 : 1;
  }
  if (export_command->parsed()) {
    size_t count = 0;
    const digits::Status status = export_feedback(config.value(), out, count);
    if (!status.ok()) {
      log_error("export failed", {{"error", status.message()}});
      return 1;
    }
    log_info("exported feedback", {{"samples", std::to_string(count)}, {"folder", out}});
    return 0;
  }
  return serve(config.value());
}
