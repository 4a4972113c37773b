#ifndef HEDUI_CZLIB_SHIM_H
#define HEDUI_CZLIB_SHIM_H

#include <zlib.h>

/// `inflateInit2` is a macro that Swift cannot import; this wrapper calls the
/// real entry point with the library version and struct size it expects.
/// windowBits 15 + 16 = decode a gzip wrapper only (header, CRC32, ISIZE).
static inline int hedui_inflateInit2(z_streamp strm, int windowBits) {
    return inflateInit2_(strm, windowBits, ZLIB_VERSION, (int)sizeof(z_stream));
}

/// Same for `deflateInit2` (used by tests to make gzip data without a subprocess).
static inline int hedui_deflateInit2(z_streamp strm, int level, int windowBits) {
    return deflateInit2_(strm, level, Z_DEFLATED, windowBits, 8, Z_DEFAULT_STRATEGY,
                         ZLIB_VERSION, (int)sizeof(z_stream));
}

#endif
