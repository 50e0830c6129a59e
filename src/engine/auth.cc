#include "flowkit/auth.h"

#include <utility>

namespace flowkit {

Result<ServiceAuth> ServiceAuth::FromJson(const Json& json) {
  if (!json.IsObject()) return Status::InvalidArgument("an auth definition must be an object, got " + json.Dump());
  ServiceAuth auth;
  const Json& service = json["service"];
  if (!service.IsString() || service.StringView().find(':') == std::string_view::npos) {
    return Status::InvalidArgument("auth definition: 'service' must be \"vendor:service\", got " + service.Dump());
  }
  auth.service = std::string(service.StringView());
  const Json& type = json["type"];
  if (!type.IsString() || (type.StringView() != "apiKey" && type.StringView() != "pwd" && type.StringView() != "oauth2")) {
    return Status::InvalidArgument("auth definition of '" + auth.service +
                                   "': 'type' must be \"apiKey\", \"pwd\" or \"oauth2\", got " + type.Dump());
  }
  auth.type = std::string(type.StringView());
  const Json& definition = json["definition"];
  if (!definition.IsUndefined() && !definition.IsObject()) {
    return Status::InvalidArgument("auth definition of '" + auth.service + "': 'definition' must be an object");
  }
  if (definition.IsObject()) auth.definition = definition;
  if (auth.type == "oauth2") {
    for (const char* field : {"authUrl", "requestAccessToken"}) {
      const Json& url = auth.definition[field];
      if (!url.IsString() || url.StringView().empty()) {
        return Status::InvalidArgument("auth definition of '" + auth.service + "': oauth2 needs definition." + field +
                                       " (a URL)");
      }
    }
  } else if (!auth.definition["auth"].IsUndefined() && !auth.definition["auth"].IsObject()) {
    return Status::InvalidArgument("auth definition of '" + auth.service + "': definition.auth must be an object");
  }
  return auth;
}

Status AuthRegistry::Register(ServiceAuth auth) {
  if (services_.count(auth.service) > 0) {
    return Status::AlreadyExists("service '" + auth.service + "' already has an auth definition");
  }
  std::string key = auth.service;
  services_.emplace(std::move(key), std::move(auth));
  return Status::OK();
}

const ServiceAuth* AuthRegistry::Find(std::string_view service) const {
  auto it = services_.find(service);
  return it == services_.end() ? nullptr : &it->second;
}

std::vector<std::string> AuthRegistry::Services() const {
  std::vector<std::string> out;
  for (const auto& [name, auth] : services_) out.push_back(name);
  return out;
}

}  // namespace flowkit
