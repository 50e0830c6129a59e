// OnItemAdded, OnItemUpdated, OnItemRemoved: triggers on the records of one data store. Start
// watches the store (Appmixer: store.registerWebhook), Stop stops watching; each change arrives
// as a webhook call {type, currentValue} and a change of the component's own kind goes out on
// `item` as {key, storeId, value, oldValue (updates), createdAt, updatedAt}. Every call answers
// "ok", as Appmixer's do.
#include <memory>
#include <string>
#include <string_view>

#include "components/storage/storage.h"

namespace flowkit::components::storage {
namespace {

class OnItem final : public Behaviour {
 public:
  explicit OnItem(std::string_view type) : type_(type) {}

  Status Start(Context& ctx) override { return ctx.WatchStore(StoreId(ctx)); }
  Status Stop(Context& ctx) override { return ctx.UnwatchStore(StoreId(ctx)); }

  Status Receive(Context& ctx) override {
    const Message* request = ctx.Input(kWebhookPort);
    if (request == nullptr) return Status::OK();
    const Json& data = request->Content()["data"];
    FLOWKIT_RETURN_IF_ERROR(ctx.Respond("ok"));
    if (data["type"].StringView() != type_) return Status::OK();
    const Json& current = data["currentValue"];
    if (current["storeId"].StringView() != StoreId(ctx)) return Status::OK();
    Json item = Json::MakeObject({{"key", current["key"]},
                                  {"storeId", current["storeId"]},
                                  {"value", current["value"]},
                                  {"createdAt", current["createdAt"]},
                                  {"updatedAt", current["updatedAt"]}});
    if (type_ == "update") item.Set("oldValue", current["oldValue"]);
    return ctx.Send("item", std::move(item));
  }

 private:
  static std::string StoreId(const Context& ctx) { return ctx.properties()["storeId"].AsString(); }
  std::string_view type_;
};

}  // namespace

std::unique_ptr<Behaviour> NewOnItemAdded() { return std::make_unique<OnItem>("insert"); }
std::unique_ptr<Behaviour> NewOnItemUpdated() { return std::make_unique<OnItem>("update"); }
std::unique_ptr<Behaviour> NewOnItemRemoved() { return std::make_unique<OnItem>("delete"); }

}  // namespace flowkit::components::storage
