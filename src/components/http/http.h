// appmixer.utils.http.*: the webhook trigger components and Response (appmixer-utils.md §2.3).
// The outbound HTTP components (Get, Post, ...) arrive with the HTTP client.
#pragma once

#include <memory>

#include "flowkit/component.h"

namespace flowkit::components::http {

std::unique_ptr<Behaviour> NewWebhookTrigger();
std::unique_ptr<Behaviour> NewLegacyWebhook();
std::unique_ptr<Behaviour> NewResponse();

}  // namespace flowkit::components::http
