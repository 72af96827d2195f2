// How OTLP/JSON writes integers and ids, for both readers of trace_line.h: they must agree on
// every value, so they share these rules.
//
//   std::optional<std::uint64_t> start = as_uint64(integer_from_text("1700000000000000000"));
//   std::string id = "4BF92F3577B34DA6A3CE929D0E0E4736";
//   if (normalize_id(id, 32) == IdForm::kValid) ...  // id is lowercase now
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace weft::cli {

// An integer as the protobuf JSON mapping allows it: a decimal string (how OTLP/JSON writes
// 64-bit integers) or a JSON number without a fraction. Sign and magnitude, so that every
// int64 and uint64 fits.
struct Integer {
  bool negative = false;
  std::uint64_t magnitude = 0;
};

// "-12", "0", "18446744073709551615"; nothing else (no '+', no spaces, no fraction).
std::optional<Integer> integer_from_text(std::string_view text);
// A whole, finite double whose magnitude fits in 64 bits.
std::optional<Integer> integer_from_double(double number);
Integer integer_from_signed(std::int64_t number);

// The value when it is in range.
std::optional<std::uint64_t> as_uint64(const std::optional<Integer>& integer);
std::optional<std::int64_t> as_int64(const std::optional<Integer>& integer);

// A double given as a string, as the protobuf JSON mapping allows: "NaN", "Infinity" and
// "-Infinity" (kept as they are), or a number in JSON's own syntax ("2.5", "-1e-3") within the
// range of a double, for which `number` is set. Nothing else: no spaces, no '+', no hex.
struct DoubleText {
  std::optional<double> number;  // unset for the three names
};
std::optional<DoubleText> double_from_text(std::string_view text);
// The double of a number in JSON's syntax, as both readers read it (strtod: a value too small
// for a double is 0 or a subnormal), or nothing when it is beyond a double's range.
std::optional<double> double_from_number(std::string_view number);

enum class IdForm {
  kValid,     // `digits` hex digits, not all zero: now in lowercase
  kEmpty,     // "": no id
  kAllZeros,  // the OTLP meaning of an invalid id: no id either
  kNotHex,    // wrong length or not hex
};
// Checks a trace or span id of `digits` hex digits (either case) and lowercases it (an invalid
// one may be left partly lowercased).
IdForm normalize_id(std::string& id, std::size_t digits);

// The protobuf JSON mapping's names of OTLP's enum values (SpanKind, Status.code), by number.
inline constexpr std::array<std::string_view, 6> kSpanKindNames = {
    "SPAN_KIND_UNSPECIFIED", "SPAN_KIND_INTERNAL", "SPAN_KIND_SERVER",
    "SPAN_KIND_CLIENT",      "SPAN_KIND_PRODUCER", "SPAN_KIND_CONSUMER"};
inline constexpr std::array<std::string_view, 3> kStatusCodeNames = {
    "STATUS_CODE_UNSET", "STATUS_CODE_OK", "STATUS_CODE_ERROR"};

}  // namespace weft::cli
