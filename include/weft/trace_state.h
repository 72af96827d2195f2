// W3C `tracestate`: an ordered list of vendor key/value pairs carried with a trace. Immutable: every
// change returns a new value. Copying an empty TraceState costs nothing; copying a non-empty one
// shares its members, which are kept as the header text itself (so passing a received trace state
// on costs no formatting).
#pragma once

#include <cstdint>
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
  std::string to_header() const { return std::string(header()); }
  // The same without a copy: it is worked out once, when the trace state is made.
  std::string_view header() const noexcept;

  std::optional<std::string_view> get(std::string_view key) const noexcept;
  // Adds or updates `key` and moves it to the front. Invalid keys or values leave it unchanged; when
  // the list is full, the last member is dropped to make room.
  TraceState set(std::string_view key, std::string_view value) const;
  TraceState remove(std::string_view key) const;

  bool empty() const noexcept { return members_ == nullptr; }
  std::size_t size() const noexcept;
  std::vector<Entry> entries() const;

  friend bool operator==(const TraceState& a, const TraceState& b) noexcept {
    return a.all_members() == b.all_members();
  }
  friend bool operator!=(const TraceState& a, const TraceState& b) noexcept { return !(a == b); }

 private:
  struct Members;  // every member in one string, and where each one is in it
  static TraceState make(const std::pair<std::string_view, std::string_view>* members,
                         std::size_t count);
  std::string_view all_members() const noexcept;  // "k1=v1,k2=v2", however long
  std::shared_ptr<const Members> members_;  // null when empty
};

}  // namespace weft
