// appmixer.utils.timers.*: components that schedule their work with Context::SetTimeout
// (appmixer-utils.md §2.4), so pending work survives restarts as durable timers.
//
// Threading: behaviours keep no per-call data in members; all state goes through Context.
#pragma once

#include <memory>

#include "flowkit/component.h"

namespace flowkit::components::timers {

std::unique_ptr<Behaviour> NewWait();
std::unique_ptr<Behaviour> NewTimer();

}  // namespace flowkit::components::timers
