#include "api/router.h"

#include <limits>

namespace flowkit::server {

std::string_view AccessName(Access access) {
  switch (access) {
    case Access::kAnonymous: return "anonymous";
    case Access::kUser: return "user";
    case Access::kAdmin: return "admin";
    case Access::kUserOrSecret: return "user-or-secret";
  }
  return "unknown";
}

std::vector<std::string_view> SplitPath(std::string_view path) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < path.size()) {
    while (i < path.size() && path[i] == '/') ++i;
    size_t end = path.find('/', i);
    if (end == std::string_view::npos) end = path.size();
    if (end > i) out.push_back(path.substr(i, end - i));
    i = end;
  }
  return out;
}

const std::string& Call::Param(std::string_view name) const {
  static const std::string kEmpty;
  for (const auto& [key, value] : params_) {
    if (key == name) return value;
  }
  return kEmpty;
}

std::string Call::Query(std::string_view name, std::string_view fallback) const {
  const std::string* value = request_.QueryParam(name);
  return value != nullptr ? *value : std::string(fallback);
}

Result<Json> Call::JsonBody(bool require_object) const {
  if (request_.body.empty()) return Json::MakeObject();
  Result<Json> parsed = Json::Parse(request_.body);
  if (!parsed.ok()) return Status::InvalidArgument("malformed JSON body: " + parsed.status().message());
  if (require_object && !parsed->IsObject()) return Status::InvalidArgument("the request body must be a JSON object");
  return parsed;
}

Result<int64_t> Call::IntQuery(std::string_view name, int64_t fallback, int64_t min, int64_t max) const {
  const std::string* text = request_.QueryParam(name);
  if (text == nullptr || text->empty()) return fallback;
  int64_t value = 0;
  bool negative = false;
  size_t i = 0;
  if ((*text)[0] == '-') {
    negative = true;
    i = 1;
  }
  if (i == text->size()) return Status::InvalidArgument("query parameter '" + std::string(name) + "' must be an integer");
  for (; i < text->size(); ++i) {
    char c = (*text)[i];
    if (c < '0' || c > '9' || value > (std::numeric_limits<int64_t>::max() - 9) / 10) {
      return Status::InvalidArgument("query parameter '" + std::string(name) + "' must be an integer");
    }
    value = value * 10 + (c - '0');
  }
  if (negative) value = -value;
  if (value < min || value > max) {
    return Status::InvalidArgument("query parameter '" + std::string(name) + "' must be between " +
                                   std::to_string(min) + " and " + std::to_string(max));
  }
  return value;
}

void Call::Reply(HttpResponse response) { responder_->Reply(std::move(response)); }

void Call::Fail(const Status& status) {
  int http = status.ToHttpStatus();
  if (http < 400) http = 500;
  Reply(HttpResponse::Error(http, StatusCodeName(status.code()), status.message()));
}

Status Router::Add(Route route) {
  for (const auto& existing : routes_) {
    if (existing->method == route.method && existing->pattern == route.pattern) {
      return Status::AlreadyExists("route " + route.method + " " + route.pattern + " is declared twice");
    }
  }
  if (!route.handler) return Status::InvalidArgument("route " + route.method + " " + route.pattern + " has no handler");
  std::vector<std::string> segments;
  for (std::string_view segment : SplitPath(route.pattern)) segments.emplace_back(segment);
  segments_.push_back(std::move(segments));
  routes_.push_back(std::make_unique<Route>(std::move(route)));
  return Status::OK();
}

Status Router::AddAll(std::vector<Route> routes) {
  for (Route& route : routes) {
    if (Status st = Add(std::move(route)); !st.ok()) return st;
  }
  return Status::OK();
}

Router::Match Router::Find(std::string_view method, std::string_view path) const {
  Match best;
  std::vector<std::string_view> segments = SplitPath(path);
  int best_score = -1;
  for (size_t r = 0; r < routes_.size(); ++r) {
    const Route* route = routes_[r].get();
    const std::vector<std::string>& pattern = segments_[r];
    if (pattern.size() != segments.size()) continue;
    int score = 0;
    bool ok = true;
    for (size_t i = 0; i < pattern.size(); ++i) {
      if (!pattern[i].empty() && pattern[i][0] == ':') continue;
      if (pattern[i] != segments[i]) {
        ok = false;
        break;
      }
      // Earlier literal segments weigh more, so /flows/count beats /flows/:id.
      score += 1 << (16 - std::min<size_t>(i, 15));
    }
    if (!ok) continue;
    if (route->method != "*" && route->method != method) {
      best.path_known = true;
      continue;
    }
    if (score > best_score) {
      best_score = score;
      best.route = route;
      best.params.clear();
      for (size_t i = 0; i < pattern.size(); ++i) {
        if (!pattern[i].empty() && pattern[i][0] == ':') {
          best.params.emplace_back(std::string(pattern[i].substr(1)), std::string(segments[i]));
        }
      }
    }
  }
  return best;
}

}  // namespace flowkit::server
