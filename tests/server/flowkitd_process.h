// Runs the flowkitd binary (FLOWKIT_SERVER_PATH) as a child process on port 0 and reads the URL
// it prints; for tests of signals, crashes and restarts.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <vector>

extern char** environ;

namespace flowkit::server::testing {

class FlowkitdProcess {
 public:
  // Starts flowkitd with `args` (plus --listen 127.0.0.1:0 unless given); waits up to 10 s for
  // its "flowkitd listening on URL" line. url() is empty when it did not start.
  explicit FlowkitdProcess(std::vector<std::string> args) {
    int out[2];
    if (pipe(out) != 0) return;
    std::vector<std::string> all = {FLOWKIT_SERVER_PATH, "--listen", "127.0.0.1:0"};
    all.insert(all.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (std::string& a : all) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    posix_spawn_file_actions_addclose(&actions, out[0]);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    int rc = posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    close(out[1]);
    if (rc != 0) {
      pid_ = -1;
      close(out[0]);
      return;
    }
    std::string text;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    fcntl(out[0], F_SETFL, O_NONBLOCK);
    while (std::chrono::steady_clock::now() < deadline && text.find('\n') == std::string::npos) {
      char buffer[256];
      ssize_t n = read(out[0], buffer, sizeof(buffer));
      if (n > 0) text.append(buffer, static_cast<size_t>(n));
      else if (n == 0) break;
      else usleep(10000);
    }
    close(out[0]);
    constexpr std::string_view kPrefix = "flowkitd listening on ";
    size_t at = text.find(kPrefix);
    if (at != std::string::npos) {
      size_t end = text.find('\n', at);
      url_ = text.substr(at + kPrefix.size(), end - at - kPrefix.size());
    }
  }
  ~FlowkitdProcess() { Kill(); }
  FlowkitdProcess(const FlowkitdProcess&) = delete;
  FlowkitdProcess& operator=(const FlowkitdProcess&) = delete;

  const std::string& url() const { return url_; }
  pid_t pid() const { return pid_; }

  void Kill() {
    if (pid_ <= 0) return;
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }
  // SIGTERM, then the exit status (or -1 when it had to be killed after 20 s).
  int Terminate() {
    if (pid_ <= 0) return -1;
    kill(pid_, SIGTERM);
    for (int i = 0; i < 2000; ++i) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      }
      usleep(10000);
    }
    Kill();
    return -1;
  }

 private:
  pid_t pid_ = -1;
  std::string url_;
};

}  // namespace flowkit::server::testing
