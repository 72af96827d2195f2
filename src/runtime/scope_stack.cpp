#include "runtime/scope_stack.h"

#include <cstring>
#include <new>

namespace weft::detail {

ScopeStack::~ScopeStack() {
  if (base_ != inline_entries_) delete[] base_;
}

// Doubles the room. Out of line: it runs once per thread that nests scopes deeper than 32.
bool ScopeStack::grow_and_push(const Scope* scope) noexcept {
  const std::size_t used = size();
  const std::size_t room = static_cast<std::size_t>(limit_ - base_) * 2;
  const Scope** grown = new (std::nothrow) const Scope*[room];
  if (grown == nullptr) return false;
  std::memcpy(static_cast<void*>(grown), base_, used * sizeof(const Scope*));
  if (base_ != inline_entries_) delete[] base_;
  base_ = grown;
  top_ = grown + used;
  limit_ = grown + room;
  *top_++ = scope;
  return true;
}

}  // namespace weft::detail
