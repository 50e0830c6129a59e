#include "flowkit/component.h"

#include "flowkit/javascript.h"
#include "util/ids.h"

namespace flowkit {

namespace {

const Json& NullJson() {
  static const Json* null = new Json();
  return *null;
}

}  // namespace

const Json& Message::Content() const noexcept { return content ? *content : NullJson(); }

const Json& Message::OriginalContent() const noexcept {
  if (original_content) return *original_content;
  return Content();
}

const Message* Context::Input(std::string_view port) const {
  std::span<const Message> messages = Inputs(port);
  return messages.empty() ? nullptr : &messages.front();
}

Status Context::SendArray(std::string_view port, const Json& items, const SendOptions& options) {
  if (!items.IsArray()) return Send(port, items, options);
  for (const Json& item : items.array()) FLOWKIT_RETURN_IF_ERROR(Send(port, item, options));
  return Status::OK();
}

HttpClient& Context::http() { return DefaultHttpClient(); }

PeopleTaskService& Context::people_tasks() { return UnavailablePeopleTasks(); }

namespace {

class NoPeopleTasks final : public PeopleTaskService {
 public:
  Result<Json> Create(const PeopleTaskOwner&, const NewPeopleTask&) override { return Unavailable(); }
  Result<Json> Get(const PeopleTaskOwner&, std::string_view) override { return Unavailable(); }
  Status Unregister(const PeopleTaskOwner&, std::string_view) override { return Unavailable(); }

 private:
  static Status Unavailable() {
    return Status::FailedPrecondition("people tasks are not available: the host set no EngineOptions::people_tasks");
  }
};

}  // namespace

PeopleTaskService& UnavailablePeopleTasks() {
  static NoPeopleTasks* service = new NoPeopleTasks();
  return *service;
}

Result<Json> Context::RefreshAuth() {
  return Status::Unauthenticated("component '" + component_id() + "' has no account whose token could be refreshed");
}

std::string Context::NewId() { return internal::NewUuid4(); }

Result<Json> Context::EvalJavaScript(std::string_view code, const Json& data) {
  return flowkit::EvalJavaScript(code, data);
}

Status Behaviour::Start(Context&) { return Status::OK(); }
Status Behaviour::Stop(Context&) { return Status::OK(); }
Status Behaviour::Receive(Context&) { return Status::OK(); }
Status Behaviour::Tick(Context&) { return Status::OK(); }
Status Behaviour::Signal(Context&) { return Status::OK(); }

}  // namespace flowkit
