// W3C `tracestate`: an ordered list of vendor key/value pairs carried with a trace. Immutable: every
// change returns a new value. Copying an empty TraceState costs a null test; copying a non-empty
// one shares its members, which are kept as the header text itself (so passing a received trace
// state on costs no formatting).
#pragma once

#include <cstdint>
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
  TraceState(const TraceState& other) noexcept : members_(other.members_) {
    if (members_ != nullptr) share(members_);
  }
  TraceState(TraceState&& other) noexcept : members_(other.members_) { other.members_ = nullptr; }
  TraceState& operator=(const TraceState& other) noexcept {
    TraceState copy(other);
    std::swap(members_, copy.members_);
    return *this;
  }
  TraceState& operator=(TraceState&& other) noexcept {
    TraceState taken(std::move(other));
    std::swap(members_, taken.members_);
    return *this;
  }
  ~TraceState() {
    if (members_ != nullptr) unshare(members_);
  }

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
  // Every member in one text ("k1=v1,k2=v2") and the 512-character output: one allocation,
  // shared (reference-counted) by all copies.
  struct Members;
  static void share(Members* members) noexcept;
  static void unshare(Members* members) noexcept;
  // `text`, when given, is where the members already stand as "k1=v1,k2=v2", back to back with
  // exactly one comma between them (as in most received headers), and is copied at once.
  static TraceState make(const std::pair<std::string_view, std::string_view>* members,
                         std::size_t count, const char* text = nullptr);
  std::string_view all_members() const noexcept;  // "k1=v1,k2=v2", however long
  Members* members_ = nullptr;  // null when empty; never changed once made
};

}  // namespace weft
