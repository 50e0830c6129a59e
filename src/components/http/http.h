// appmixer.utils.http.*: the webhook trigger components, Response, the outbound requests (Get,
// Post, Put, Patch, Delete), Uptime and DynamicWebhook (appmixer-utils.md §2.3).
#pragma once

#include <memory>
#include <string_view>

#include "flowkit/component.h"

namespace flowkit::components::http {

std::unique_ptr<Behaviour> NewWebhookTrigger();
std::unique_ptr<Behaviour> NewLegacyWebhook();
std::unique_ptr<Behaviour> NewResponse();
// Get, Post, Put, Patch, Delete by method ("GET", ...); Post and Put also take bodyType.
std::unique_ptr<Behaviour> NewRequest(std::string_view method);
std::unique_ptr<Behaviour> NewUptime();
std::unique_ptr<Behaviour> NewDynamicWebhook();

}  // namespace flowkit::components::http
