// The route groups of the REST API. Each adds its routes to the router; the Server calls them
// all at start-up. Shapes follow Appmixer's REST API (reference/appmixer-spec.md §5).
#pragma once

#include "api/router.h"
#include "app/services.h"

namespace flowkit::server {

Status AddUserRoutes(Router& router, Services& services);        // /user, /user/auth, /users
Status AddFlowRoutes(Router& router, Services& services);        // /flows...
Status AddWebhookRoutes(Router& router, Services& services);     // /flows/:flowId/components/:componentId
Status AddComponentRoutes(Router& router, Services& services);   // /components, /apps
Status AddAccountRoutes(Router& router, Services& services);      // /accounts...
Status AddStoreRoutes(Router& router, Services& services);        // /stores, /store
Status AddFileRoutes(Router& router, Services& services);         // /files
Status AddConfigRoutes(Router& router, Services& services);        // /config, /service-config
Status AddDeadLetterRoutes(Router& router, Services& services);    // /unprocessed-messages
Status AddInsightsRoutes(Router& router, Services& services);      // /logs, /telemetry
Status AddPeopleTaskRoutes(Router& router, Services& services);    // /people-task/...
Status AddModifierRoutes(Router& router, Services& services);      // /modifiers
Status AddAuthRoutes(Router& router, Services& services);          // /auth/... (OAuth 2, assignments)

// A service's /service-config values, unsealed (kNotFound when it has none).
Result<Json> ServiceConfigValues(Services& services, std::string_view service_id);

// Deletes the people tasks a user owns and its task webhooks (when the user is deleted).
Status ForgetPeopleTasksOf(Services& services, std::string_view user_id);

// The OpenAPI 3 document describing every route of `router`.
Json OpenApiDocument(const Router& router, std::string_view server_url);

}  // namespace flowkit::server
