// W3C `tracestate`: parsing, validation, mutation and the 512-character output rule.
//
// Decisions where the specification leaves room:
// - Keys follow the Level 1 Recommendation: a simple key, or a multi-tenant key "tenant@system".
//   (Level 2 drafts loosen this; the W3C test suite still rejects "foo@bar@baz".)
// - Empty and white-space-only list members are skipped and do not count towards the 32.
// - When the header must be shortened, members longer than 128 characters are dropped first,
//   starting from the end and only as many as needed; then members from the end.
#include "weft/trace_state.h"

#include <algorithm>

#include "propagation/ows.h"

namespace weft {
namespace {

constexpr std::size_t kMaxSimpleKey = 256;
constexpr std::size_t kMaxTenant = 241;
constexpr std::size_t kMaxSystem = 14;
constexpr std::size_t kMaxValue = 256;
constexpr std::size_t kLongMember = 128;  // dropped first when the header is too long

bool is_lcalpha(char c) noexcept { return c >= 'a' && c <= 'z'; }
bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }
bool is_key_char(char c) noexcept {
  return is_lcalpha(c) || is_digit(c) || c == '_' || c == '-' || c == '*' || c == '/';
}

// simple-key = lcalpha 0*255(key-char); tenant-id = (lcalpha / DIGIT) 0*240(key-char);
// system-id = lcalpha 0*13(key-char).
bool is_valid_key_part(std::string_view part, std::size_t max_length,
                       bool may_start_with_digit) noexcept {
  if (part.empty() || part.size() > max_length) return false;
  if (!is_lcalpha(part[0]) && !(may_start_with_digit && is_digit(part[0]))) return false;
  return std::all_of(part.begin(), part.end(), is_key_char);
}

// nblk-chr = %x21-2B / %x2D-3C / %x3E-7E: printable ASCII except space, ',' and '='.
bool is_value_char(char c) noexcept {
  const auto byte = static_cast<unsigned char>(c);
  return byte >= 0x20 && byte <= 0x7e && c != ',' && c != '=';
}

std::size_t member_length(const TraceState::Entry& entry) noexcept {
  return entry.first.size() + 1 + entry.second.size();
}

}  // namespace

TraceState::TraceState(std::vector<Entry> entries)
    : entries_(entries.empty() ? nullptr
                               : std::make_shared<const std::vector<Entry>>(std::move(entries))) {}

bool TraceState::is_valid_key(std::string_view key) noexcept {
  const std::size_t at = key.find('@');
  if (at == std::string_view::npos) return is_valid_key_part(key, kMaxSimpleKey, false);
  return is_valid_key_part(key.substr(0, at), kMaxTenant, true) &&
         is_valid_key_part(key.substr(at + 1), kMaxSystem, false);
}

// value = 0*255(chr) nblk-chr, chr = %x20 / nblk-chr: 1 to 256 characters, leading spaces are part
// of the value, a trailing space is not allowed.
bool TraceState::is_valid_value(std::string_view value) noexcept {
  if (value.empty() || value.size() > kMaxValue || value.back() == ' ') return false;
  return std::all_of(value.begin(), value.end(), is_value_char);
}

std::optional<TraceState> TraceState::parse(std::string_view header) {
  std::vector<Entry> entries;
  // Every character is looked at a bounded number of times: the scan is linear in the header, and
  // the duplicate check is bounded by 32 x 32 comparisons.
  while (true) {
    const std::size_t comma = header.find(',');
    const std::string_view member = detail::trim_ows(header.substr(0, comma));
    if (!member.empty()) {
      if (entries.size() == kMaxMembers) return std::nullopt;
      const std::size_t equals = member.find('=');
      if (equals == std::string_view::npos) return std::nullopt;
      const std::string_view key = member.substr(0, equals);
      const std::string_view value = member.substr(equals + 1);
      if (!is_valid_key(key) || !is_valid_value(value)) return std::nullopt;
      for (const Entry& existing : entries) {
        if (existing.first == key) return std::nullopt;  // the spec allows one entry per key
      }
      entries.emplace_back(std::string(key), std::string(value));
    }
    if (comma == std::string_view::npos) break;
    header.remove_prefix(comma + 1);
  }
  return TraceState(std::move(entries));
}

std::string TraceState::to_header() const {
  const std::vector<Entry>& all = entries();
  std::size_t length = all.empty() ? 0 : all.size() - 1;  // the commas
  for (const Entry& entry : all) length += member_length(entry);

  std::vector<bool> dropped(all.size(), false);
  std::size_t kept = all.size();
  // Removing a member also removes one comma, unless it is the last member left.
  const auto drop = [&](std::size_t i) {
    dropped[i] = true;
    length -= member_length(all[i]) + (kept > 1 ? 1 : 0);
    --kept;
  };
  for (std::size_t i = all.size(); i-- > 0 && length > kMaxHeaderLength;) {
    if (member_length(all[i]) > kLongMember) drop(i);
  }
  for (std::size_t i = all.size(); i-- > 0 && length > kMaxHeaderLength;) {
    if (!dropped[i]) drop(i);
  }

  std::string header;
  header.reserve(length);
  for (std::size_t i = 0; i < all.size(); ++i) {
    if (dropped[i]) continue;
    if (!header.empty()) header.push_back(',');
    header.append(all[i].first).append(1, '=').append(all[i].second);
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
  // A modified or added key goes to the front (left), as the specification requires; the others
  // keep their order, and the last one falls off when the list was already full.
  std::vector<Entry> updated;
  updated.reserve(std::min(size() + 1, kMaxMembers));
  updated.emplace_back(std::string(key), std::string(value));
  for (const Entry& entry : entries()) {
    if (updated.size() == kMaxMembers) break;
    if (entry.first != key) updated.push_back(entry);
  }
  return TraceState(std::move(updated));
}

TraceState TraceState::remove(std::string_view key) const {
  if (!get(key)) return *this;
  std::vector<Entry> remaining;
  remaining.reserve(size() - 1);
  for (const Entry& entry : entries()) {
    if (entry.first != key) remaining.push_back(entry);
  }
  return TraceState(std::move(remaining));
}

const std::vector<TraceState::Entry>& TraceState::entries() const noexcept {
  static const std::vector<Entry> kNoEntries;  // local: safe to use during static initialization
  return entries_ ? *entries_ : kNoEntries;
}

}  // namespace weft
