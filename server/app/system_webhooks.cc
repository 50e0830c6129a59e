#include "app/system_webhooks.h"

#include <curl/curl.h>

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include "app/services.h"

namespace flowkit::server {
namespace {

struct Event {
  std::string_view key;           // which config key names the receivers; empty = `urls`
  std::vector<std::string> urls;  // explicit receivers (people-task webhooks)
  std::string body;               // JSON
  std::string flow_id;
};

size_t Discard(char*, size_t size, size_t count, void*) { return size * count; }

// One POST; returns the HTTP status, or 0 for a network failure.
long Post(const std::string& url, const std::string& body, int64_t timeout_ms) {
  CURL* curl = curl_easy_init();
  if (curl == nullptr) return 0;
  curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/json");
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_POST, 1L);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout_ms));
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, Discard);
  long status = 0;
  if (curl_easy_perform(curl) == CURLE_OK) curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  return status;
}

std::vector<std::string> SplitUrls(std::string_view text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string_view::npos) comma = text.size();
    std::string_view url = text.substr(start, comma - start);
    while (!url.empty() && url.front() == ' ') url.remove_prefix(1);
    while (!url.empty() && url.back() == ' ') url.remove_suffix(1);
    if (!url.empty()) out.emplace_back(url);
    start = comma + 1;
  }
  return out;
}

}  // namespace

struct SystemWebhooks::Impl {
  Services& services;
  SystemWebhookOptions options;
  std::mutex mu;
  std::condition_variable cv;
  std::deque<Event> queue;
  bool stopping = false;
  SystemWebhookStats stats;
  std::thread thread;

  Impl(Services& s, SystemWebhookOptions o) : services(s), options(o) {}

  void Enqueue(Event event) {
    {
      std::lock_guard<std::mutex> lock(mu);
      if (stopping) return;
      if (queue.size() >= options.max_queue) {
        queue.pop_front();
        ++stats.dropped;
      }
      queue.push_back(std::move(event));
      ++stats.queued;
    }
    cv.notify_one();
  }

  // Waits up to `ms`; false when stopping.
  bool Sleep(int64_t ms) {
    std::unique_lock<std::mutex> lock(mu);
    return !cv.wait_for(lock, std::chrono::milliseconds(ms), [this] { return stopping; });
  }

  void Deliver(const Event& event) {
    std::vector<std::string> urls = event.urls;
    if (!event.key.empty()) {
      Result<Json> value = services.catalog->config().Get(event.key);
      if (!value.ok() || !value->IsString()) return;  // no receiver configured
      urls = SplitUrls(value->StringView());
    }
    for (const std::string& url : urls) {
      int64_t delay = options.initial_delay_ms;
      bool delivered = false;
      for (int attempt = 1; attempt <= options.max_attempts; ++attempt) {
        long status = Post(url, event.body, options.request_timeout_ms);
        if (status >= 200 && status < 300) {
          delivered = true;
          break;
        }
        bool retry = status == 0 || status == 408 || status == 429 || status >= 500;
        if (!retry || attempt == options.max_attempts || !Sleep(delay)) break;
        delay *= 2;
      }
      std::lock_guard<std::mutex> lock(mu);
      (delivered ? stats.delivered : stats.failed) += 1;
      if (!delivered && services.log != nullptr) {
        services.log->Warn("system webhook not delivered",
                           Json::MakeObject({{"key", Json(event.key)}, {"url", Json(url)}, {"flowId", Json(event.flow_id)}}));
      }
    }
  }

  void Run() {
    for (;;) {
      Event event;
      {
        std::unique_lock<std::mutex> lock(mu);
        cv.wait(lock, [this] { return stopping || !queue.empty(); });
        if (stopping) return;
        event = std::move(queue.front());
        queue.pop_front();
      }
      Deliver(event);
    }
  }
};

SystemWebhooks::SystemWebhooks(Services& services, SystemWebhookOptions options)
    : impl_(std::make_unique<Impl>(services, options)) {
  impl_->thread = std::thread([this] { impl_->Run(); });
}

SystemWebhooks::~SystemWebhooks() {
  size_t undelivered = 0;
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    impl_->stopping = true;
    undelivered = impl_->queue.size();
  }
  impl_->cv.notify_all();
  impl_->thread.join();
  if (undelivered > 0 && impl_->services.log != nullptr) {
    impl_->services.log->Warn("system webhooks dropped at shutdown",
                              Json::MakeObject({{"events", Json(static_cast<int64_t>(undelivered))}}));
  }
}

void SystemWebhooks::ComponentError(const Json& event) {
  impl_->Enqueue(Event{kComponentErrorWebhookKey, {}, event.Dump(), event.Get("flowId").AsString()});
}

void SystemWebhooks::DeadLetterCreated(const DeadLetter& letter) {
  Json body = letter.record.IsObject() ? letter.record : Json::MakeObject();
  body.Set("messageId", Json(letter.id));
  body.Set("flowId", Json(letter.flow_id));
  body.Set("userId", Json(letter.user_id));
  body.Set("componentId", Json(letter.component_id));
  body.Set("componentType", Json(letter.component_type));
  if (!body.Contains("err")) body.Set("err", Json(letter.error.ToString()));
  impl_->Enqueue(Event{kDeadLetterWebhookKey, {}, body.Dump(), letter.flow_id});
}

void SystemWebhooks::PostTo(std::vector<std::string> urls, const Json& body, std::string flow_id) {
  if (urls.empty()) return;
  impl_->Enqueue(Event{{}, std::move(urls), body.Dump(), std::move(flow_id)});
}

SystemWebhookStats SystemWebhooks::Stats() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  SystemWebhookStats s = impl_->stats;
  s.queued = impl_->queue.size();
  return s;
}

}  // namespace flowkit::server
