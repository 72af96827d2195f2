// The scopes open on one thread, innermost last, as a stack of their addresses. The addresses are
// compared, never followed: a Scope ended on another thread (a misuse, counted) may be freed while
// it is still listed.
//
// Not a std::vector: every hand-over to a thread or a pool task pushes and pops once, and a vector's
// push checks its room twice and keeps its storage one indirection away. The first 32 entries live
// inside the stack itself (deeper nesting is rare), so a push is a compare and a store.
#pragma once

#include <cstddef>

namespace weft {
class Scope;
}

namespace weft::detail {

class ScopeStack {
 public:
  ScopeStack() noexcept = default;
  ~ScopeStack();
  ScopeStack(const ScopeStack&) = delete;
  ScopeStack& operator=(const ScopeStack&) = delete;

  // False, with nothing listed, when the stack had to grow and could not.
  bool push(const Scope* scope) noexcept {
    if (__builtin_expect(top_ != limit_, 1)) {
      *top_++ = scope;
      return true;
    }
    return grow_and_push(scope);
  }
  bool empty() const noexcept { return top_ == base_; }
  const Scope* innermost() const noexcept { return top_[-1]; }  // only when not empty
  void pop() noexcept { --top_; }

  std::size_t size() const noexcept { return static_cast<std::size_t>(top_ - base_); }
  const Scope* operator[](std::size_t index) const noexcept { return base_[index]; }
  // Keeps the `size` outermost entries.
  void truncate(std::size_t size) noexcept { top_ = base_ + size; }
  void clear() noexcept { top_ = base_; }

 private:
  static constexpr std::size_t kInlineEntries = 32;
  bool grow_and_push(const Scope* scope) noexcept;

  const Scope* inline_entries_[kInlineEntries];
  const Scope** base_ = inline_entries_;
  const Scope** top_ = inline_entries_;
  const Scope** limit_ = inline_entries_ + kInlineEntries;
};

}  // namespace weft::detail
