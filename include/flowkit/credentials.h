// Credentials: the account secrets a component sees as Context::auth().
//
// A component whose manifest names `auth.service` gets the secrets of the account its user
// assigned to it: {apiKey, ...} for API-key services, {username, password} for basic ones,
// {accessToken, refreshToken?, accessTokenExpDate?, ...} for OAuth. The engine asks its
// CredentialsProvider (EngineOptions::credentials) before each call of such a component; the
// provider owns the accounts, decrypts their secrets and keeps OAuth tokens fresh. flowkitd's
// provider reads its catalog; a host can supply its own.
//
// Threading: providers are called from engine worker threads, concurrently.
#pragma once

#include <string>

#include "flowkit/json.h"
#include "flowkit/status.h"

namespace flowkit {

struct CredentialsRequest {
  std::string user_id;  // the flow's owner
  std::string flow_id;
  std::string component_id;
  std::string component_type;
  std::string service;  // the manifest's auth.service, e.g. "acme:crm"
};

class CredentialsProvider {
 public:
  virtual ~CredentialsProvider() = default;
  // The secrets of the account assigned to the component; {} when none is. A token that expires
  // soon is refreshed first. kUnauthenticated when the account can no longer be used (its
  // refresh failed): final, the call is not retried until the user reconnects the account.
  virtual Result<Json> Credentials(const CredentialsRequest& request) = 0;
  // The service refused `rejected` (an HTTP 401): refresh the token once and return the new
  // secrets. Callers holding the same rejected token share one refresh; a caller whose token was
  // already replaced gets the replacement without another refresh. kUnauthenticated when there
  // is nothing to refresh with or the refresh failed (the account is then marked invalid).
  virtual Result<Json> Refresh(const CredentialsRequest& request, const Json& rejected) = 0;
};

}  // namespace flowkit
