// CreateStore and ListStores (the user's data stores) and Store (items kept in component state).
#include <memory>
#include <string>
#include <vector>

#include "components/input_util.h"
#include "components/storage/storage.h"
#include "util/js.h"

namespace flowkit::components::storage {
namespace {

class CreateStore final : public Behaviour {
 public:
  Status Receive(Context& ctx) override {
    FLOWKIT_ASSIGN_OR_RETURN(const Message* in, RequireInput(ctx, "in"));
    const Json& content = in->Content();
    const Json& name_value = content["name"];
    if (name_value.IsNullish()) return Status::InvalidArgument("name is required");
    std::string name = js::ToString(name_value);

    // Look-up-or-create under a lock, so two calls with one name make one store.
    FLOWKIT_ASSIGN_OR_RETURN(std::unique_ptr<LockHandle> lock,
                             ctx.Lock("appmixer.utils.storage.CreateStore:" + ctx.user_id() + ":" + name));
    FLOWKIT_ASSIGN_OR_RETURN(std::vector<StoreInfo> stores, ctx.stores().ListStores());
    for (const StoreInfo& store : stores) {
      if (store.name != name) continue;
      if (js::Truthy(content["clear"])) {
        FLOWKIT_ASSIGN_OR_RETURN(int64_t cleared, ctx.stores().Clear(store.store_id));
        (void)cleared;
      }
      lock->Unlock();
      return ctx.Send("out", Json::MakeObject({{"storeId", store.store_id}}));
    }
    FLOWKIT_ASSIGN_OR_RETURN(StoreInfo created, ctx.stores().CreateStore(name));
    lock->Unlock();
    return ctx.Send("out", Json::MakeObject({{"storeId", created.store_id}}));
  }
};

class ListStores final : public Behaviour {
 public:
  Status Receive(Context& ctx) override {
    FLOWKIT_ASSIGN_OR_RETURN(std::vector<StoreInfo> stores, ctx.stores().ListStores());
    Json list = Json::MakeArray();
    for (const StoreInfo& store : stores) {
      list.Push(Json::MakeObject({{"storeId", store.store_id}, {"name", store.name}}));
    }
    return ctx.Send("out", std::move(list));
  }
};

// Items in component state under the JSON text of their key: an `add` emits the item on `new`
// or `updated` and keeps it; a `remove` of a kept key emits the removing message on `removed`.
// The emitted payload is the message as the sender sent it (original content).
class Store final : public Behaviour {
 public:
  Status Receive(Context& ctx) override {
    const Message* add = ctx.Input("add");
    const Message* remove = add ? nullptr : ctx.Input("remove");
    const Message* message = add ? add : remove;
    if (message == nullptr) return Status::InvalidArgument("no message on in-port 'add' or 'remove'");
    // Appmixer keys by JSON.stringify(key), so 1 and "1" are different items.
    std::string key = message->Content()["key"].Dump();
    FLOWKIT_ASSIGN_OR_RETURN(Json kept, ctx.state().Get(key));
    bool exists = js::Truthy(kept);
    const Json& item = message->OriginalContent();
    if (add) {
      FLOWKIT_RETURN_IF_ERROR(ctx.Send(exists ? "updated" : "new", item));
      return ctx.state().Set(key, item);
    }
    if (!exists) return Status::OK();
    FLOWKIT_RETURN_IF_ERROR(ctx.Send("removed", item));
    return ctx.state().Unset(key);
  }
};

}  // namespace

std::unique_ptr<Behaviour> NewCreateStore() { return std::make_unique<CreateStore>(); }
std::unique_ptr<Behaviour> NewListStores() { return std::make_unique<ListStores>(); }
std::unique_ptr<Behaviour> NewStore() { return std::make_unique<Store>(); }

}  // namespace flowkit::components::storage
