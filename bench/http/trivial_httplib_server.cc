// trivial_httplib_server — the yardstick for the transport and entitlements
// benchmarks: a cpp-httplib server whose only route answers every GET (as
// GET /scim/v2/Users/{id} or /entitlements/v1/check) with a fixed JSON
// body, on a pool of the same size as allot's workers, TCP_NODELAY like
// allot. What it costs is the HTTP server alone.
//
//   trivial_httplib_server PORT BODY_BYTES [THREADS=32]
#include <httplib.h>

#include <cstdlib>
#include <iostream>
#include <string>

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: trivial_httplib_server PORT BODY_BYTES [THREADS]\n";
    return 2;
  }
  const int port = std::atoi(argv[1]);
  const size_t body_bytes = std::strtoul(argv[2], nullptr, 10);
  const size_t threads = argc > 3 ? std::strtoul(argv[3], nullptr, 10) : 32;
  // A JSON body of exactly body_bytes bytes.
  std::string body = R"({"pad":")";
  body += std::string(body_bytes > body.size() + 2 ? body_bytes - body.size() - 2 : 0, 'x');
  body += "\"}";

  httplib::Server server;
  server.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  server.set_tcp_nodelay(true);
  server.set_keep_alive_max_count(1000000);
  server.Get(R"(/.*)", [&body](const httplib::Request&, httplib::Response& res) {
    res.set_content(body, "application/scim+json");
  });
  std::cout << "listening on 127.0.0.1:" << port << std::endl;
  return server.listen("127.0.0.1", port) ? 0 : 1;
}
