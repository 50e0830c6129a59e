// Placeholder while this route group is written (issue 5); replaced by its routes.
#include "api/routes.h"

namespace flowkit::server {

Status AddDeadLetterRoutes(Router& /*router*/, Services& /*services*/) { return Status::OK(); }

}  // namespace flowkit::server
