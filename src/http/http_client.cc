#include "flowkit/http_client.h"

#include <condition_variable>
#include <mutex>
#include <optional>

namespace flowkit {
namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

// Answers every request with the error that kept the real client from being made.
class BrokenHttpClient final : public HttpClient {
 public:
  explicit BrokenHttpClient(Status error) : error_(std::move(error)) {}
  Status Start(HttpRequest, HttpCallback) override { return error_; }

 private:
  Status error_;
};

}  // namespace

const std::string* FindHttpHeader(const HttpHeaders& headers, std::string_view name) {
  for (const auto& [key, value] : headers) {
    if (EqualsIgnoreCase(key, name)) return &value;
  }
  return nullptr;
}

Result<HttpResponse> HttpClient::Perform(HttpRequest request) {
  struct Waiter {
    std::mutex mu;
    std::condition_variable cv;
    std::optional<Result<HttpResponse>> result;
  };
  auto waiter = std::make_shared<Waiter>();
  FLOWKIT_RETURN_IF_ERROR(Start(std::move(request), [waiter](Result<HttpResponse> result) {
    std::lock_guard<std::mutex> lock(waiter->mu);
    waiter->result.emplace(std::move(result));
    waiter->cv.notify_all();
  }));
  std::unique_lock<std::mutex> lock(waiter->mu);
  waiter->cv.wait(lock, [&] { return waiter->result.has_value(); });
  return std::move(*waiter->result);
}

HttpClient& DefaultHttpClient() {
  static HttpClient* client = [] {
    Result<std::unique_ptr<HttpClient>> made = NewCurlHttpClient({});
    if (made.ok()) return made->release();
    HttpClient* broken = new BrokenHttpClient(made.status().WithPrefix("the default HTTP client could not start"));
    return broken;
  }();
  return *client;
}

}  // namespace flowkit
