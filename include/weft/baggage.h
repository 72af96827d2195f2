// W3C Baggage: user-defined name/value pairs that travel with the context across threads and
// processes. Immutable: every change returns a new value; an empty Baggage costs a null test to
// copy.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace weft {

class Baggage {
 public:
  struct Entry {
    std::string key;
    std::string value;  // decoded (percent-decoding applied)
    // The properties after ';', without the leading ';' and without white space around their
    // keys, values and separators: "a=1;flag".
    std::string metadata;
    friend bool operator==(const Entry& a, const Entry& b) {
      return a.key == b.key && a.value == b.value && a.metadata == b.metadata;
    }
  };
  // Limits, applied when parsing and when serializing. The W3C grammar allows at most 180
  // list-members, and a platform must propagate at least 64 members and a baggage-string of at
  // least 8192 bytes; OpenTelemetry's other SDKs propagate up to 180 members and 8192 bytes.
  static constexpr std::size_t kMaxMembers = 180;
  static constexpr std::size_t kMaxHeaderBytes = 8192;

  Baggage() noexcept = default;
  Baggage(const Baggage& other) noexcept : shared_(other.shared_) {
    if (shared_ != nullptr) share(shared_);
  }
  Baggage(Baggage&& other) noexcept : shared_(other.shared_) { other.shared_ = nullptr; }
  Baggage& operator=(const Baggage& other) noexcept {
    Baggage copy(other);
    std::swap(shared_, copy.shared_);
    return *this;
  }
  Baggage& operator=(Baggage&& other) noexcept {
    Baggage taken(std::move(other));
    std::swap(shared_, taken.shared_);
    return *this;
  }
  ~Baggage() {
    if (shared_ != nullptr) unshare(shared_);
  }

  // Parses a `baggage` header. Invalid list members are skipped; members beyond the limits are
  // dropped. Never fails: at worst the result is empty.
  static Baggage parse(std::string_view header);
  // The header value with values percent-encoded; members that would exceed the limits are omitted.
  std::string to_header() const;

  std::optional<std::string_view> get(std::string_view key) const noexcept;
  // Adds or replaces `key`. An empty or invalid key, or metadata outside the grammar of
  // properties, leaves the baggage unchanged.
  Baggage set(std::string_view key, std::string_view value, std::string_view metadata = {}) const;
  Baggage remove(std::string_view key) const;

  bool empty() const noexcept { return shared_ == nullptr; }
  std::size_t size() const noexcept { return entries().size(); }
  const std::vector<Entry>& entries() const noexcept;

  friend bool operator==(const Baggage& a, const Baggage& b) noexcept {
    return a.entries() == b.entries();
  }
  friend bool operator!=(const Baggage& a, const Baggage& b) noexcept { return !(a == b); }

 private:
  // The entries, shared (reference-counted) by all copies: one pointer, so a Context copies and
  // moves in whole words.
  struct Shared;
  static void share(Shared* shared) noexcept;
  static void unshare(Shared* shared) noexcept;
  explicit Baggage(std::vector<Entry> entries);
  Shared* shared_ = nullptr;  // null when empty; never changed once made
};

}  // namespace weft
