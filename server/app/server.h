// flowkitd composed: stores and engine chosen by ServerOptions, the REST API on the HTTP server.
//
//   flowkit::server::Logger log;
//   auto server = flowkit::server::Server::Start(options, &log);
//   ... (*server)->port() ...
//   (*server)->Drain(10000);  // SIGTERM
//
// Threading: Start/Drain/destructor from one thread; everything else is internal.
#pragma once

#include <memory>
#include <string>

#include "app/services.h"
#include "flowkit/status.h"
#include "ops/log.h"

namespace flowkit::server {

class Server {
 public:
  // Opens the stores (creating the data directory), recovers the engine, reconciles flows with
  // the catalog and starts listening. Errors name what failed (a data directory written by a
  // newer flowkit, a port in use, an unknown adapter scheme).
  static Result<std::unique_ptr<Server>> Start(ServerOptions options, Logger* log);
  ~Server();  // Drain(0)
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  int port() const;
  std::string base_url() const;  // http://host:port
  Services& services();
  const class Router& router() const;

  // Stops accepting connections, waits up to timeout_ms for requests in flight (webhooks
  // waiting for their answer included), then shuts the engine down: queued work stays durably
  // queued and running flows resume at the next start. Returns whether everything in flight
  // finished in time. Idempotent.
  bool Drain(int64_t timeout_ms);

  struct Impl;

 private:
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace flowkit::server
