// flowkitd --connectors: declarative connectors become runnable component types and their
// service auth definitions land in Services::auth; a bad directory stops the start with an error
// naming the flag, the file and the problem.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "app/server.h"
#include "app/services.h"
#include "server/test_server.h"

namespace flowkit::server::testing {
namespace {

void Write(const std::filesystem::path& path, const std::string& text) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path) << text;
}

constexpr const char* kConnector = R"({
  "manifest": {"name": "acme.crm.core.GetContact", "auth": {"service": "acme:crm"},
               "inPorts": [{"name": "in", "schema": {"type": "object", "properties": {"id": {"type": "string"}}}}],
               "outPorts": ["out"]},
  "request": {"url": "https://api.acme.example/contacts/{{input.id}}",
              "headers": {"Authorization": "Bearer {{auth.accessToken}}"}},
  "output": {"port": "out"}})";

constexpr const char* kService = R"({"service": "acme:crm", "type": "oauth2",
  "definition": {"authUrl": "https://id.acme.example/authorize", "requestAccessToken": "https://id.acme.example/token"}})";

TEST(ConnectorsServer, RegistersComponentsAndServiceAuth) {
  TempDir dir;
  Write(std::filesystem::path(dir.path()) / "crm/GetContact.json", kConnector);
  Write(std::filesystem::path(dir.path()) / "crm/auth.json", kService);
  ServerOptions options = MemoryOptions();
  options.connector_dirs = {dir.path()};
  TestServer server(std::move(options));
  const ComponentType* type = server.services().components->Find("acme.crm.core.GetContact");
  ASSERT_NE(type, nullptr);
  EXPECT_TRUE(type->runnable());
  ASSERT_NE(server.services().auth, nullptr);
  const ServiceAuth* auth = server.services().auth->Find("acme:crm");
  ASSERT_NE(auth, nullptr);
  EXPECT_EQ(auth->type, "oauth2");
  EXPECT_EQ(auth->definition["authUrl"].AsString(), "https://id.acme.example/authorize");
}

TEST(ConnectorsServer, BadDirectoryStopsTheStart) {
  TempDir dir;
  std::string file = (std::filesystem::path(dir.path()) / "Broken.json").string();
  Write(file, R"({"manifest": {"name": "acme.crm.core.Broken", "inPorts": ["in"]}, "request": {"method": "GET"}})");
  ServerOptions options = MemoryOptions();
  options.connector_dirs = {dir.path()};
  Logger log(LogSeverity::kError);
  Result<std::unique_ptr<Server>> started = Server::Start(options, &log);
  ASSERT_FALSE(started.ok());
  EXPECT_EQ(started.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(started.status().message().find("--connectors " + dir.path() + ": " + file + ": /request/url"), std::string::npos)
      << started.status().message();

  // A connector may not take a built-in's name.
  TempDir clash;
  std::string text = kConnector;
  text.replace(text.find("acme.crm.core.GetContact"), 24, "appmixer.utils.http.Get");
  Write(std::filesystem::path(clash.path()) / "Get.json", text);
  options.connector_dirs = {clash.path()};
  started = Server::Start(options, &log);
  ASSERT_FALSE(started.ok());
  EXPECT_EQ(started.status().code(), StatusCode::kAlreadyExists);
  EXPECT_NE(started.status().message().find("component type 'appmixer.utils.http.Get' is already registered"),
            std::string::npos)
      << started.status().message();
}

}  // namespace
}  // namespace flowkit::server::testing
