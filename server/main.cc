// allot — a SCIM 2.0 provisioning server that turns identity into license
// seats. This file only parses the command line and hands over to a command.
#include <CLI/CLI.hpp>
#include <iostream>

#include "server/app/commands.h"

namespace {

constexpr const char* kVersion = "0.1.0";

}  // namespace

int main(int argc, char** argv) {
  using allot::app::Die;
  CLI::App app{"allot — SCIM 2.0 provisioning server that turns identity into license seats",
               "allot"};
  app.set_version_flag("--version", std::string("allot ") + kVersion);
  app.require_subcommand(1, 1);

  allot::app::InitOptions init;
  CLI::App* init_cmd = app.add_subcommand(
      "init", "Create (or migrate) the database and a tenant; print its tokens as JSON");
  init_cmd->add_option("--data-dir", init.data_dir, "Data directory")->required();
  init_cmd->add_option("--tenant", init.tenant, "Tenant id (default: default)");
  init_cmd->add_option("--db", init.db_url, "Database URL (default: SQLite in DIR/allot.db)");

  allot::app::ServeConfig serve;
  std::string config_file;
  CLI::App* serve_cmd = app.add_subcommand("serve", "Serve SCIM 2.0 and the admin API");
  serve_cmd->add_option("--config", config_file, "JSON config file; flags override it");
  serve_cmd->add_option("--data-dir", serve.data_dir, "Data directory");
  serve_cmd->add_option("--listen", serve.listen, "HOST:PORT (default 127.0.0.1:8443)");
  serve_cmd->add_option("--tls-cert", serve.tls_cert, "PEM certificate (default: self-signed in DIR/certs)");
  serve_cmd->add_option("--tls-key", serve.tls_key, "PEM private key");
  serve_cmd->add_flag("--insecure-http", serve.insecure_http, "Plain HTTP, loopback only");
  serve_cmd->add_option("--policies", serve.policies_dir, "Policies directory");
  serve_cmd->add_option("--plugins", serve.plugins_dir, "Plugins directory");
  serve_cmd->add_option("--db", serve.db_url, "Database URL (default: SQLite in DIR/allot.db)");
  serve_cmd->add_option("--threads", serve.threads, "HTTP worker threads")->check(CLI::Range(1, 1024));

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    return Die(2, std::string(e.what()) + "; see 'allot --help'");
  }

  if (init_cmd->parsed()) return allot::app::RunInit(init);

  if (!config_file.empty()) {
    // Flags win over the file: load the file into a fresh config, then
    // re-apply what was given on the command line.
    allot::app::ServeConfig from_file;
    if (auto s = allot::app::LoadConfigFile(config_file, from_file); !s) {
      return Die(2, s.error().message);
    }
    auto given = [&](const char* flag) { return serve_cmd->count(flag) > 0; };
    if (!given("--data-dir")) serve.data_dir = from_file.data_dir;
    if (!given("--listen")) serve.listen = from_file.listen;
    if (!given("--tls-cert")) serve.tls_cert = from_file.tls_cert;
    if (!given("--tls-key")) serve.tls_key = from_file.tls_key;
    if (!given("--insecure-http")) serve.insecure_http = from_file.insecure_http;
    if (!given("--policies")) serve.policies_dir = from_file.policies_dir;
    if (!given("--plugins")) serve.plugins_dir = from_file.plugins_dir;
    if (!given("--db")) serve.db_url = from_file.db_url;
    if (!given("--threads")) serve.threads = from_file.threads;
    serve.max_body_bytes = from_file.max_body_bytes;
    serve.read_timeout_seconds = from_file.read_timeout_seconds;
    serve.keep_alive_timeout_seconds = from_file.keep_alive_timeout_seconds;
    serve.queue_timeout_ms = from_file.queue_timeout_ms;
    serve.log_level = from_file.log_level;
    serve.expiry_sweep_seconds = from_file.expiry_sweep_seconds;
  }
  if (serve.data_dir.empty()) return Die(2, "serve needs --data-dir (or \"data_dir\" in --config)");
  return allot::app::RunServe(serve);
}
