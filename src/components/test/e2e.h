// appmixer.utils.test.*: the end-to-end harness every Appmixer test flow is built from
// (appmixer-utils.md §2.7). BeforeAll starts a run and holds the triggering message until every
// registered signal receiver (AfterAll, CallCount) has reset for the new run id; AfterAll
// collects what arrives from its links (or times out); Assert reports checks;
// ProcessE2EResults files the verdict in a data store.
//
// Threading: behaviours keep no per-call data in members; all state goes through Context.
#pragma once

#include <memory>
#include <string_view>

#include "flowkit/component.h"
#include "flowkit/status.h"

namespace flowkit::components::e2e {

// Flow-state key of the current run: {started, runId} while it runs, {done} once AfterAll ends it.
inline constexpr std::string_view kRunStateKey = "state";
// Flow-state key of the components BeforeAll waits for: [{componentId, componentType}].
inline constexpr std::string_view kSignalReceiversKey = "signalReceivers";

// Adds this component to the flow's signal receivers (Appmixer's registerSignalReceiver).
Status RegisterSignalReceiver(Context& ctx);

// The ISO-8601 text of the context clock's current time (what a JavaScript Date serializes to).
std::string NowIso(const Context& ctx);

std::unique_ptr<Behaviour> NewBeforeAll();
std::unique_ptr<Behaviour> NewAfterAll();
std::unique_ptr<Behaviour> NewAssert();
std::unique_ptr<Behaviour> NewProcessE2EResults();
std::unique_ptr<Behaviour> NewCallCount();
std::unique_ptr<Behaviour> NewJoin();
std::unique_ptr<Behaviour> NewTick();

}  // namespace flowkit::components::e2e
