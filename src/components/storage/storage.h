// Factories of the appmixer.utils.storage.* behaviours, registered by storage.cc.
#pragma once

#include <memory>

#include "flowkit/component.h"

namespace flowkit::components::storage {

// records.cc: key/value operations on one data store.
std::unique_ptr<Behaviour> NewSet();
std::unique_ptr<Behaviour> NewSetMany();
std::unique_ptr<Behaviour> NewGet();
std::unique_ptr<Behaviour> NewGetMany();
std::unique_ptr<Behaviour> NewModify();
std::unique_ptr<Behaviour> NewRemove();
std::unique_ptr<Behaviour> NewClear();
std::unique_ptr<Behaviour> NewFind();

// stores.cc: the user's stores, and the component-state Store.
std::unique_ptr<Behaviour> NewCreateStore();
std::unique_ptr<Behaviour> NewListStores();
std::unique_ptr<Behaviour> NewStore();

// save_to_file.cc: a store's records into a new CSV or JSON file.
std::unique_ptr<Behaviour> NewSaveToFile();

// triggers.cc: changes of a watched data store.
std::unique_ptr<Behaviour> NewOnItemAdded();
std::unique_ptr<Behaviour> NewOnItemUpdated();
std::unique_ptr<Behaviour> NewOnItemRemoved();

}  // namespace flowkit::components::storage
