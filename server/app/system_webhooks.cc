// Placeholder while system webhooks are written (issue 5).
#include "app/system_webhooks.h"

namespace flowkit::server {

struct SystemWebhooks::Impl {};
SystemWebhooks::SystemWebhooks(Services& /*services*/, SystemWebhookOptions /*options*/) : impl_(std::make_unique<Impl>()) {}
SystemWebhooks::~SystemWebhooks() = default;
void SystemWebhooks::ComponentError(const Json& /*event*/) {}
void SystemWebhooks::DeadLetterCreated(const DeadLetter& /*letter*/) {}
SystemWebhookStats SystemWebhooks::Stats() const { return {}; }

}  // namespace flowkit::server
