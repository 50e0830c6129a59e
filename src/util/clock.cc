#include "flowkit/clock.h"

#include <chrono>

namespace flowkit {
namespace {

class WallClock final : public Clock {
 public:
  int64_t NowMillis() const override {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
  }
};

}  // namespace

Clock* SystemClock() {
  static WallClock* clock = new WallClock();  // never destroyed: usable during static teardown
  return clock;
}

}  // namespace flowkit
