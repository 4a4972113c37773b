#ifndef CCSVSCAN_H
#define CCSVSCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/// The structural pass of the CSV splitter: classifies `bytes[0..<count)` in blocks of 64 bytes.
/// For block b (bytes 64b ..< 64b+64), bit i of `events[b]` is set when byte 64b+i is a comma, a line
/// feed, or a quote that opens a field: one right after a comma or a line feed, or the first byte of
/// `bytes` (which the splitter only classifies at a record's start). Bit i of `high[b]` is set when
/// byte 64b+i is >= 0x80 (not ASCII), and bit i of `quotes[b]` when it is a quote. Bits past `count`
/// are clear. The three arrays must hold (count + 63) / 64 words each. SSE2, or AVX2 when the
/// processor has it.
///
/// A quote after a separator inside a quoted field is marked too; the splitter skips the bits of a
/// quoted field, which it scans byte by byte.
void hedui_csv_classify(const uint8_t *bytes, size_t count, uint64_t *events, uint64_t *high, uint64_t *quotes);

/// One field as the splitter hands it out (the layout of the Swift `CSVParser.FieldSpan`).
typedef struct hedui_csv_field {
    const uint8_t *start;
    int32_t count;
    bool ascii;    ///< no byte >= 0x80
    bool escaped;  ///< a quoted field holding `""` (always false from `hedui_csv_split`)
} hedui_csv_field;

/// The fast path of the splitter: splits the records of `bytes[from..<count)` that end with a line
/// feed and whose quoted fields, if any, are plain (`"text"` right before a comma or a line feed, no
/// `""`, comma or line feed inside), walking the set bits of `events` (bitmaps filled by
/// `hedui_csv_classify`) and taking each field's `ascii` flag from `high`. `from` is the start of a
/// record.
///
/// Fields go to `fields` (`hedui_csv_field`s) one after another (at most `field_capacity`), and the
/// index past each record's last field to `record_ends` (which holds as many). A carriage return
/// before a line feed is not data; `escaped` is false. Stops at the start of the first record
/// it leaves: one with another kind of quoted field, one made of a lone quoted field, or one that
/// the end of the input cuts (these take the general path), or, with `*full` set, one that might
/// not fit. Returns the number of records split and sets `*stop` to the offset where it stopped.
size_t hedui_csv_split(const uint8_t *bytes, size_t count, const uint64_t *events, const uint64_t *high,
                       const uint64_t *quotes, size_t from, void *fields, size_t field_capacity,
                       uint32_t *record_ends, size_t *stop, bool *full);

#endif
