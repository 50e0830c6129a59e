// What the declarative-connector tests share: JSON literals, placeholder replacement, and a
// connector registered and wrapped in the component harness.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <string_view>

#include "flowkit/connectors.h"
#include "flowkit/registry.h"
#include "flowkit/testing.h"

namespace flowkit::connector_test {

inline Json J(std::string_view text) {
  Result<Json> parsed = Json::Parse(text);
  EXPECT_TRUE(parsed.ok()) << parsed.status().ToString() << " in " << text;
  return parsed.ok() ? std::move(parsed).value() : Json::Undefined();
}

inline std::string Replace(std::string text, std::string_view from, std::string_view to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

// Parses `document` (a connector file's text), registers it into `registry` and returns the
// harness of its component `type`; null, with the test failed, when a step fails.
inline std::unique_ptr<testing::ComponentHarness> RegisterAndHarness(ComponentRegistry& registry, const std::string& document,
                                                                     std::string_view type, testing::HarnessOptions options) {
  Result<Json> doc = Json::Parse(document);
  EXPECT_TRUE(doc.ok()) << doc.status().ToString() << " in " << document;
  if (!doc.ok()) return nullptr;
  Result<Connector> c = ParseConnector(*doc, "test.json");
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  if (!c.ok()) return nullptr;
  ConnectorSet set;
  set.components.push_back(std::move(*c));
  Status registered = RegisterConnectors(set, registry);
  EXPECT_TRUE(registered.ok()) << registered.ToString();
  auto h = testing::ComponentHarness::Create(registry, type, std::move(options));
  EXPECT_TRUE(h.ok()) << h.status().ToString();
  return h.ok() ? std::move(*h) : nullptr;
}

}  // namespace flowkit::connector_test
