// allot — a SCIM 2.0 provisioning server that turns identity into license
// seats. This file only parses the command line and hands over to a command.
#include <CLI/CLI.hpp>
#include <iostream>
#include <map>
#include <string_view>

#include "server/app/commands.h"
#include "server/policy/plugin_host_main.h"

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

  allot::app::OperatorTokenOptions operator_token;
  CLI::App* operator_token_cmd = app.add_subcommand(
      "operator-token", "Issue another operator token (the vendor's, for /operator/v1); print it as JSON");
  operator_token_cmd->add_option("--data-dir", operator_token.data_dir, "Data directory")
      ->required();
  operator_token_cmd->add_option("--db", operator_token.db_url,
                                 "Database URL (default: SQLite in DIR/allot.db)");

  // Every serve flag is a row of the settings table (server/app/config.h):
  // the flag's text is kept as given and checked by the same code as the
  // config file's value, so both are refused with the same sentence.
  std::string config_file;
  CLI::App* serve_cmd = app.add_subcommand("serve", "Serve SCIM 2.0 and the admin API");
  serve_cmd->add_option("--config", config_file, "JSON config file; flags override it");
  std::map<std::string_view, std::string> flag_text;
  for (const allot::app::Setting& setting : allot::app::Settings()) {
    // const: CLI11 would take a mutable string as the flag's result variable.
    const std::string help(setting.help);
    if (setting.kind == allot::app::Setting::Kind::kBool) {
      serve_cmd->add_flag(setting.Flag(), help);
    } else {
      serve_cmd->add_option(setting.Flag(), flag_text[setting.key], help);
    }
  }

  // The process a plugin runs in, started by serve (not for people: hidden).
  allot::policy::PluginHostOptions host;
  CLI::App* host_cmd = app.add_subcommand("plugin-host", "");
  host_cmd->group("");
  host_cmd->add_option("--fd", host.fd)->required();
  host_cmd->add_option("--plugin", host.plugin_path)->required();
  host_cmd->add_option("--tenant", host.tenant);
  host_cmd->add_option("--parent", host.parent);

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
  if (host_cmd->parsed()) return allot::policy::RunPluginHost(host);
  if (operator_token_cmd->parsed()) return allot::app::RunOperatorToken(operator_token);

  // Defaults, then the config file, then the flags given.
  allot::app::ServeConfig serve;
  if (!config_file.empty()) {
    if (auto s = allot::app::LoadConfigFile(config_file, serve); !s) {
      return Die(2, s.error().message);
    }
  }
  for (const allot::app::Setting& setting : allot::app::Settings()) {
    if (serve_cmd->count(setting.Flag()) == 0) continue;
    const std::string text =
        setting.kind == allot::app::Setting::Kind::kBool ? "true" : flag_text[setting.key];
    if (auto s = allot::app::ApplyFlag(serve, setting, text); !s) return Die(2, s.error().message);
  }
  if (serve.data_dir.empty()) return Die(2, "serve needs --data-dir (or \"data_dir\" in --config)");
  return allot::app::RunServe(serve);
}
