// W3C Baggage: "key=value;property, key2=value2" with percent-encoded values.
#include "weft/baggage.h"

#include "config/env_values.h"

namespace weft {
namespace {

bool is_token_char(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+': case '-':
    case '.': case '^': case '_': case '`': case '|': case '~':
      return true;
    default:
      return false;
  }
}

bool is_token(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (!is_token_char(c)) return false;
  }
  return true;
}

// baggage-octet: printable ASCII except space, '"', ',', ';' and '\'.
bool is_baggage_octet(unsigned char c) {
  return c >= 0x21 && c <= 0x7e && c != '"' && c != ',' && c != ';' && c != '\\';
}

std::string_view trim_ows(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

std::optional<std::string> decode_value(std::string_view text) {
  for (char c : text) {
    if (!is_baggage_octet(static_cast<unsigned char>(c))) return std::nullopt;
  }
  return detail::percent_decode(text);
}

void encode_value(std::string_view value, std::string& out) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (char c : value) {
    const auto byte = static_cast<unsigned char>(c);
    if (is_baggage_octet(byte) && byte != '%') {
      out.push_back(c);
    } else {
      out.push_back('%');
      out.push_back(kHex[byte >> 4]);
      out.push_back(kHex[byte & 0x0f]);
    }
  }
}

const std::vector<Baggage::Entry> kNoEntries;

}  // namespace

Baggage::Baggage(std::vector<Entry> entries)
    : entries_(entries.empty() ? nullptr
                               : std::make_shared<const std::vector<Entry>>(std::move(entries))) {}

Baggage Baggage::parse(std::string_view header) {
  if (header.size() > kMaxHeaderBytes) header = header.substr(0, kMaxHeaderBytes);
  std::vector<Entry> entries;
  while (!header.empty()) {
    const std::size_t comma = header.find(',');
    const std::string_view member = trim_ows(header.substr(0, comma));
    header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
    const std::size_t semicolon = member.find(';');
    const std::string_view pair = member.substr(0, semicolon);
    const std::size_t equals = pair.find('=');
    if (equals == std::string_view::npos) continue;  // invalid members are skipped
    const std::string_view key = trim_ows(pair.substr(0, equals));
    auto value = decode_value(trim_ows(pair.substr(equals + 1)));
    if (!is_token(key) || !value) continue;
    std::string metadata;
    if (semicolon != std::string_view::npos) metadata = std::string(member.substr(semicolon + 1));
    bool replaced = false;
    for (Entry& existing : entries) {
      if (existing.key == key) {  // a repeated key: the last one wins
        existing.value = std::move(*value);
        existing.metadata = std::move(metadata);
        replaced = true;
        break;
      }
    }
    if (!replaced && entries.size() < kMaxMembers) {
      entries.push_back(Entry{std::string(key), std::move(*value), std::move(metadata)});
    }
  }
  return Baggage(std::move(entries));
}

std::string Baggage::to_header() const {
  std::string header;
  std::size_t members = 0;
  for (const Entry& entry : entries()) {
    std::string member = entry.key + "=";
    encode_value(entry.value, member);
    if (!entry.metadata.empty()) member += ";" + entry.metadata;
    const std::size_t added = member.size() + (header.empty() ? 0 : 1);
    if (members == kMaxMembers || header.size() + added > kMaxHeaderBytes) continue;
    if (!header.empty()) header.push_back(',');
    header += member;
    ++members;
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
  if (!is_token(key)) return *this;
  std::vector<Entry> updated = entries();
  for (Entry& entry : updated) {
    if (entry.key == key) {
      entry.value = std::string(value);
      entry.metadata = std::string(metadata);
      return Baggage(std::move(updated));
    }
  }
  updated.push_back(Entry{std::string(key), std::string(value), std::string(metadata)});
  return Baggage(std::move(updated));
}

Baggage Baggage::remove(std::string_view key) const {
  std::vector<Entry> remaining;
  for (const Entry& entry : entries()) {
    if (entry.key != key) remaining.push_back(entry);
  }
  return Baggage(std::move(remaining));
}

const std::vector<Baggage::Entry>& Baggage::entries() const noexcept {
  return entries_ ? *entries_ : kNoEntries;
}

}  // namespace weft
