// The HTTP client: requests/s against a loopback server (flowkitd's HTTP server answering 2 bytes)
// with N requests in flight at once, all on the client's one I/O thread.
//
//   flowkit_bench --benchmark_filter=HttpClient
//
// Each iteration starts N requests and waits for all N; connections are reused across
// iterations. Counter: requests/s.
#include <benchmark/benchmark.h>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>

#include "flowkit/http_client.h"
#include "http/http_server.h"

namespace flowkit {
namespace {

void BM_HttpClientConcurrent(benchmark::State& state) {
  const int in_flight = static_cast<int>(state.range(0));
  auto server = server::HttpServer::Start({}, [](server::HttpRequest&&, std::shared_ptr<server::Responder> r) {
    r->Reply(server::HttpResponse::WithText(200, "ok"));
  });
  auto client = NewCurlHttpClient({});
  if (!server.ok() || !client.ok()) {
    state.SkipWithError("could not start the server or the client");
    return;
  }
  const std::string url = "http://127.0.0.1:" + std::to_string((*server)->port()) + "/bench";
  std::mutex mu;
  std::condition_variable cv;
  int64_t failures = 0;
  for (auto _ : state) {
    int remaining = in_flight;
    for (int i = 0; i < in_flight; ++i) {
      Status started = (*client)->Start({.url = url}, [&](Result<HttpResponse> result) {
        std::lock_guard<std::mutex> lock(mu);
        if (!result.ok() || result->status != 200) ++failures;
        if (--remaining == 0) cv.notify_one();
      });
      if (!started.ok()) {
        state.SkipWithError(started.ToString().c_str());
        return;
      }
    }
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return remaining == 0; });
  }
  if (failures > 0) state.SkipWithError("some requests failed");
  state.SetItemsProcessed(state.iterations() * in_flight);
  state.counters["req/s"] =
      benchmark::Counter(static_cast<double>(state.iterations() * in_flight), benchmark::Counter::kIsRate);
  client->reset();
  (*server)->Stop(1000);
}
BENCHMARK(BM_HttpClientConcurrent)->Arg(1)->Arg(8)->Arg(32)->Arg(128)->UseRealTime()->MinTime(2.0);

}  // namespace
}  // namespace flowkit
