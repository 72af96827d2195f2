// W3C `tracestate`: parsing, validation, mutation and the 512-character output rule.
//
// Decisions where the specification leaves room:
// - Keys follow the Level 1 Recommendation: a simple key, or a multi-tenant key "tenant@system".
//   (Level 2 drafts loosen this; the W3C test suite still rejects "foo@bar@baz".)
// - Empty and white-space-only list members are skipped and do not count towards the 32.
// - When the header must be shortened, members longer than 128 characters are dropped first,
//   starting from the end and only as many as needed; then members from the end.
#include "weft/trace_state.h"

#include <array>
#include <cstdint>

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

// Character classes as tables: validating a received header is most of extracting it.
constexpr std::uint8_t kKeyChar = 1;
constexpr std::uint8_t kValueChar = 2;
constexpr std::array<std::uint8_t, 256> kCharClasses = [] {
  std::array<std::uint8_t, 256> classes{};
  for (int c = 0; c < 256; ++c) {
    const bool key = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
                     c == '*' || c == '/';
    // nblk-chr = %x21-2B / %x2D-3C / %x3E-7E, and the space (chr) inside a value.
    const bool value = c >= 0x20 && c <= 0x7e && c != ',' && c != '=';
    classes[static_cast<std::size_t>(c)] =
        static_cast<std::uint8_t>((key ? kKeyChar : 0) | (value ? kValueChar : 0));
  }
  return classes;
}();

bool all_in_class(std::string_view text, std::uint8_t char_class) noexcept {
  std::uint8_t all = char_class;
  for (char c : text) all &= kCharClasses[static_cast<unsigned char>(c)];
  return all == char_class;
}

// simple-key = lcalpha 0*255(key-char); tenant-id = (lcalpha / DIGIT) 0*240(key-char);
// system-id = lcalpha 0*13(key-char).
bool is_valid_key_part(std::string_view part, std::size_t max_length,
                       bool may_start_with_digit) noexcept {
  if (part.empty() || part.size() > max_length) return false;
  if (!is_lcalpha(part[0]) && !(may_start_with_digit && is_digit(part[0]))) return false;
  return all_in_class(part, kKeyChar);
}

using Member = std::pair<std::string_view, std::string_view>;  // key, value

std::size_t member_length(const Member& member) noexcept {
  return member.first.size() + 1 + member.second.size();
}

}  // namespace

// One allocation for the bookkeeping and one for the text (none for a short text), whatever the
// number of members; a received header is kept as it came, less white space and empty members.
struct TraceState::Members {
  struct Position {
    std::uint16_t key_begin;
    std::uint16_t key_length;
    std::uint16_t value_begin;
    std::uint16_t value_length;
  };
  std::string text;    // "k1=v1,k2=v2": every member (at most 32 x 513 characters)
  std::string output;  // text shortened to 512 characters, when `shortened`
  bool shortened = false;
  std::uint8_t count = 0;
  Position positions[kMaxMembers];

  Member member(std::size_t index) const noexcept {
    const Position& at = positions[index];
    const std::string_view all(text);
    return {all.substr(at.key_begin, at.key_length), all.substr(at.value_begin, at.value_length)};
  }
};

TraceState TraceState::make(const Member* members, std::size_t count) {
  TraceState state;
  if (count == 0) return state;
  auto made = std::make_shared<Members>();
  std::size_t length = count - 1;  // the commas
  for (std::size_t i = 0; i < count; ++i) length += member_length(members[i]);
  made->text.reserve(length);
  for (std::size_t i = 0; i < count; ++i) {
    if (i != 0) made->text.push_back(',');
    Members::Position& at = made->positions[i];
    at.key_begin = static_cast<std::uint16_t>(made->text.size());
    at.key_length = static_cast<std::uint16_t>(members[i].first.size());
    made->text.append(members[i].first).push_back('=');
    at.value_begin = static_cast<std::uint16_t>(made->text.size());
    at.value_length = static_cast<std::uint16_t>(members[i].second.size());
    made->text.append(members[i].second);
  }
  made->count = static_cast<std::uint8_t>(count);
  if (length > kMaxHeaderLength) {
    made->shortened = true;
    // Removing a member also removes one comma, unless it is the last member left.
    bool dropped[kMaxMembers] = {};
    std::size_t kept = count;
    const auto drop = [&](std::size_t i) {
      dropped[i] = true;
      length -= member_length(members[i]) + (kept > 1 ? 1 : 0);
      --kept;
    };
    for (std::size_t i = count; i-- > 0 && length > kMaxHeaderLength;) {
      if (member_length(members[i]) > kLongMember) drop(i);
    }
    for (std::size_t i = count; i-- > 0 && length > kMaxHeaderLength;) {
      if (!dropped[i]) drop(i);
    }
    for (std::size_t i = 0; i < count; ++i) {
      if (dropped[i]) continue;
      if (!made->output.empty()) made->output.push_back(',');
      made->output.append(members[i].first).append(1, '=').append(members[i].second);
    }
  }
  state.members_ = std::move(made);
  return state;
}

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
  return all_in_class(value, kValueChar);
}

std::optional<TraceState> TraceState::parse(std::string_view header) {
  Member members[kMaxMembers];
  std::size_t count = 0;
  // Every character is looked at a bounded number of times: the scan is linear in the header, and
  // the duplicate check is bounded by 32 x 32 comparisons.
  while (true) {
    const std::size_t comma = header.find(',');
    const std::string_view member = detail::trim_ows(header.substr(0, comma));
    if (!member.empty()) {
      if (count == kMaxMembers) return std::nullopt;
      const std::size_t equals = member.find('=');
      if (equals == std::string_view::npos) return std::nullopt;
      const std::string_view key = member.substr(0, equals);
      const std::string_view value = member.substr(equals + 1);
      if (!is_valid_key(key) || !is_valid_value(value)) return std::nullopt;
      for (std::size_t i = 0; i < count; ++i) {
        if (members[i].first == key) return std::nullopt;  // the spec allows one entry per key
      }
      members[count++] = {key, value};
    }
    if (comma == std::string_view::npos) break;
    header.remove_prefix(comma + 1);
  }
  return make(members, count);
}

std::string_view TraceState::header() const noexcept {
  if (!members_) return {};
  return members_->shortened ? std::string_view(members_->output)
                             : std::string_view(members_->text);
}

std::string_view TraceState::all_members() const noexcept {
  return members_ ? std::string_view(members_->text) : std::string_view();
}

std::size_t TraceState::size() const noexcept { return members_ ? members_->count : 0; }

std::optional<std::string_view> TraceState::get(std::string_view key) const noexcept {
  for (std::size_t i = 0; i < size(); ++i) {
    const Member member = members_->member(i);
    if (member.first == key) return member.second;
  }
  return std::nullopt;
}

TraceState TraceState::set(std::string_view key, std::string_view value) const {
  if (!is_valid_key(key) || !is_valid_value(value)) return *this;
  // A modified or added key goes to the front (left), as the specification requires; the others
  // keep their order, and the last one falls off when the list was already full.
  Member updated[kMaxMembers];
  std::size_t count = 0;
  updated[count++] = {key, value};
  for (std::size_t i = 0; i < size() && count < kMaxMembers; ++i) {
    const Member member = members_->member(i);
    if (member.first != key) updated[count++] = member;
  }
  return make(updated, count);
}

TraceState TraceState::remove(std::string_view key) const {
  if (!get(key)) return *this;
  Member remaining[kMaxMembers];
  std::size_t count = 0;
  for (std::size_t i = 0; i < size(); ++i) {
    const Member member = members_->member(i);
    if (member.first != key) remaining[count++] = member;
  }
  return make(remaining, count);
}

std::vector<TraceState::Entry> TraceState::entries() const {
  std::vector<Entry> all;
  all.reserve(size());
  for (std::size_t i = 0; i < size(); ++i) {
    const Member member = members_->member(i);
    all.emplace_back(std::string(member.first), std::string(member.second));
  }
  return all;
}

}  // namespace weft
