// W3C tracestate: parsing, validation and the 512-character output rule.
#include "weft/trace_state.h"


namespace weft {
namespace {

bool is_lcalpha(char c) { return c >= 'a' && c <= 'z'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_key_char(char c) {
  return is_lcalpha(c) || is_digit(c) || c == '_' || c == '-' || c == '*' || c == '/';
}

// simple-key = lcalpha 0*255(key-char); tenant-id = (lcalpha / DIGIT) 0*240(key-char);
// system-id = lcalpha 0*13(key-char).
bool valid_key_part(std::string_view part, std::size_t max_length, bool digit_first_allowed) {
  if (part.empty() || part.size() > max_length) return false;
  if (!is_lcalpha(part[0]) && !(digit_first_allowed && is_digit(part[0]))) return false;
  for (char c : part) {
    if (!is_key_char(c)) return false;
  }
  return true;
}

std::string_view trim_ows(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

const std::vector<TraceState::Entry> kNoEntries;

}  // namespace

TraceState::TraceState(std::vector<Entry> entries)
    : entries_(entries.empty() ? nullptr
                               : std::make_shared<const std::vector<Entry>>(std::move(entries))) {}

bool TraceState::is_valid_key(std::string_view key) noexcept {
  const std::size_t at = key.find('@');
  if (at == std::string_view::npos) return valid_key_part(key, 256, false);
  return valid_key_part(key.substr(0, at), 241, true) &&
         valid_key_part(key.substr(at + 1), 14, false);
}

bool TraceState::is_valid_value(std::string_view value) noexcept {
  if (value.empty() || value.size() > 256) return false;
  for (char c : value) {
    if (c < 0x20 || c > 0x7e || c == ',' || c == '=') return false;
  }
  return value.back() != ' ';
}

std::optional<TraceState> TraceState::parse(std::string_view header) {
  std::vector<Entry> entries;
  while (true) {
    const std::size_t comma = header.find(',');
    const std::string_view member = trim_ows(header.substr(0, comma));
    if (!member.empty()) {
      const std::size_t equals = member.find('=');
      if (equals == std::string_view::npos) return std::nullopt;
      const std::string_view key = member.substr(0, equals);
      const std::string_view value = member.substr(equals + 1);
      if (!is_valid_key(key) || !is_valid_value(value)) return std::nullopt;
      for (const Entry& existing : entries) {
        if (existing.first == key) return std::nullopt;  // duplicate keys invalidate the header
      }
      if (entries.size() == kMaxMembers) return std::nullopt;
      entries.emplace_back(std::string(key), std::string(value));
    }
    if (comma == std::string_view::npos) break;
    header.remove_prefix(comma + 1);
  }
  return TraceState(std::move(entries));
}

std::string TraceState::to_header() const {
  std::vector<const Entry*> kept;
  std::size_t length = 0;
  for (const Entry& entry : entries()) {
    kept.push_back(&entry);
    length += entry.first.size() + 1 + entry.second.size() + (kept.size() > 1 ? 1 : 0);
  }
  const auto member_length = [](const Entry* entry) {
    return entry->first.size() + 1 + entry->second.size();
  };
  // Over 512: first drop members longer than 128 characters (from the end), then from the end.
  for (std::size_t i = kept.size(); i-- > 0 && length > kMaxHeaderLength;) {
    if (member_length(kept[i]) > 128) {
      length -= member_length(kept[i]) + (kept.size() > 1 ? 1 : 0);
      kept.erase(kept.begin() + static_cast<std::ptrdiff_t>(i));
    }
  }
  while (length > kMaxHeaderLength && !kept.empty()) {
    length -= member_length(kept.back()) + (kept.size() > 1 ? 1 : 0);
    kept.pop_back();
  }
  std::string header;
  for (const Entry* entry : kept) {
    if (!header.empty()) header.push_back(',');
    header.append(entry->first).push_back('=');
    header.append(entry->second);
  }
  return header;
}

std::optional<std::string_view> TraceState::get(std::string_view key) const noexcept {
  for (const Entry& entry : entries()) {
    if (entry.first == key) return std::string_view(entry.second);
  }
  return std::nullopt;
}

TraceState TraceState::set(std::string_view key, std::string_view value) const {
  if (!is_valid_key(key) || !is_valid_value(value)) return *this;
  std::vector<Entry> updated;
  updated.emplace_back(std::string(key), std::string(value));
  for (const Entry& entry : entries()) {
    if (entry.first != key && updated.size() < kMaxMembers) updated.push_back(entry);
  }
  return TraceState(std::move(updated));
}

TraceState TraceState::remove(std::string_view key) const {
  std::vector<Entry> remaining;
  for (const Entry& entry : entries()) {
    if (entry.first != key) remaining.push_back(entry);
  }
  return TraceState(std::move(remaining));
}

const std::vector<TraceState::Entry>& TraceState::entries() const noexcept {
  return entries_ ? *entries_ : kNoEntries;
}

}  // namespace weft
