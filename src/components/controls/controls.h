// Factories of the appmixer.utils.controls.* behaviours, registered by controls.cc.
#pragma once

#include <memory>

#include "flowkit/component.h"

namespace flowkit::components::controls {

std::unique_ptr<Behaviour> NewOnStart();
std::unique_ptr<Behaviour> NewCondition();
std::unique_ptr<Behaviour> NewSwitch5();
std::unique_ptr<Behaviour> NewJoin();
std::unique_ptr<Behaviour> NewEach();
std::unique_ptr<Behaviour> NewJoinEach();
std::unique_ptr<Behaviour> NewCounter();
std::unique_ptr<Behaviour> NewSetVariable();
std::unique_ptr<Behaviour> NewStopFlow();
std::unique_ptr<Behaviour> NewDigest();
std::unique_ptr<Behaviour> NewOnError();

}  // namespace flowkit::components::controls
