#ifndef CCSVSCAN_H
#define CCSVSCAN_H

#include <stddef.h>
#include <stdint.h>

/// The structural pass of the CSV splitter: classifies `bytes[0..<count)` in blocks of 64 bytes.
/// For block b (bytes 64b ..< 64b+64), bit i of `separators[b]` is set when byte 64b+i is a comma or
/// a line feed, and bit i of `high[b]` when it is >= 0x80 (not ASCII). Bits past `count` are clear.
/// Both arrays must hold (count + 63) / 64 words. SSE2, or AVX2 when the processor has it.
void hedui_csv_classify(const uint8_t *bytes, size_t count, uint64_t *separators, uint64_t *high);

#endif
