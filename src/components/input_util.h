// Small helpers the built-in components share for reading their inputs.
#pragma once

#include <string>
#include <string_view>

#include "flowkit/component.h"
#include "flowkit/status.h"

namespace flowkit::components {

// The first message on `port`. Appmixer's components read context.messages.<port> without
// checking, so a call without it is a routing defect: kInvalidArgument (not worth a retry).
inline Result<const Message*> RequireInput(const Context& ctx, std::string_view port) {
  const Message* message = ctx.Input(port);
  if (message == nullptr) {
    return Status::InvalidArgument("no message on in-port '" + std::string(port) + "'");
  }
  return message;
}

}  // namespace flowkit::components
