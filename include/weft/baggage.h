// W3C Baggage: user-defined name/value pairs that travel with the context across threads and
// processes. Immutable: every change returns a new value; an empty Baggage costs nothing to copy.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace weft {

class Baggage {
 public:
  struct Entry {
    std::string key;
    std::string value;     // decoded (percent-decoding applied)
    std::string metadata;  // the properties after ';', as received, without the leading ';'
    friend bool operator==(const Entry& a, const Entry& b) {
      return a.key == b.key && a.value == b.value && a.metadata == b.metadata;
    }
  };
  // Limits of the W3C Baggage specification, applied when parsing and when serializing.
  static constexpr std::size_t kMaxMembers = 64;
  static constexpr std::size_t kMaxHeaderBytes = 8192;

  Baggage() noexcept = default;

  // Parses a `baggage` header. Invalid list members are skipped; members beyond the limits are
  // dropped. Never fails: at worst the result is empty.
  static Baggage parse(std::string_view header);
  // The header value with values percent-encoded; members that would exceed the limits are omitted.
  std::string to_header() const;

  std::optional<std::string_view> get(std::string_view key) const noexcept;
  // Adds or replaces `key`. An empty or invalid key leaves the baggage unchanged.
  Baggage set(std::string_view key, std::string_view value, std::string_view metadata = {}) const;
  Baggage remove(std::string_view key) const;

  bool empty() const noexcept { return entries_ == nullptr || entries_->empty(); }
  std::size_t size() const noexcept { return entries_ ? entries_->size() : 0; }
  const std::vector<Entry>& entries() const noexcept;

  friend bool operator==(const Baggage& a, const Baggage& b) noexcept {
    return a.entries() == b.entries();
  }
  friend bool operator!=(const Baggage& a, const Baggage& b) noexcept { return !(a == b); }

 private:
  explicit Baggage(std::vector<Entry> entries);
  std::shared_ptr<const std::vector<Entry>> entries_;
};

}  // namespace weft
