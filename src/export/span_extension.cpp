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
//              string: u32 length, bytes), as a span keeps them in AttributeBytes
#include "export/span_extension.h"

#include <algorithm>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

#include "runtime/short_text.h"
#include "trace/attribute_bytes.h"

namespace weft::detail {
namespace {

constexpr std::size_t kSlotBytes = sizeof(QueuedSpan);

bool name_in_slot(const SpanRecord& record) noexcept {
  return record.name.size() <= QueuedSpan::kInlineName;
}

// Whether the trace state's header holds all its members: the header is at most 512 characters,
// and a longer trace state is shortened in it, while the span must keep every member.
bool header_holds_trace_state(const TraceState& trace_state) noexcept {
  if (trace_state.empty()) return true;  // the common case, without a call
  const std::string_view header = trace_state.header();
  if (header.empty()) return false;
  const auto commas = static_cast<std::size_t>(std::count(header.begin(), header.end(), ','));
  return commas + 1 == trace_state.size();
}

// The layout above, written once: `sink` is a ByteCounter (to size the extension) or a
// RunWriter. An array value cannot be written (the counter says so; the writer never gets one).
template <class Sink>
void put_text(Sink& sink, std::string_view text) noexcept {
  sink.put_value(static_cast<std::uint32_t>(text.size()));
  sink.put(text.data(), text.size());
}

template <class Sink>
void put_attributes(Sink& sink, const Attributes& attributes) noexcept {
  sink.put_value(static_cast<std::uint32_t>(attributes.size()));
  for (const KeyValue& attribute : attributes) {
    put_text(sink, attribute.key);
    if (const auto* text = std::get_if<std::string>(&attribute.value)) {
      sink.put_value(AttributeType::kString);
      put_text(sink, *text);
    } else if (const auto* number = std::get_if<std::int64_t>(&attribute.value)) {
      sink.put_value(AttributeType::kInt);
      sink.put_value(*number);
    } else if (const auto* real = std::get_if<double>(&attribute.value)) {
      sink.put_value(AttributeType::kDouble);
      sink.put_value(*real);
    } else if (const auto* flag = std::get_if<bool>(&attribute.value)) {
      sink.put_value(AttributeType::kBool);
      sink.put_value(static_cast<std::uint8_t>(*flag));
    } else {
      sink.refuse();
    }
  }
}

// A list a record kept as bytes (attribute_bytes.h, event_bytes.h) is already in this layout.
template <class Sink>
void put_byte_list(Sink& sink, const ByteList& list) noexcept {
  const std::string_view bytes = list.bytes();
  sink.put_value(list.count());
  sink.put(bytes.data(), bytes.size());
}

template <class Sink>
void put_extension(Sink& sink, const SpanRecord& record) noexcept {
  put_text(sink, name_in_slot(record) ? std::string_view() : std::string_view(record.name));
  put_text(sink, record.status.message);
  const TraceState& trace_state = record.context.trace_state;
  put_text(sink, trace_state.empty() ? std::string_view() : trace_state.header());
  sink.put_value(record.dropped_attributes_count);
  sink.put_value(record.dropped_events_count);
  if (record.attributes_as_bytes) {
    put_byte_list(sink, record.attribute_bytes);
  } else {
    put_attributes(sink, record.attributes);
  }
  if (record.events_as_bytes) return put_byte_list(sink, record.event_bytes);
  sink.put_value(static_cast<std::uint32_t>(record.events.size()));
  for (const Event& event : record.events) {
    put_text(sink, event.name);
    sink.put_value(event.time_unix_nano);
    sink.put_value(event.dropped_attributes_count);
    put_attributes(sink, event.attributes);
  }
}

// Counts what put_extension() would write.
class ByteCounter {
 public:
  void put(const void*, std::size_t size) noexcept { bytes += size; }
  template <class T>
  void put_value(T) noexcept {
    bytes += sizeof(T);
  }
  void refuse() noexcept { refused = true; }

  std::size_t bytes = 0;
  bool refused = false;
};

// A position in a run of slots: where the next byte goes or comes from, and the room left in its
// slot; it moves to the next slot (modulo the segment) when one is used up.
class RunCursor {
 public:
  explicit RunCursor(const SlotRun& run) : run_(run) { enter(run.first); }

  static constexpr bool kChecksRoom = true;

  // Where the next `size` bytes are, when they lie in the current slot (the common case, copied
  // with no loop); null when they do not.
  char* next_in_slot(std::size_t size) noexcept {
    if (size > room_) return nullptr;
    char* at = at_;
    at_ += size;
    room_ -= size;
    return at;
  }

  // Calls copy(slot_bytes, count) for the pieces of the next `size` bytes, slot by slot.
  template <class Copy>
  void across(std::size_t size, Copy&& copy) noexcept {
    while (size > room_) {
      copy(at_, room_);
      size -= room_;
      enter(index_ + 1);
    }
    copy(at_, size);
    at_ += size;
    room_ -= size;
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

// A position in a run that does not wrap around its segment (almost every run): its slots are one
// block of memory, so a value may run on from one slot into the next and no slot's room is
// checked. The extension was sized before it was written, so it fits.
class FlatCursor {
 public:
  explicit FlatCursor(const SlotRun& run)
      : at_(reinterpret_cast<char*>(&run.slots[run.first & run.mask])) {}

  static constexpr bool kChecksRoom = false;

  char* next_in_slot(std::size_t size) noexcept {
    char* at = at_;
    at_ += size;
    return at;
  }
  template <class Copy>
  void across(std::size_t size, Copy&& copy) noexcept {
    copy(next_in_slot(size), size);
  }

 private:
  char* at_;
};

// Whether the `slots` slots of `run` lie in one block.
bool is_flat(const SlotRun& run, std::size_t slots) noexcept {
  return (run.first & run.mask) + slots <= run.mask + 1;
}

// Copies `size` bytes: most keys, values and numbers are short, and take no call to memcpy.
void copy_bytes(const char* from, std::size_t size, char* to) noexcept {
  if (size <= 16) {
    copy_short_text(from, size, to);
  } else {
    std::memcpy(to, from, size);
  }
}

template <class Cursor>
class RunWriter {
 public:
  explicit RunWriter(const SlotRun& run) : cursor_(run) {}

  void put(const void* data, std::size_t size) noexcept {
    const char* from = static_cast<const char*>(data);
    if (char* at = size <= 16 ? cursor_.next_in_slot(size) : nullptr) {
      copy_short_text(from, size, at);
    } else {
      put_across(from, size);
    }
  }
  template <class T>
  void put_value(T value) noexcept {
    static_assert(std::is_trivially_copyable_v<T>, "written as bytes");
    if constexpr (!Cursor::kChecksRoom) {
      std::memcpy(cursor_.next_in_slot(sizeof(T)), &value, sizeof(T));
    } else if (char* at = cursor_.next_in_slot(sizeof(T))) {
      std::memcpy(at, &value, sizeof(T));
    } else {
      put_across(reinterpret_cast<const char*>(&value), sizeof(T));
    }
  }
  void refuse() noexcept {}  // sized first: never called

 private:
  // Long texts, and what crosses into the next slot. Not inlined: GCC followed the cursor's state
  // into it and warned of writes on paths that cannot be taken.
  [[gnu::noinline]] void put_across(const char* from, std::size_t size) noexcept {
    cursor_.across(size, [&](char* at, std::size_t count) {
      copy_bytes(from, count, at);
      from += count;
    });
  }

  Cursor cursor_;
};

// Reads what put_extension() wrote, in the same order.
template <class Cursor>
class RunReader {
 public:
  explicit RunReader(const SlotRun& run) : cursor_(run) {}

  void take(void* data, std::size_t size) noexcept {
    char* to = static_cast<char*>(data);
    if (const char* at = size <= 16 ? cursor_.next_in_slot(size) : nullptr) {
      copy_short_text(at, size, to);
    } else {
      take_across(to, size);
    }
  }
  template <class T>
  T take_value() noexcept {
    T value;
    if constexpr (!Cursor::kChecksRoom) {
      std::memcpy(&value, cursor_.next_in_slot(sizeof(T)), sizeof(T));
    } else if (const char* at = cursor_.next_in_slot(sizeof(T))) {
      std::memcpy(&value, at, sizeof(T));
    } else {
      take_across(reinterpret_cast<char*>(&value), sizeof(T));
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
      switch (take_value<AttributeType>()) {
        case AttributeType::kString: {
          auto* text = std::get_if<std::string>(&attribute.value);
          if (text == nullptr) text = &attribute.value.emplace<std::string>();
          take_text(*text);
          break;
        }
        case AttributeType::kInt:
          attribute.value.emplace<std::int64_t>(take_value<std::int64_t>());
          break;
        case AttributeType::kDouble:
          attribute.value.emplace<double>(take_value<double>());
          break;
        case AttributeType::kBool:
          attribute.value.emplace<bool>(take_value<std::uint8_t>() != 0);
          break;
      }
    }
  }

 private:
  [[gnu::noinline]] void take_across(char* to, std::size_t size) noexcept {
    cursor_.across(size, [&](const char* at, std::size_t count) {
      copy_bytes(at, count, to);
      to += count;
    });
  }

  Cursor cursor_;
};

}  // namespace

std::size_t extension_slots_for(const SpanRecord& record) noexcept {
  if (!record.links.empty() || record.dropped_links_count != 0) return kQueueAsRecord;
  if (!header_holds_trace_state(record.context.trace_state)) return kQueueAsRecord;
  if (record.attributes.empty() && record.attribute_bytes.empty() && record.events.empty() &&
      record.event_bytes.empty() && record.status.message.empty() &&
      record.dropped_attributes_count == 0 && record.dropped_events_count == 0 &&
      record.context.trace_state.empty() && name_in_slot(record)) {
    return 0;
  }
  ByteCounter counter;
  put_extension(counter, record);
  if (counter.refused || counter.bytes > kMaxExtensionSlots * kSlotBytes) return kQueueAsRecord;
  return (counter.bytes + kSlotBytes - 1) / kSlotBytes;
}

namespace {

// Calls body(side) with a Side<FlatCursor> when the `slots` slots of `run` do not wrap, else with
// a Side<RunCursor>: the writer or the reader over the cursor the run needs.
template <template <class> class Side, class Body>
void over_run(const SlotRun& run, std::size_t slots, Body&& body) {
  if (is_flat(run, slots)) {
    Side<FlatCursor> side(run);
    body(side);
  } else {
    Side<RunCursor> side(run);
    body(side);
  }
}

template <class Cursor>
void read_extension_with(RunReader<Cursor>& reader, SpanData& out) {
  const auto name_length = reader.template take_value<std::uint32_t>();
  if (name_length != 0) {
    out.name.resize(name_length);
    reader.take(out.name.data(), name_length);
  }
  reader.take_text(out.status.message);
  // Passed on as its header and parsed again, as the relay from a child process does: what an
  // exporter writes is that header.
  thread_local std::string header;  // the export thread's, reused
  reader.take_text(header);
  std::optional<TraceState> parsed;
  if (!header.empty()) parsed = TraceState::parse(header);
  out.context.trace_state = parsed ? std::move(*parsed) : TraceState();
  out.dropped_attributes_count = reader.template take_value<std::uint32_t>();
  out.dropped_events_count = reader.template take_value<std::uint32_t>();
  reader.take_attributes(out.attributes);
  out.events.resize(reader.template take_value<std::uint32_t>());
  for (Event& event : out.events) {
    reader.take_text(event.name);
    event.time_unix_nano = reader.template take_value<std::uint64_t>();
    event.dropped_attributes_count = reader.template take_value<std::uint32_t>();
    reader.take_attributes(event.attributes);
  }
}

}  // namespace

void write_extension(const SpanRecord& record, const SlotRun& run, std::size_t slots) noexcept {
  over_run<RunWriter>(run, slots, [&](auto& writer) { put_extension(writer, record); });
}

void read_extension(const SlotRun& run, std::size_t slots, SpanData& out) {
  over_run<RunReader>(run, slots, [&](auto& reader) { read_extension_with(reader, out); });
}

}  // namespace weft::detail
