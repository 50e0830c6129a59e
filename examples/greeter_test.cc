// A component author's unit test: the Greeter run in isolation with flowkit/testing.h.
#include <cstdio>

#include "flowkit/testing.h"
#include "greeter/greeter.h"

#define CHECK(cond)                                            \
  do {                                                         \
    if (!(cond)) {                                             \
      std::fprintf(stderr, "check failed: %s\n", #cond);      \
      return 1;                                                \
    }                                                          \
  } while (0)

int main() {
  flowkit::ComponentRegistry registry;
  CHECK(acme::RegisterGreeter(registry).ok());
  auto harness = flowkit::testing::ComponentHarness::Create(registry, "acme.demo.core.Greeter");
  CHECK(harness.ok());
  flowkit::testing::ComponentHarness& h = **harness;

  CHECK(h.Receive("in", flowkit::Json::MakeObject({{"name", "Ada"}})).ok());
  CHECK(h.Receive("in", flowkit::Json::MakeObject({{"name", "Grace"}})).ok());
  CHECK(h.sent().size() == 2);
  CHECK(h.sent()[1].port == "out");
  CHECK(h.sent()[1].content["greeting"].AsString() == "Hello, Grace!");
  CHECK(h.sent()[1].content["number"].AsInt() == 2);
  CHECK(h.state()["greeted"].AsInt() == 2);

  // The in-port schema rejects a missing name; a failed call changes no state and sends nothing.
  CHECK(!h.Receive("in", flowkit::Json::MakeObject()).ok());
  CHECK(!h.Receive("in", flowkit::Json::MakeObject({{"name", ""}})).ok());
  CHECK(h.sent().size() == 2);
  CHECK(h.state()["greeted"].AsInt() == 2);
  std::printf("greeter: all checks passed\n");
  return 0;
}
