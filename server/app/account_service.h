// Accounts at run time: the engine's CredentialsProvider (which account a component uses, its
// decrypted secrets, OAuth 2 tokens kept fresh) and the OAuth 2 authorization-code flow behind
// /auth/* (tickets, authorize URL, callback, token exchange).
//
// Assignment: PUT /auth/component/:componentId/:accountId binds an account to a component
// (kept in the catalog's config under a reserved flowkit: key); a component without one uses
// the user's only account of its service, if there is exactly one.
//
// Refresh: a token that expires within a minute is refreshed before the call that needs it; a
// 401 answer makes the component ask for one refresh (Context::RefreshAuth). Refreshes of one
// account are serialized and a caller whose rejected token was already replaced gets the new
// one without another request, so concurrent callers share one refresh. A refresh the provider
// refuses (4xx) marks the account invalid: calls fail with kUnauthenticated (final, no retry
// storm) until the user reconnects it, and the system webhook for component errors hears about
// it. A provider that cannot be reached leaves the account as it is (kUnavailable, retried).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "app/services.h"
#include "flowkit/auth.h"
#include "flowkit/credentials.h"

namespace flowkit::server {

// What account secrets are sealed with (bound to the user and account).
std::string AccountAssociation(std::string_view user_id, std::string_view account_id);

// Loads every auth.json ({service, type, definition}) below `dir` into `registry`.
Result<size_t> LoadAuthDefinitions(const std::string& dir, AuthRegistry& registry);

class AccountService final : public CredentialsProvider {
 public:
  explicit AccountService(Services& services) : s_(services) {}

  Result<Json> Credentials(const CredentialsRequest& request) override;
  Result<Json> Refresh(const CredentialsRequest& request, const Json& rejected) override;

  // Component assignments.
  Status Assign(std::string_view user_id, std::string_view component_id, std::string_view account_id);
  Status Unassign(std::string_view user_id, std::string_view component_id);
  // The assigned account id, or "" when none is.
  Result<std::string> Assigned(std::string_view user_id, std::string_view component_id);

  // The account's secrets as stored (with flowkit's own $-members) and whether it is usable.
  Result<Json> Secrets(const AccountRecord& account);

  // OAuth 2 authorization code flow.
  std::string NewTicket(std::string_view user_id);
  // {authUrl} for `service` and a ticket of `user_id`.
  Result<std::string> AuthorizeUrl(std::string_view user_id, std::string_view service, std::string_view ticket);
  // The provider sent the browser back with `code` (or `error`) for `ticket`: exchanges the code
  // and creates the account. Returns the account id.
  Result<std::string> Callback(std::string_view service, std::string_view ticket, std::string_view code,
                               std::string_view error);
  // {accountId, finished, updatedAt, error} of a ticket of `user_id`; kNotFound otherwise.
  Result<Json> TicketStatus(std::string_view user_id, std::string_view ticket);

  std::string CallbackUrl(std::string_view service) const;

  // OAuth 2 client-credentials grant (definition.grantType "client_credentials"): requests a
  // token with the service's client id and secret and creates the account. A new token is
  // requested the same way whenever it expires or is refused.
  Result<std::string> ConnectClientCredentials(std::string_view user_id, std::string_view service);

 private:
  struct Ticket {
    std::string user_id;
    std::string service;
    std::string account_id;
    std::string error;
    bool finished = false;
    int64_t updated_ms = 0;
  };

  static bool IsClientCredentials(const ServiceAuth& auth);
  Result<Json> ClientCredentialsToken(const ServiceAuth& auth);
  Result<std::string> AccountFor(const CredentialsRequest& request);
  // Refreshes the account's token unless its access token is no longer `rejected_token`.
  Result<Json> RefreshAccount(std::string_view user_id, std::string_view account_id, std::string_view rejected_token);
  // client_id / client_secret of an oauth2 service: its definition, else its /service-config.
  Result<std::pair<std::string, std::string>> ClientCredentials(const ServiceAuth& auth);
  // POSTs a form to the token endpoint; the provider's JSON (or form-encoded) answer.
  Result<Json> TokenRequest(const std::string& url, const std::string& form);
  Status Invalidate(AccountRecord account, Json secrets, const std::string& reason);
  Status Store(AccountRecord account, const Json& secrets);
  std::shared_ptr<std::mutex> AccountLock(std::string_view account_id);

  Services& s_;
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<std::mutex>, std::less<>> account_locks_;
  std::map<std::string, Ticket, std::less<>> tickets_;
};

}  // namespace flowkit::server
