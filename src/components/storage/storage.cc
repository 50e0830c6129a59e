#include "components/storage/storage.h"

#include "components/builtin_registry.h"

namespace flowkit::components {

Status RegisterStorageComponents(ComponentRegistry& registry) {
  // The data-store types keep nothing per instance and may overlap: Modify and CreateStore,
  // whose read-then-write must not interleave, take a named lock. Store keeps its items in
  // component state, so its calls stay serialized.
  constexpr ComponentOptions kConcurrent{.concurrent = true};
  const BuiltinComponent table[] = {
      {"appmixer.utils.storage.Set", storage::NewSet, kConcurrent},
      {"appmixer.utils.storage.SetMany", storage::NewSetMany, kConcurrent},
      {"appmixer.utils.storage.Get", storage::NewGet, kConcurrent},
      {"appmixer.utils.storage.GetMany", storage::NewGetMany, kConcurrent},
      {"appmixer.utils.storage.Modify", storage::NewModify, kConcurrent},
      {"appmixer.utils.storage.Remove", storage::NewRemove, kConcurrent},
      {"appmixer.utils.storage.Clear", storage::NewClear, kConcurrent},
      {"appmixer.utils.storage.Find", storage::NewFind, kConcurrent},
      {"appmixer.utils.storage.CreateStore", storage::NewCreateStore, kConcurrent},
      {"appmixer.utils.storage.ListStores", storage::NewListStores, kConcurrent},
      {"appmixer.utils.storage.Store", storage::NewStore, {}},
      {"appmixer.utils.storage.SaveToFile", storage::NewSaveToFile, kConcurrent},
      {"appmixer.utils.storage.OnItemAdded", storage::NewOnItemAdded, kConcurrent},
      {"appmixer.utils.storage.OnItemUpdated", storage::NewOnItemUpdated, kConcurrent},
      {"appmixer.utils.storage.OnItemRemoved", storage::NewOnItemRemoved, kConcurrent},
  };
  return RegisterBuiltinTable(registry, table);
}

}  // namespace flowkit::components
