#include "flowkit/runtime.h"

#include <future>

namespace flowkit {

Status Runtime::CommitSync(HopCommit hop) {
  std::promise<Status> outcome;
  std::future<Status> result = outcome.get_future();
  Commit(std::move(hop), [&outcome](Status status) { outcome.set_value(std::move(status)); });
  return result.get();
}

}  // namespace flowkit
