// Service authentication definitions: how accounts of a service are connected (Appmixer's
// auth.js, in its declarative form).
//
//   {"service": "acme:crm", "type": "apiKey" | "pwd" | "oauth2", "definition": {...}}
//
// - apiKey: definition.auth = {<field>: {type: "text", name, tooltip?}} — the fields the user
//   enters; an account's secrets (Context::auth()) are those fields.
// - pwd: the same with {username, password}.
// - oauth2: definition = {authUrl, requestAccessToken, refreshAccessToken?, scope?: [..],
//   scopeDelimiter?: " ", clientId?, clientSecret?} — URLs of the provider's authorize and token
//   endpoints (standard OAuth 2 requests); client id and secret normally come from the service's
//   /service-config. An account's secrets are {accessToken, refreshToken?, accessTokenExpDate?,
//   scope?, tokenType?}.
//
// flowkitd fills its AuthRegistry from connector directories and uses it for the /auth/* flows
// and token refresh.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "flowkit/json.h"
#include "flowkit/status.h"

namespace flowkit {

struct ServiceAuth {
  std::string service;  // "acme:crm"
  std::string type;     // "apiKey" | "pwd" | "oauth2"
  Json definition = Json::MakeObject();

  // Checks the shape above; errors name the field.
  static Result<ServiceAuth> FromJson(const Json& json);
};

class AuthRegistry {
 public:
  // kAlreadyExists when the service has a definition.
  Status Register(ServiceAuth auth);
  const ServiceAuth* Find(std::string_view service) const;
  std::vector<std::string> Services() const;

 private:
  std::map<std::string, ServiceAuth, std::less<>> services_;
};

}  // namespace flowkit
