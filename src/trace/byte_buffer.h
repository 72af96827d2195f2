// A growable run of bytes that keeps its memory when cleared, up to a bound: where a span being
// recorded keeps its attributes and events as the bytes of its batch queue slots
// (attribute_bytes.h, event_bytes.h). Records are pooled (thousands of them), so one span's large
// value must not stay allocated in its record for good.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>
#include <utility>

namespace weft::detail {

class ByteBuffer {
 public:
  ByteBuffer() = default;
  ByteBuffer(const ByteBuffer& other) { *this = other; }
  ByteBuffer& operator=(const ByteBuffer& other) {
    if (this != &other) {
      reserve(other.size_);
      if (other.size_ != 0) std::memcpy(data_.get(), other.data_.get(), other.size_);
      size_ = other.size_;
    }
    return *this;
  }
  ByteBuffer(ByteBuffer&& other) noexcept { *this = std::move(other); }
  ByteBuffer& operator=(ByteBuffer&& other) noexcept {
    data_ = std::move(other.data_);
    size_ = std::exchange(other.size_, 0);
    capacity_ = std::exchange(other.capacity_, 0);
    return *this;
  }

  char* data() noexcept { return data_.get(); }
  const char* data() const noexcept { return data_.get(); }
  std::size_t size() const noexcept { return size_; }
  std::size_t capacity() const noexcept { return capacity_; }

  // What clear() keeps: more than the 16 slots (1.8 KB) a span's extension may take in a queue.
  static constexpr std::size_t kKeptCapacity = 2048;
  void clear() noexcept {
    size_ = 0;
    if (__builtin_expect(capacity_ > kKeptCapacity, 0)) {
      data_.reset();
      capacity_ = 0;
    }
  }

  // Room for `size` bytes in all (the bytes there are kept). Throws std::bad_alloc only.
  char* reserve(std::size_t size) {
    if (__builtin_expect(size > capacity_, 0)) grow(size);
    return data_.get();
  }
  // Where `count` more bytes at the end go.
  char* extend(std::size_t count) {
    char* at = reserve(size_ + count) + size_;
    size_ += count;
    return at;
  }
  // Makes the `old_size` bytes at `at` `new_size` bytes long, moving the bytes after them; returns
  // where they are now.
  char* resize_at(std::size_t at, std::size_t old_size, std::size_t new_size) {
    char* data = reserve(size_ - old_size + new_size);
    std::memmove(data + at + new_size, data + at + old_size, size_ - at - old_size);
    size_ = size_ - old_size + new_size;
    return data + at;
  }

 private:
  [[gnu::noinline]] void grow(std::size_t size) {
    const std::size_t capacity = std::max({size, 2 * capacity_, std::size_t{128}});
    std::unique_ptr<char[]> data(new char[capacity]);
    if (size_ != 0) std::memcpy(data.get(), data_.get(), size_);
    data_ = std::move(data);
    capacity_ = capacity;
  }

  std::unique_ptr<char[]> data_;
  std::size_t size_ = 0;
  std::size_t capacity_ = 0;
};

// `count()` entries (attributes, events) laid end to end in a ByteBuffer.
class ByteList {
 public:
  bool empty() const noexcept { return count_ == 0; }
  std::uint32_t count() const noexcept { return count_; }
  std::string_view bytes() const noexcept { return {buffer_.data(), buffer_.size()}; }
  std::size_t capacity() const noexcept { return buffer_.capacity(); }
  // Keeps the memory for the record's next span, up to ByteBuffer::kKeptCapacity.
  void clear() noexcept {
    buffer_.clear();
    count_ = 0;
  }

 protected:
  ByteBuffer buffer_;
  std::uint32_t count_ = 0;
};

}  // namespace weft::detail
