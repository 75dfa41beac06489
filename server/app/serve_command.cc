#include <pthread.h>
#include <signal.h>

#include <filesystem>
#include <thread>

#include "server/admin/admin_routes.h"
#include "server/admin/console_pages.h"
#include "server/app/commands.h"
#include "server/app/data_dir.h"
#include "server/app/docs_routes.h"
#include "server/admin/licenses_routes.h"
#include "server/admin/policies.h"
#include "server/app/ops_routes.h"
#include "server/auth/principal_cache.h"
#include "server/auth/app_tokens.h"
#include "server/auth/sessions.h"
#include "server/auth/operator_tokens.h"
#include "server/auth/tokens.h"
#include "server/base/log.h"
#include "server/entitlements/routes.h"
#include "server/http/server.h"
#include "server/http/tls.h"
#include "server/licensing/engine.h"
#include "server/licensing/expiry_sweeper.h"
#include "server/operator/routes.h"
#include "server/scim_api/routes.h"
#include "server/store/database.h"
#include "server/scim_api/user_search.h"
#include "server/store/migrations.h"
#include "server/webhooks/delivery_worker.h"

namespace allot::app {
namespace {

// Blocks the signals serve handles, in this thread and every thread it
// starts, so that only the signal thread (sigwait) receives them.
sigset_t BlockServeSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  return set;
}

// --policies, else DATA_DIR/policies when it exists; --plugins, else the
// "plugins" folder beside the binary.
std::pair<std::string, std::string> PolicyDirs(const ServeConfig& config) {
  std::error_code ec;
  std::string policies = config.policies_dir;
  if (policies.empty() && std::filesystem::is_directory(config.data_dir + "/policies", ec)) {
    policies = config.data_dir + "/policies";
  }
  std::string plugins = config.plugins_dir;
  if (plugins.empty()) {
    auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
    plugins = ec ? "plugins" : (exe.parent_path() / "plugins").string();
  }
  return {policies, plugins};
}

log::Level ParseLevel(const std::string& name) {
  if (name == "debug") return log::Level::kDebug;
  if (name == "warn") return log::Level::kWarn;
  if (name == "error") return log::Level::kError;
  return log::Level::kInfo;  // "info"; config.cc refuses anything else
}

// The credential each surface takes (server/http/surfaces.h), checked from
// the request head alone, before any body is read.
// Bearer tokens of tenants go through `principals` (auth/principal_cache.h).
http::Authenticator MakeAuthenticator(store::Database& database,
                                      auth::PrincipalCache& principals) {
  return [&database, &principals](const http::RequestHead& head,
                                  const http::SurfaceRule& rule) -> Result<auth::Principal> {
    switch (rule.credential) {
      case http::Credential::kScimToken:
        return principals.Authenticate(head.Header("Authorization"), auth::TokenKind::kScim);
      case http::Credential::kAdminToken:
        if (rule.surface == http::Surface::kAdmin && head.Header("Authorization").empty()) {
          // Without a bearer token the admin API takes the console's
          // session cookie; writes with it need X-Allot-CSRF
          // (server/auth/sessions.h).
          return auth::AuthenticateAdminRequest(database, head.Header("Authorization"),
                                                head.Header("Cookie"),
                                                head.Header(auth::kCsrfHeaderName), head.method);
        }
        return principals.Authenticate(head.Header("Authorization"), auth::TokenKind::kAdmin);
      case http::Credential::kOperatorToken: {
        auto who = auth::AuthenticateOperator(database, head.Header("Authorization"));
        // /metrics spans every tenant: a tenant's admin is told so (403),
        // not that its token is bad.
        if (!who && rule.surface == http::Surface::kMetrics &&
            auth::Authenticate(database, head.Header("Authorization"), auth::TokenKind::kAdmin)) {
          return Fail(ErrorCode::kForbidden,
                      "/metrics spans every tenant; it needs an operator token");
        }
        return who;
      }
      case http::Credential::kAppToken:
        return principals.Authenticate(head.Header("Authorization"), auth::TokenKind::kApp);
      case http::Credential::kNone:
        break;
    }
    return auth::Principal{};
  };
}

}  // namespace

int RunServe(const ServeConfig& config) {
  log::SetLevel(ParseLevel(config.log_level));
  auto listen = ParseListen(config.listen);
  if (!listen) return Die(2, listen.error().message);
  if (config.insecure_http && !IsLoopback(listen->host)) {
    return Die(2, "--insecure-http is refused on " + listen->host +
                      ": plain HTTP is allowed only on a loopback address (127.0.0.1, ::1); "
                      "serve HTTPS elsewhere");
  }
  if (config.tls_cert.empty() != config.tls_key.empty()) {
    return Die(2, "--tls-cert and --tls-key go together; give both or neither");
  }
  std::error_code ec;
  if (!config.webhook_ca_file.empty() &&
      !std::filesystem::is_regular_file(config.webhook_ca_file, ec)) {
    return Die(2, "--webhook-ca-file " + config.webhook_ca_file +
                      " is not a readable file; give a PEM file of CA certificates");
  }
  if (config.db_url.empty() && !std::filesystem::exists(config.data_dir + "/allot.db", ec)) {
    return Die(1, "no database in " + config.data_dir + ": run 'allot init --data-dir " +
                      config.data_dir + "' first");
  }

  http::ServerOptions options{
      .host = listen->host,
      .port = listen->port,
      .tls = !config.insecure_http,
      .threads = config.threads,
      .io_threads = config.io_threads,
      .limits = {.max_request_line_bytes = static_cast<size_t>(config.max_request_line_bytes),
                 .max_header_bytes = static_cast<size_t>(config.max_header_bytes),
                 .max_header_fields = static_cast<size_t>(config.max_header_fields),
                 .max_body_bytes = static_cast<size_t>(config.max_body_bytes)},
      .header_timeout_seconds = config.header_timeout_seconds,
      .keep_alive_timeout_seconds = config.keep_alive_timeout_seconds,
      .read_timeout_seconds = config.read_timeout_seconds,
      .write_timeout_seconds = config.write_timeout_seconds,
      .max_connections = config.max_connections,
      .queue_timeout_ms = config.queue_timeout_ms};
  if (auto s = PrepareDataDir(config.data_dir); !s) return Die(1, s.error().message);
  if (options.tls) {
    if (config.tls_cert.empty()) {
      auto paths = http::EnsureSelfSignedCertificate(config.data_dir + "/certs");
      if (!paths) return Die(1, paths.error().message);
      options.cert_file = paths->cert_file;
      options.key_file = paths->key_file;
    } else {
      options.cert_file = config.tls_cert;
      options.key_file = config.tls_key;
    }
  }

  const sigset_t signals = BlockServeSignals();
  // A peer that resets a connection must never kill the process.
  signal(SIGPIPE, SIG_IGN);

  const webhooks::DeliveryOptions delivery{
      .target = {.allow_private_networks = config.webhooks_allow_private_networks},
      .send = {.timeout = std::chrono::milliseconds(config.webhook_timeout_ms),
               .ca_file = config.webhook_ca_file},
      .retry = {.max_attempts = config.webhook_max_attempts,
                .base = std::chrono::milliseconds(config.webhook_retry_base_ms)},
      .retention = std::chrono::seconds(config.webhook_retention_seconds)};
  // A connection for each request worker, the webhook senders and a few
  // background threads.
  auto db = store::Database::Open({.url = DatabaseUrl(config.data_dir, config.db_url),
                                   .pool_size = config.threads + delivery.senders + 4});
  if (!db) return Die(1, db.error().message);
  if (auto s = store::Migrate(**db); !s) return Die(1, s.error().message);
  // Users written before migration 072 get the text the console's search
  // matches (a no-op once done; the search is exact without it, only slower).
  if (auto filled = scim_api::FillMissingUserSearchText(**db); !filled) {
    return Die(1, filled.error().message);
  } else if (*filled > 0) {
    log::Info("user search text filled", {{"users", *filled}});
  }

  http::Metrics metrics;
  http::Router router;
  AddOpsRoutes(router, **db, metrics);
  AddDocsRoutes(router);
  admin::AddRoutes(router, {.db = db->get()});
  admin::AddConsoleRoutes(router);

  auto [policies_dir, plugins_dir] = PolicyDirs(config);
  // Plugins run in plugin host processes: this binary as `allot plugin-host`.
  licensing::Engine engine(**db, {.policies_dir = policies_dir,
                                  .plugins_dir = plugins_dir,
                                  .host_executable = "/proc/self/exe",
                                  .plugin_timeout_ms = config.plugin_timeout_ms});
  engine.Start();
  // The licensing engine listens to every SCIM change that can move a seat.
  scim_api::AddRoutes(router, {.db = **db,
                               .listener = &engine,
                               .max_payload_bytes = static_cast<size_t>(config.max_body_bytes)});
  admin::AddCatalogRoutes(router, **db);
  operator_api::AddRoutes(router, **db, engine);
  admin::AddLicensesRoutes(router, engine);
  admin::AddPolicyRoutes(router, engine);
  entitlements::AddRoutes(router, **db);
  admin::AddWebhookRoutes(router, **db, delivery.target);

  store::Database& database = **db;
  auth::PrincipalCache principals(database);
  http::HttpServer server(options, router, MakeAuthenticator(database, principals), metrics);
  auto port = server.Bind();
  if (!port) return Die(1, port.error().message);

  std::thread signal_thread([&] {
    for (;;) {
      int sig = 0;
      if (sigwait(&signals, &sig) != 0) continue;
      if (sig == SIGHUP) {
        // Every tenant's policies from the files again; each tenant is
        // re-evaluated in the background.
        log::Info("SIGHUP: reloading policies");
        engine.ReloadPolicies();
        continue;
      }
      log::Info("shutting down: finishing requests in flight", {{"signal", sig}});
      // First the plugins: a request waiting for one (a looping plugin)
      // returns at once, so the server stops within its grace period.
      engine.Stop();
      server.Stop();
      return;
    }
  });

  // Expired overrides go within expiry_sweep_seconds, on every instance
  // (each is removed by exactly one).
  licensing::ExpirySweeper sweeper(database, std::chrono::seconds(config.expiry_sweep_seconds));
  sweeper.Start();
  // Webhook deliveries go out from here, after their changes commit.
  webhooks::DeliveryWorker deliveries(database, delivery);
  deliveries.Start();

  log::Info("listening", {{"host", listen->host},
                          {"port", *port},
                          {"scheme", options.tls ? "https" : "http"},
                          {"schema_version", store::LatestSchemaVersion()}});
  server.Run();
  signal_thread.join();
  deliveries.Stop();
  sweeper.Stop();
  log::Info("stopped");
  return 0;
}

}  // namespace allot::app
