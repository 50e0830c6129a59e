#include "engine/fire_pattern.h"

namespace flowkit::engine {

bool PatternRowMatches(const std::vector<FireSymbol>& row, const std::vector<size_t>& waiting,
                       const std::vector<std::set<std::string>>& arrived_from,
                       const std::vector<std::set<std::string>>& connected) {
  for (size_t i = 0; i < row.size() && i < waiting.size(); ++i) {
    switch (row[i]) {
      case FireSymbol::kAny:
        break;
      case FireSymbol::kExists:
        if (waiting[i] == 0) return false;
        break;
      case FireSymbol::kEmpty:
        if (waiting[i] != 0) return false;
        break;
      case FireSymbol::kAll:
        if (waiting[i] == 0) return false;
        for (const std::string& source : connected[i]) {
          if (arrived_from[i].count(source) == 0) return false;
        }
        break;
    }
  }
  return true;
}

std::optional<std::vector<PendingInput>> FireBuffer::Add(PendingInput input, const Manifest& manifest,
                                                         const std::vector<std::set<std::string>>& connected) {
  const size_t ports = manifest.in_ports.size();
  size_t port_index = ports;
  for (size_t i = 0; i < ports; ++i) {
    if (manifest.in_ports[i].name == input.port) port_index = i;
  }
  if (port_index == ports) return std::vector<PendingInput>{std::move(input)};  // not a pattern port

  auto& per_port = waiting_[input.message.correlation_id];
  per_port.resize(ports);
  const std::string correlation = input.message.correlation_id;
  per_port[port_index].push_back(std::move(input));

  std::vector<size_t> waiting(ports);
  std::vector<std::set<std::string>> arrived(ports);
  for (size_t i = 0; i < ports; ++i) {
    waiting[i] = per_port[i].size();
    for (const PendingInput& p : per_port[i]) arrived[i].insert(p.message.source_component);
  }
  for (const std::vector<FireSymbol>& row : manifest.fire_patterns) {
    if (!PatternRowMatches(row, waiting, arrived, connected)) continue;
    std::vector<PendingInput> batch;
    for (auto& queue : per_port) {
      for (PendingInput& p : queue) batch.push_back(std::move(p));
    }
    waiting_.erase(correlation);
    return batch;
  }
  return std::nullopt;
}

}  // namespace flowkit::engine
