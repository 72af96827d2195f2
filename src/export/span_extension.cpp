// The extension's layout, in the byte order of the machine (it never leaves the process):
//
//   u32 name length (0: the slot holds the name), name bytes
//   u32 status message length, its bytes
//   u32 trace state length (0: none), the trace state's header
//   u32 dropped attributes, u32 dropped events
//   u32 attribute count, attributes
//   u32 event count, events: u32 name length, name bytes, u64 time, u32 dropped attributes,
//                            u32 attribute count, attributes
//   attribute: u32 key length, key bytes, u8 type, value (bool: u8; int64, double: 8 bytes;
//              string: u32 length, bytes)
#include "export/span_extension.h"

#include <algorithm>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

#include "runtime/short_text.h"

namespace weft::detail {
namespace {

constexpr std::size_t kSlotBytes = sizeof(QueuedSpan);

enum class ValueType : std::uint8_t { kBool = 0, kInt = 1, kDouble = 2, kString = 3 };

// Bytes of a text with its length.
std::size_t text_bytes(const std::string& text) noexcept { return 4 + text.size(); }

// Bytes of an attribute list, or kQueueAsRecord when one of its values is an array.
std::size_t attribute_bytes(const Attributes& attributes) noexcept {
  std::size_t bytes = 4;
  for (const KeyValue& attribute : attributes) {
    bytes += text_bytes(attribute.key) + 1;
    switch (attribute.value.index()) {
      case 0:  // bool
        bytes += 1;
        break;
      case 1:  // int64
      case 2:  // double
        bytes += 8;
        break;
      case 3:  // string
        bytes += text_bytes(std::get<std::string>(attribute.value));
        break;
      default:  // arrays
        return kQueueAsRecord;
    }
  }
  return bytes;
}

// Writes bytes one after the other into a run of slots, moving to the next slot (modulo the
// segment) when one is full.
class RunWriter {
 public:
  explicit RunWriter(const SlotRun& run) : run_(run) { enter(run.first); }

  void put(const void* data, std::size_t size) noexcept {
    const char* from = static_cast<const char*>(data);
    if (size <= room_ && size <= 16) {  // most keys and values: no call to memcpy
      copy_short_text(from, size, at_);
      at_ += size;
      room_ -= size;
      return;
    }
    while (size > room_) {
      std::memcpy(at_, from, room_);
      from += room_;
      size -= room_;
      enter(index_ + 1);
    }
    std::memcpy(at_, from, size);
    at_ += size;
    room_ -= size;
  }
  template <class T>
  void put_value(T value) noexcept {
    static_assert(std::is_trivially_copyable_v<T>, "written as bytes");
    if (sizeof(T) <= room_) {  // the common case: a fixed-size copy
      std::memcpy(at_, &value, sizeof(T));
      at_ += sizeof(T);
      room_ -= sizeof(T);
    } else {
      put(&value, sizeof(T));
    }
  }
  void put_text(const std::string& text) noexcept {
    put_value(static_cast<std::uint32_t>(text.size()));
    put(text.data(), text.size());
  }
  void put_attributes(const Attributes& attributes) noexcept {
    put_value(static_cast<std::uint32_t>(attributes.size()));
    for (const KeyValue& attribute : attributes) {
      put_text(attribute.key);
      if (const auto* text = std::get_if<std::string>(&attribute.value)) {
        put_value(ValueType::kString);
        put_text(*text);
      } else if (const auto* number = std::get_if<std::int64_t>(&attribute.value)) {
        put_value(ValueType::kInt);
        put_value(*number);
      } else if (const auto* real = std::get_if<double>(&attribute.value)) {
        put_value(ValueType::kDouble);
        put_value(*real);
      } else {
        put_value(ValueType::kBool);
        put_value(static_cast<std::uint8_t>(std::get<bool>(attribute.value)));
      }
    }
  }

 private:
  void enter(std::size_t index) noexcept {
    index_ = index;
    at_ = reinterpret_cast<char*>(&run_.slots[index & run_.mask]);
    room_ = kSlotBytes;
  }

  SlotRun run_;
  std::size_t index_ = 0;
  char* at_ = nullptr;
  std::size_t room_ = 0;
};

// Reads what RunWriter wrote, in the same order.
class RunReader {
 public:
  explicit RunReader(const SlotRun& run) : run_(run) { enter(run.first); }

  void take(void* data, std::size_t size) noexcept {
    char* to = static_cast<char*>(data);
    if (size <= room_ && size <= 16) {
      copy_short_text(at_, size, to);
      at_ += size;
      room_ -= size;
      return;
    }
    while (size > room_) {
      std::memcpy(to, at_, room_);
      to += room_;
      size -= room_;
      enter(index_ + 1);
    }
    std::memcpy(to, at_, size);
    at_ += size;
    room_ -= size;
  }
  template <class T>
  T take_value() noexcept {
    T value;
    if (sizeof(T) <= room_) {
      std::memcpy(&value, at_, sizeof(T));
      at_ += sizeof(T);
      room_ -= sizeof(T);
    } else {
      take(&value, sizeof(T));
    }
    return value;
  }
  void take_text(std::string& text) {
    text.resize(take_value<std::uint32_t>());  // reuses the string's capacity
    take(text.data(), text.size());
  }
  void take_attributes(Attributes& attributes) {
    attributes.resize(take_value<std::uint32_t>());
    for (KeyValue& attribute : attributes) {
      take_text(attribute.key);
      switch (take_value<ValueType>()) {
        case ValueType::kString: {
          auto* text = std::get_if<std::string>(&attribute.value);
          if (text == nullptr) text = &attribute.value.emplace<std::string>();
          take_text(*text);
          break;
        }
        case ValueType::kInt:
          attribute.value.emplace<std::int64_t>(take_value<std::int64_t>());
          break;
        case ValueType::kDouble:
          attribute.value.emplace<double>(take_value<double>());
          break;
        case ValueType::kBool:
          attribute.value.emplace<bool>(take_value<std::uint8_t>() != 0);
          break;
      }
    }
  }

 private:
  void enter(std::size_t index) noexcept {
    index_ = index;
    at_ = reinterpret_cast<const char*>(&run_.slots[index & run_.mask]);
    room_ = kSlotBytes;
  }

  SlotRun run_;
  std::size_t index_ = 0;
  const char* at_ = nullptr;
  std::size_t room_ = 0;
};

bool name_in_slot(const SpanRecord& record) noexcept {
  return record.name.size() <= QueuedSpan::kInlineName;
}

// Whether the trace state's header holds all its members: the header is at most 512 characters,
// and a longer trace state is shortened in it, while the span must keep every member.
bool header_holds_trace_state(const TraceState& trace_state) noexcept {
  const std::string_view header = trace_state.header();
  if (header.empty()) return trace_state.empty();
  const auto commas = static_cast<std::size_t>(std::count(header.begin(), header.end(), ','));
  return commas + 1 == trace_state.size();
}

}  // namespace

std::size_t extension_slots_for(const SpanRecord& record) noexcept {
  if (!record.links.empty() || record.dropped_links_count != 0) return kQueueAsRecord;
  if (!header_holds_trace_state(record.context.trace_state)) return kQueueAsRecord;
  if (record.attributes.empty() && record.events.empty() && record.status.message.empty() &&
      record.dropped_attributes_count == 0 && record.dropped_events_count == 0 &&
      record.context.trace_state.empty() && name_in_slot(record)) {
    return 0;
  }
  std::size_t bytes = 4 + (name_in_slot(record) ? 0 : record.name.size());
  bytes += text_bytes(record.status.message) + 4 + record.context.trace_state.header().size() + 8;
  const std::size_t limit = kMaxExtensionSlots * kSlotBytes;
  const std::size_t attributes = attribute_bytes(record.attributes);
  if (attributes == kQueueAsRecord) return kQueueAsRecord;
  bytes += attributes + 4;
  for (const Event& event : record.events) {
    const std::size_t event_attributes = attribute_bytes(event.attributes);
    if (event_attributes == kQueueAsRecord) return kQueueAsRecord;
    bytes += text_bytes(event.name) + 8 + 4 + event_attributes;
    if (bytes > limit) return kQueueAsRecord;
  }
  if (bytes > limit) return kQueueAsRecord;
  return (bytes + kSlotBytes - 1) / kSlotBytes;
}

void write_extension(const SpanRecord& record, const SlotRun& run) noexcept {
  RunWriter writer(run);
  if (name_in_slot(record)) {
    writer.put_value(std::uint32_t{0});
  } else {
    writer.put_text(record.name);
  }
  writer.put_text(record.status.message);
  const std::string_view trace_state = record.context.trace_state.header();
  writer.put_value(static_cast<std::uint32_t>(trace_state.size()));
  writer.put(trace_state.data(), trace_state.size());
  writer.put_value(record.dropped_attributes_count);
  writer.put_value(record.dropped_events_count);
  writer.put_attributes(record.attributes);
  writer.put_value(static_cast<std::uint32_t>(record.events.size()));
  for (const Event& event : record.events) {
    writer.put_text(event.name);
    writer.put_value(event.time_unix_nano);
    writer.put_value(event.dropped_attributes_count);
    writer.put_attributes(event.attributes);
  }
}

void read_extension(const SlotRun& run, SpanData& out) {
  RunReader reader(run);
  const auto name_length = reader.take_value<std::uint32_t>();
  if (name_length != 0) {
    out.name.resize(name_length);
    reader.take(out.name.data(), name_length);
  }
  reader.take_text(out.status.message);
  // Passed on as its header and parsed again, as the relay from a child process does: what an
  // exporter writes is that header.
  const auto trace_state_length = reader.take_value<std::uint32_t>();
  if (trace_state_length == 0) {
    out.context.trace_state = TraceState();
  } else {
    thread_local std::string header;  // the export thread's, reused
    header.resize(trace_state_length);
    reader.take(header.data(), trace_state_length);
    std::optional<TraceState> parsed = TraceState::parse(header);
    out.context.trace_state = parsed ? std::move(*parsed) : TraceState();
  }
  out.dropped_attributes_count = reader.take_value<std::uint32_t>();
  out.dropped_events_count = reader.take_value<std::uint32_t>();
  reader.take_attributes(out.attributes);
  out.events.resize(reader.take_value<std::uint32_t>());
  for (Event& event : out.events) {
    reader.take_text(event.name);
    event.time_unix_nano = reader.take_value<std::uint64_t>();
    event.dropped_attributes_count = reader.take_value<std::uint32_t>();
    reader.take_attributes(event.attributes);
  }
}

}  // namespace weft::detail
