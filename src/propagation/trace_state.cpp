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
#include <array>
#include <atomic>
#include <cstdint>
#include <cstring>
#include <new>

#include "propagation/ows.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

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

#if defined(__SSE2__)
// 0xff in the bytes of `chars` from `low` to `high`: shifted so that `low` is the smallest signed
// byte, one signed comparison finds the range (two for the plain way).
inline __m128i in_range(__m128i chars, char low, char high) noexcept {
  const __m128i shifted = _mm_add_epi8(chars, _mm_set1_epi8(static_cast<char>(0x80 - low)));
  return _mm_cmplt_epi8(shifted, _mm_set1_epi8(static_cast<char>(0x80 + (high - low) + 1)));
}

// Bit i is set where p[i] is not a key character (a-z, 0-9, '_', '-', '*', '/').
inline unsigned non_key_chars_of_16(const char* p) noexcept {
  const __m128i chars = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  // '-' (0x2d) to '9' (0x39) is '-', '.', '/' and the digits: all but the '.'.
  const __m128i dash_to_nine = _mm_andnot_si128(_mm_cmpeq_epi8(chars, _mm_set1_epi8('.')),
                                                in_range(chars, '-', '9'));
  const __m128i others = _mm_or_si128(_mm_cmpeq_epi8(chars, _mm_set1_epi8('_')),
                                      _mm_cmpeq_epi8(chars, _mm_set1_epi8('*')));
  const __m128i key =
      _mm_or_si128(_mm_or_si128(in_range(chars, 'a', 'z'), dash_to_nine), others);
  return static_cast<unsigned>(_mm_movemask_epi8(key)) ^ 0xffffU;
}

// Bit i is set where p[i] is not plain inside a value: anything but 0x20-0x7e, ',' and '='.
inline unsigned non_value_chars_of_16(const char* p) noexcept {
  const __m128i chars = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  const __m128i separators = _mm_or_si128(_mm_cmpeq_epi8(chars, _mm_set1_epi8(',')),
                                          _mm_cmpeq_epi8(chars, _mm_set1_epi8('=')));
  const __m128i plain = _mm_andnot_si128(separators, in_range(chars, 0x20, 0x7e));
  return static_cast<unsigned>(_mm_movemask_epi8(plain)) ^ 0xffffU;
}
#endif

// The first character at or after `p` (before `end`) whose class lacks `kClass`; `begin` is where
// the header starts. Keys and values are most of a header: with SSE2, 16 characters are looked at
// at once, and the last few of a header (fewer than 16) through the header's last 16 characters,
// read again, rather than one at a time: most headers end in a value of under 16. Inline in the
// parser, which keeps the constants in registers.
template <std::uint8_t kClass>
__attribute__((always_inline)) inline const char* skip_chars_of_class(const char* p,
                                                                      const char* begin,
                                                                      const char* end) noexcept {
#if defined(__SSE2__)
  const auto stops_of_16 = [](const char* at) {
    return kClass == kKeyChar ? non_key_chars_of_16(at) : non_value_chars_of_16(at);
  };
  while (end - p >= 16) {
    const unsigned stops = stops_of_16(p);
    if (stops != 0) return p + __builtin_ctz(stops);
    p += 16;
  }
  if (p == end) return p;
  if (end - begin >= 16) {
    const char* const last_16 = end - 16;
    // Bits for the characters before `p` are shifted out: they were seen already.
    const unsigned stops = stops_of_16(last_16) >> (p - last_16);
    return stops != 0 ? p + __builtin_ctz(stops) : end;
  }
#else
  (void)begin;
#endif
  while (p != end && (kCharClasses[static_cast<unsigned char>(*p)] & kClass) != 0) ++p;
  return p;
}

// The lengths and first characters of a key whose characters are all key characters; `at` is
// where its '@' is (npos for a simple key).
bool has_key_shape(std::string_view key, std::size_t at) noexcept {
  if (at == std::string_view::npos) {
    return !key.empty() && key.size() <= kMaxSimpleKey && is_lcalpha(key[0]);
  }
  const std::string_view tenant = key.substr(0, at);
  const std::string_view system = key.substr(at + 1);
  return !tenant.empty() && tenant.size() <= kMaxTenant &&
         (is_lcalpha(tenant[0]) || is_digit(tenant[0])) && !system.empty() &&
         system.size() <= kMaxSystem && is_lcalpha(system[0]);
}

using Member = std::pair<std::string_view, std::string_view>;  // key, value


// Up to 32 members on the stack, constructed only as they are added: zeroing all 32 up front took
// a third of the time of parsing a two-member header.
class MemberList {
 public:
  MemberList() noexcept {}  // NOLINT: the members are left unconstructed on purpose
  void push(std::string_view key, std::string_view value) noexcept {
    new (&items_[size_]) Member(key, value);
    ++size_;
  }
  std::size_t size() const noexcept { return size_; }
  bool full() const noexcept { return size_ == TraceState::kMaxMembers; }
  const Member& operator[](std::size_t index) const noexcept { return items_[index]; }
  const Member* data() const noexcept { return items_; }

 private:
  union {
    Member items_[TraceState::kMaxMembers];  // trivially destructible
  };
  std::size_t size_ = 0;
};

std::size_t member_length(const Member& member) noexcept {
  return member.first.size() + 1 + member.second.size();
}

}  // namespace

// One allocation holds the counter, the text and the shortened output:
//   Members | text ("k1=v1,k2=v2") | output (when shortened)
// The text is always in that form (no white space, no empty members), and neither keys nor values
// hold ',' or '=': members are found in it again by looking for those (see MemberReader), which
// costs less than noting where each one is on every parse.
struct TraceState::Members {
  std::atomic<std::uint32_t> references{1};
  std::uint32_t text_length = 0;    // at most 32 x 513 characters
  std::uint32_t output_length = 0;  // when shortened
  bool shortened = false;
  std::uint8_t count = 0;

  char* text() noexcept { return reinterpret_cast<char*>(this + 1); }
  const char* text() const noexcept { return reinterpret_cast<const char*>(this + 1); }
  std::string_view all() const noexcept { return {text(), text_length}; }
  std::string_view output() const noexcept { return {text() + text_length, output_length}; }
  std::size_t size() const noexcept {  // of the whole block, as allocated
    return sizeof(Members) + text_length + output_length;
  }
};

namespace {

// The members of a state's text ("k1=v1,k2=v2"), one after the other.
class MemberReader {
 public:
  explicit MemberReader(std::string_view text) noexcept : rest_(text) {}
  bool done() const noexcept { return rest_.empty(); }
  Member next() noexcept {
    const std::size_t equals = rest_.find('=');
    const std::string_view key = rest_.substr(0, equals);
    rest_.remove_prefix(equals + 1);
    const std::size_t comma = rest_.find(',');
    const std::string_view value = rest_.substr(0, comma);
    rest_.remove_prefix(comma == std::string_view::npos ? rest_.size() : comma + 1);
    return {key, value};
  }

 private:
  std::string_view rest_;
};

// Each thread keeps one freed block of the usual size for the next trace state made on it: a
// service extracts a trace state per request and drops it with the request, and operator new and
// delete cost about as much as parsing a two-member header (~150 instructions). Blocks of up to
// kSpareBlockSize bytes are all allocated at that size, so any of them can be reused. Not under
// AddressSanitizer, which should see every use of a freed block.
#if defined(__SANITIZE_ADDRESS__)
constexpr std::size_t kSpareBlockSize = 0;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr std::size_t kSpareBlockSize = 0;
#else
constexpr std::size_t kSpareBlockSize = 128;  // Members and a text of up to 112 characters
#endif
#else
constexpr std::size_t kSpareBlockSize = 128;  // Members and a text of up to 112 characters
#endif

// Trivially destructible, so readable while the thread exits; tls_spare_closed is set once the
// reaper has freed the thread's block, after which freed blocks go back to operator delete.
thread_local void* tls_spare_block = nullptr;
thread_local bool tls_spare_closed = false;
thread_local bool tls_spare_reaper_armed = false;

struct SpareBlockReaper {
  void arm() noexcept { tls_spare_reaper_armed = true; }
  ~SpareBlockReaper() {
    tls_spare_closed = true;
    ::operator delete(tls_spare_block);
    tls_spare_block = nullptr;
  }
};
thread_local SpareBlockReaper tls_spare_reaper;

void* allocate_block(std::size_t size) {
  if (size > kSpareBlockSize) return ::operator new(size);
  if (void* spare = tls_spare_block) {
    tls_spare_block = nullptr;
    return spare;
  }
  return ::operator new(kSpareBlockSize);
}

void free_block(void* block, std::size_t size) noexcept {
  if (size <= kSpareBlockSize && tls_spare_block == nullptr && !tls_spare_closed) {
    // The first block kept registers the reaper's destructor, which frees the last one kept.
    if (!tls_spare_reaper_armed) tls_spare_reaper.arm();
    tls_spare_block = block;
    return;
  }
  ::operator delete(block);
}

}  // namespace

void TraceState::share(Members* members) noexcept {
  members->references.fetch_add(1, std::memory_order_relaxed);
}

void TraceState::unshare(Members* members) noexcept {
  // The only owner frees the members without a locked read-modify-write: no other copy exists
  // from which one could be made meanwhile. (A received trace state usually has one owner.)
  if (members->references.load(std::memory_order_acquire) == 1 ||
      members->references.fetch_sub(1, std::memory_order_acq_rel) == 1) {
    const std::size_t size = members->size();
    members->~Members();
    free_block(members, size);
  }
}

namespace {

// The length of the header written for members `length` characters long in all, over 512: members
// over 128 characters go first, from the end and only as many as needed, then members from the end.
// Removing one also removes a comma, unless it is the last. Sets dropped[i] for those left out.
// Out of line: received headers are nearly always short.
__attribute__((noinline)) std::size_t shortened_length(const Member* members, std::size_t count,
                                                       std::size_t length, bool* dropped) noexcept {
  std::fill(dropped, dropped + count, false);
  std::size_t output_length = length;
  std::size_t kept = count;
  const auto drop = [&](std::size_t i) {
    dropped[i] = true;
    output_length -= member_length(members[i]) + (kept > 1 ? 1 : 0);
    --kept;
  };
  for (std::size_t i = count; i-- > 0 && output_length > TraceState::kMaxHeaderLength;) {
    if (member_length(members[i]) > kLongMember) drop(i);
  }
  for (std::size_t i = count; i-- > 0 && output_length > TraceState::kMaxHeaderLength;) {
    if (!dropped[i]) drop(i);
  }
  return output_length;
}

}  // namespace

__attribute__((always_inline)) inline TraceState TraceState::make(const Member* members,
                                                                 std::size_t count,
                                                                 const char* text_given) {
  TraceState state;
  if (count == 0) return state;
  std::size_t length = count - 1;  // the commas
  if (text_given != nullptr) {
    // The members stand in it back to back: it ends where the last value does.
    const std::string_view last_value = members[count - 1].second;
    length = static_cast<std::size_t>(last_value.data() + last_value.size() - text_given);
  } else {
    for (std::size_t i = 0; i < count; ++i) length += member_length(members[i]);
  }
  bool dropped[kMaxMembers];
  const bool shortened = length > kMaxHeaderLength;
  const std::size_t output_length =
      shortened ? shortened_length(members, count, length, dropped) : 0;

  void* memory = allocate_block(sizeof(Members) + length + output_length);
  auto* made = new (memory) Members();
  made->count = static_cast<std::uint8_t>(count);
  made->text_length = static_cast<std::uint32_t>(length);
  made->output_length = static_cast<std::uint32_t>(output_length);
  made->shortened = shortened;
  char* text = made->text();
  std::size_t at = 0;
  const auto put = [&](std::string_view part) {
    std::memcpy(text + at, part.data(), part.size());
    at += part.size();
  };
  if (text_given != nullptr) {
    std::memcpy(text, text_given, length);
    at = length;
  } else {
    for (std::size_t i = 0; i < count; ++i) {
      if (i != 0) text[at++] = ',';
      put(members[i].first);
      text[at++] = '=';
      put(members[i].second);
    }
  }
  if (shortened) {
    for (std::size_t i = 0; i < count; ++i) {
      if (dropped[i]) continue;
      if (at != length) text[at++] = ',';
      put(members[i].first);
      text[at++] = '=';
      put(members[i].second);
    }
  }
  state.members_ = made;
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

// One pass over the header: list members are split where their keys and values end, and those are
// found by scanning for the first character outside the key or value characters (16 at a time).
// Duplicates are rejected (at most 32 x 32 key comparisons).
std::optional<TraceState> TraceState::parse(std::string_view header) {
  MemberList members;
  const char* const begin = header.data();
  const char* const end = begin + header.size();
  const char* p = begin;
  // Whether the members stand one after the other with one comma between them, as make() can
  // copy them (the usual case: white space and empty members are rare).
  bool contiguous = true;
  const char* last_value_end = nullptr;
  while (p != end) {
    if (*p == ',' || detail::is_ows(*p)) {  // white space, or an empty list member
      ++p;
      continue;
    }
    if (members.full()) return std::nullopt;
    const char* const key_begin = p;
    p = skip_chars_of_class<kKeyChar>(p, begin, end);
    const char* at = nullptr;
    if (p != end && *p == '@') {  // a multi-tenant key: a second '@' stops the scan again
      at = p;
      p = skip_chars_of_class<kKeyChar>(p + 1, begin, end);
    }
    if (p == end || *p != '=') return std::nullopt;
    const std::string_view key(key_begin, static_cast<std::size_t>(p - key_begin));
    if (!has_key_shape(key, at == nullptr ? std::string_view::npos
                                          : static_cast<std::size_t>(at - key_begin))) {
      return std::nullopt;
    }
    const char* const value_begin = ++p;
    p = skip_chars_of_class<kValueChar>(p, begin, end);
    const char* value_end = p;
    if (p != end && *p != ',') {
      // Only white space may stand between a value and the next member: here a tab (a space is a
      // value character, and was skipped), then more white space.
      while (p != end && detail::is_ows(*p)) ++p;
      if (p != end && *p != ',') return std::nullopt;
    }
    // A value may not end in a space: trailing spaces are white space around the member.
    while (value_end != value_begin && value_end[-1] == ' ') --value_end;
    const std::size_t value_length = static_cast<std::size_t>(value_end - value_begin);
    if (value_length == 0 || value_length > kMaxValue) return std::nullopt;
    // The spec allows one entry per key. Keys mostly differ in length; those that do not are
    // compared here, without a call, so that the parser's registers stay where they are.
    for (std::size_t i = 0; i < members.size(); ++i) {
      const std::string_view other = members[i].first;
      if (other.size() != key.size()) continue;
      std::size_t same = 0;
      while (same < key.size() && other[same] == key[same]) ++same;
      if (same == key.size()) return std::nullopt;
    }
    if (last_value_end != nullptr && key_begin != last_value_end + 1) contiguous = false;
    last_value_end = value_end;
    members.push(key, std::string_view(value_begin, value_length));
  }
  if (members.size() == 0) return TraceState();
  return make(members.data(), members.size(), contiguous ? members[0].first.data() : nullptr);
}

std::string_view TraceState::header() const noexcept {
  if (members_ == nullptr) return {};
  return members_->shortened ? members_->output() : members_->all();
}

std::string_view TraceState::all_members() const noexcept {
  return members_ != nullptr ? members_->all() : std::string_view();
}

std::size_t TraceState::size() const noexcept { return members_ != nullptr ? members_->count : 0; }

std::optional<std::string_view> TraceState::get(std::string_view key) const noexcept {
  for (MemberReader reader(all_members()); !reader.done();) {
    const Member member = reader.next();
    if (member.first == key) return member.second;
  }
  return std::nullopt;
}

TraceState TraceState::set(std::string_view key, std::string_view value) const {
  if (!is_valid_key(key) || !is_valid_value(value)) return *this;
  // A modified or added key goes to the front (left), as the specification requires; the others
  // keep their order, and the last one falls off when the list was already full.
  MemberList updated;
  updated.push(key, value);
  for (MemberReader reader(all_members()); !reader.done() && !updated.full();) {
    const Member member = reader.next();
    if (member.first != key) updated.push(member.first, member.second);
  }
  return make(updated.data(), updated.size());
}

TraceState TraceState::remove(std::string_view key) const {
  if (!get(key)) return *this;
  MemberList remaining;
  for (MemberReader reader(all_members()); !reader.done();) {
    const Member member = reader.next();
    if (member.first != key) remaining.push(member.first, member.second);
  }
  return make(remaining.data(), remaining.size());
}

std::vector<TraceState::Entry> TraceState::entries() const {
  std::vector<Entry> all;
  all.reserve(size());
  for (MemberReader reader(all_members()); !reader.done();) {
    const Member member = reader.next();
    all.emplace_back(std::string(member.first), std::string(member.second));
  }
  return all;
}

}  // namespace weft
