// How the engine writes its work and state into a Runtime (include/flowkit/runtime.h): the key
// layout and the encoding of a delivery.
//
// Keys. Queued work: "m<16 hex digits>" for messages, webhooks, signals and retries (a sequence,
// so recovery replays them in the order they were made: a Join pairs the same messages again),
// "t<timeout id>" for timers (ClearTimeout acknowledges it by name). State: "s:<flow>\x1f<component>"
// component state, "f:<flow>" flow state, "g:<flow>" the loaded flow (document, user, stage),
// "d:<id>" a dead letter with its delivery, "w:<flow>\x1f<component>\x1f<store>" a store watch.
// Ids are UUIDs or descriptor keys; \x1f does not occur in them, so a prefix names exactly one
// flow.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "engine/engine_internal.h"
#include "flowkit/status.h"

namespace flowkit::engine {

std::string TimerKey(std::string_view timeout_id);
std::string ComponentStateKey(std::string_view flow_id, std::string_view component_id);
std::string ComponentStatePrefix(std::string_view flow_id);
std::string FlowStateKey(std::string_view flow_id);
std::string FlowRecordKey(std::string_view flow_id);
inline constexpr std::string_view kFlowRecordPrefix = "g:";
std::string DeadLetterKey(std::string_view id);
// A store watch (Context::WatchStore): "w:<flow>\x1f<component>\x1f<store id>".
std::string StoreWatchKey(std::string_view flow_id, std::string_view component_id, std::string_view store_id);
std::string StoreWatchPrefix(std::string_view flow_id);  // every watch of one flow
inline constexpr std::string_view kStoreWatchPrefix = "w:";
inline constexpr std::string_view kDeadLetterPrefix = "d:";

// The body of a queued delivery: JSON with the target, the payload, the whole scope (every hop;
// ScopeChain::ToHops), ids, attempt and, for a fire-pattern batch, every input.
Json EncodeTask(const Task& task);
std::string EncodeTaskText(const Task& task);
// Rebuilds a delivery for `flow` (a fresh run: epoch is set by the caller). kCorruption when the
// body is not a delivery, kNotFound when its component or link is not in the flow.
Result<TaskPtr> DecodeTask(const Json& body, const std::shared_ptr<FlowRuntime>& flow);

}  // namespace flowkit::engine
