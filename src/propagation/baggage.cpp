// W3C Baggage: "key=value;property, key2 = value2" with percent-encoded UTF-8 values.
//
// Decisions where the specification leaves room:
// - An invalid list member (bad key, a value or property outside the grammar) is skipped on its
//   own; the rest of the header is kept.
// - A '%' that does not start a "%XX" escape is kept as a literal '%' rather than rejecting the
//   member (the value is then re-encoded as "%25" on output). Decoded bytes that are not valid
//   UTF-8 become U+FFFD, as the specification requires.
// - A repeated key: the last value and properties win, at the position of the first.
// - Limits (180 members, 8192 bytes), the same when parsing and when serializing: members are
//   taken in order; one that would exceed either limit is left out whole (the specification
//   forbids propagating part of a member), and later members that still fit are kept. Sizes are
//   those of the header weft writes, so a parsed baggage is always written whole. When parsing,
//   keys after the first 180 distinct ones are dropped before the byte limit is applied. (180 is
//   the grammar's maximum, list-member 0*179( OWS "," OWS list-member ); a cap of 64 would drop
//   members of a header well under the 8192 bytes a platform MUST propagate.)
// - Properties are validated and kept without white space around their keys, values and ';'
//   ("a = 1 ; flag" is kept as "a=1;flag"), as the specification requires.
#include "weft/baggage.h"

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <optional>
#include <string>

#include "propagation/ows.h"

namespace weft {
namespace {

constexpr std::string_view kReplacementCharacter = "\xEF\xBF\xBD";  // U+FFFD in UTF-8

// tchar of RFC 7230, section 3.2.6.
bool is_token_char(char c) noexcept {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  constexpr std::string_view kSymbols = "!#$%&'*+-.^_`|~";
  return kSymbols.find(c) != std::string_view::npos;
}

bool is_token(std::string_view text) noexcept {
  return !text.empty() && std::all_of(text.begin(), text.end(), is_token_char);
}

// baggage-octet = %x21 / %x23-2B / %x2D-3A / %x3C-5B / %x5D-7E: printable ASCII except space,
// '"', ',', ';' and '\'.
bool is_baggage_octet(char c) noexcept {
  const auto byte = static_cast<unsigned char>(c);
  return byte >= 0x21 && byte <= 0x7e && c != '"' && c != ',' && c != ';' && c != '\\';
}

bool is_baggage_text(std::string_view text) noexcept {
  return std::all_of(text.begin(), text.end(), is_baggage_octet);
}

// property = key OWS "=" OWS value / key OWS, separated by OWS ";" OWS. Returns the properties
// without that white space ("a=1;flag"), as the specification requires of the data structure, or
// nullopt when one is outside the grammar.
std::optional<std::string> normalized_properties(std::string_view properties) {
  std::string normalized;
  while (true) {
    const std::size_t semicolon = properties.find(';');
    const std::string_view property = detail::trim_ows(properties.substr(0, semicolon));
    const std::size_t equals = property.find('=');
    if (equals == std::string_view::npos) {
      if (!is_token(property)) return std::nullopt;
      normalized.append(property);
    } else {
      const std::string_view key = detail::trim_ows(property.substr(0, equals));
      const std::string_view value = detail::trim_ows(property.substr(equals + 1));
      if (!is_token(key) || !is_baggage_text(value)) return std::nullopt;
      normalized.append(key).append(1, '=').append(value);
    }
    if (semicolon == std::string_view::npos) return normalized;
    normalized.append(1, ';');
    properties.remove_prefix(semicolon + 1);
  }
}

int hex_digit_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Appends `bytes`, replacing each maximal ill-formed UTF-8 subsequence with U+FFFD (the Unicode
// "best practice" also used by the WHATWG decoder): a byte that breaks a sequence is then read
// again as the start of the next one.
void append_utf8_replacing_errors(std::string_view bytes, std::string& out) {
  std::size_t i = 0;
  while (i < bytes.size()) {
    const auto lead = static_cast<unsigned char>(bytes[i]);
    if (lead < 0x80) {
      out.push_back(bytes[i++]);
      continue;
    }
    // The number of continuation bytes and the allowed range of the first one, which excludes
    // overlong forms, surrogates and code points above U+10FFFF.
    std::size_t needed = 0;
    unsigned char low = 0x80;
    unsigned char high = 0xbf;
    if (lead >= 0xc2 && lead <= 0xdf) {
      needed = 1;
    } else if (lead >= 0xe0 && lead <= 0xef) {
      needed = 2;
      if (lead == 0xe0) low = 0xa0;
      if (lead == 0xed) high = 0x9f;
    } else if (lead >= 0xf0 && lead <= 0xf4) {
      needed = 3;
      if (lead == 0xf0) low = 0x90;
      if (lead == 0xf4) high = 0x8f;
    }
    std::size_t end = i + 1;
    while (needed > 0 && end < bytes.size()) {
      const auto next = static_cast<unsigned char>(bytes[end]);
      if (next < low || next > high) break;
      low = 0x80;
      high = 0xbf;
      ++end;
      --needed;
    }
    if (needed == 0 && end > i + 1) {
      out.append(bytes.substr(i, end - i));
    } else {
      out.append(kReplacementCharacter);
    }
    i = end;
  }
}

std::string decode_value(std::string_view raw) {
  if (raw.find('%') == std::string_view::npos) return std::string(raw);  // plain ASCII
  std::string bytes;
  bytes.reserve(raw.size());
  for (std::size_t i = 0; i < raw.size(); ++i) {
    const int high = raw[i] == '%' && i + 2 < raw.size() ? hex_digit_value(raw[i + 1]) : -1;
    const int low = high >= 0 ? hex_digit_value(raw[i + 2]) : -1;
    if (low >= 0) {
      bytes.push_back(static_cast<char>((high << 4) | low));
      i += 2;
    } else {
      bytes.push_back(raw[i]);  // includes a '%' that starts no escape
    }
  }
  std::string decoded;
  decoded.reserve(bytes.size());
  append_utf8_replacing_errors(bytes, decoded);
  return decoded;
}

bool needs_encoding(char c) noexcept { return !is_baggage_octet(c) || c == '%'; }

std::size_t encoded_size(std::string_view value) noexcept {
  std::size_t size = value.size();
  for (char c : value) {
    if (needs_encoding(c)) size += 2;
  }
  return size;
}

void append_encoded(std::string_view value, std::string& out) {
  static constexpr char kHex[] = "0123456789ABCDEF";  // RFC 3986 recommends uppercase
  for (char c : value) {
    if (!needs_encoding(c)) {
      out.push_back(c);
      continue;
    }
    const auto byte = static_cast<unsigned char>(c);
    out.push_back('%');
    out.push_back(kHex[byte >> 4]);
    out.push_back(kHex[byte & 0x0f]);
  }
}

// The size of the member in the header weft writes: key=value;metadata.
std::size_t member_size(const Baggage::Entry& entry) noexcept {
  return entry.key.size() + 1 + encoded_size(entry.value) +
         (entry.metadata.empty() ? 0 : 1 + entry.metadata.size());
}

// Which members a header may carry: in order, skipping any that would exceed a limit.
std::vector<bool> members_within_limits(const std::vector<Baggage::Entry>& entries) {
  std::vector<bool> included(entries.size(), false);
  std::size_t members = 0;
  std::size_t bytes = 0;
  for (std::size_t i = 0; i < entries.size() && members < Baggage::kMaxMembers; ++i) {
    const std::size_t added = member_size(entries[i]) + (members > 0 ? 1 : 0);  // and a comma
    if (bytes + added > Baggage::kMaxHeaderBytes) continue;
    included[i] = true;
    bytes += added;
    ++members;
  }
  return included;
}

// list-member = key OWS "=" OWS value *( OWS ";" OWS property ), already stripped of outer OWS.
std::optional<Baggage::Entry> parse_member(std::string_view member) {
  const std::size_t semicolon = member.find(';');
  const std::string_view pair = member.substr(0, semicolon);
  const std::size_t equals = pair.find('=');
  if (equals == std::string_view::npos) return std::nullopt;
  const std::string_view key = detail::trim_ows(pair.substr(0, equals));
  const std::string_view value = detail::trim_ows(pair.substr(equals + 1));
  if (!is_token(key) || !is_baggage_text(value)) return std::nullopt;
  std::optional<std::string> metadata;
  if (semicolon != std::string_view::npos) {
    metadata = normalized_properties(member.substr(semicolon + 1));
    if (!metadata) return std::nullopt;
  }
  return Baggage::Entry{std::string(key), decode_value(value),
                        metadata ? std::move(*metadata) : std::string()};
}

}  // namespace

struct Baggage::Shared {
  explicit Shared(std::vector<Entry> entries_) : entries(std::move(entries_)) {}
  std::atomic<std::uint32_t> references{1};
  const std::vector<Entry> entries;
};

void Baggage::share(Shared* shared) noexcept {
  shared->references.fetch_add(1, std::memory_order_relaxed);
}

void Baggage::unshare(Shared* shared) noexcept {
  // The only owner deletes without a locked read-modify-write (see TraceState::unshare).
  if (shared->references.load(std::memory_order_acquire) == 1 ||
      shared->references.fetch_sub(1, std::memory_order_acq_rel) == 1) {
    delete shared;
  }
}

Baggage::Baggage(std::vector<Entry> entries)
    : shared_(entries.empty() ? nullptr : new Shared(std::move(entries))) {}

Baggage Baggage::parse(std::string_view header) {
  std::vector<Entry> entries;
  // Linear in the header: each member is scanned a bounded number of times, and the duplicate
  // check compares with at most 180 entries.
  while (true) {
    const std::size_t comma = header.find(',');
    const std::string_view member = detail::trim_ows(header.substr(0, comma));
    std::optional<Entry> parsed = member.empty() ? std::nullopt : parse_member(member);
    if (parsed) {
      const auto same_key = [&](const Entry& entry) { return entry.key == parsed->key; };
      const auto existing = std::find_if(entries.begin(), entries.end(), same_key);
      if (existing != entries.end()) {
        *existing = std::move(*parsed);
      } else if (entries.size() < kMaxMembers) {
        entries.push_back(std::move(*parsed));
      }
    }
    if (comma == std::string_view::npos) break;
    header.remove_prefix(comma + 1);
  }

  const std::vector<bool> included = members_within_limits(entries);
  if (std::find(included.begin(), included.end(), false) != included.end()) {
    std::vector<Entry> fitting;
    for (std::size_t i = 0; i < entries.size(); ++i) {
      if (included[i]) fitting.push_back(std::move(entries[i]));
    }
    entries = std::move(fitting);
  }
  return Baggage(std::move(entries));
}

std::string Baggage::to_header() const {
  const std::vector<Entry>& all = entries();
  const std::vector<bool> included = members_within_limits(all);
  std::string header;
  for (std::size_t i = 0; i < all.size(); ++i) {
    if (!included[i]) continue;
    if (!header.empty()) header.push_back(',');
    header.append(all[i].key).push_back('=');
    append_encoded(all[i].value, header);
    if (!all[i].metadata.empty()) header.append(1, ';').append(all[i].metadata);
  }
  return header;
}

std::optional<std::string_view> Baggage::get(std::string_view key) const noexcept {
  for (const Entry& entry : entries()) {
    if (entry.key == key) return std::string_view(entry.value);
  }
  return std::nullopt;
}

Baggage Baggage::set(std::string_view key, std::string_view value,
                     std::string_view metadata) const {
  // The value may hold any bytes (it is percent-encoded on output), but the metadata is written
  // as it is, so it must already be valid properties or it would corrupt the header.
  std::optional<std::string> properties;
  if (!detail::trim_ows(metadata).empty()) {
    properties = normalized_properties(metadata);
    if (!properties) return *this;
  }
  if (!is_token(key)) return *this;
  std::string kept_metadata = properties ? std::move(*properties) : std::string();
  std::vector<Entry> updated = entries();
  for (Entry& entry : updated) {
    if (entry.key == key) {
      entry.value.assign(value);
      entry.metadata = std::move(kept_metadata);
      return Baggage(std::move(updated));
    }
  }
  updated.push_back(Entry{std::string(key), std::string(value), std::move(kept_metadata)});
  return Baggage(std::move(updated));
}

Baggage Baggage::remove(std::string_view key) const {
  if (!get(key)) return *this;
  std::vector<Entry> remaining;
  remaining.reserve(size() - 1);
  for (const Entry& entry : entries()) {
    if (entry.key != key) remaining.push_back(entry);
  }
  return Baggage(std::move(remaining));
}

const std::vector<Baggage::Entry>& Baggage::entries() const noexcept {
  static const std::vector<Entry> kNoEntries;  // local: safe to use during static initialization
  return shared_ != nullptr ? shared_->entries : kNoEntries;
}

}  // namespace weft
