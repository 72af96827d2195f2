// W3C `tracestate`: an ordered list of vendor key/value pairs carried with a trace. Immutable: every
// change returns a new value. Copying an empty TraceState costs nothing; copying a non-empty one
// shares the entries.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace weft {

class TraceState {
 public:
  static constexpr std::size_t kMaxMembers = 32;
  static constexpr std::size_t kMaxHeaderLength = 512;  // longer headers are shortened on output
  using Entry = std::pair<std::string, std::string>;

  TraceState() noexcept = default;

  // Parses a `tracestate` header (several headers may be joined with ','). Returns nullopt when the
  // header is invalid as a whole (a bad key or value, a duplicate key, more than 32 members);
  // empty list members and optional white space are accepted.
  static std::optional<TraceState> parse(std::string_view header);
  static bool is_valid_key(std::string_view key) noexcept;
  static bool is_valid_value(std::string_view value) noexcept;

  // The header value, at most 512 characters: when longer, members over 128 characters are dropped
  // first, then members from the end, as the W3C specification recommends.
  std::string to_header() const;

  std::optional<std::string_view> get(std::string_view key) const noexcept;
  // Adds or updates `key` and moves it to the front. Invalid keys or values leave it unchanged; when
  // the list is full, the last member is dropped to make room.
  TraceState set(std::string_view key, std::string_view value) const;
  TraceState remove(std::string_view key) const;

  bool empty() const noexcept { return entries_ == nullptr || entries_->empty(); }
  std::size_t size() const noexcept { return entries_ ? entries_->size() : 0; }
  const std::vector<Entry>& entries() const noexcept;

  friend bool operator==(const TraceState& a, const TraceState& b) noexcept {
    return a.entries() == b.entries();
  }
  friend bool operator!=(const TraceState& a, const TraceState& b) noexcept { return !(a == b); }

 private:
  explicit TraceState(std::vector<Entry> entries);
  std::shared_ptr<const std::vector<Entry>> entries_;
};

}  // namespace weft
