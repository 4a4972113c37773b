#include "CCSVScan.h"

#include <string.h>

#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>
#endif


/// The events of a 64-bit word `e` that end a field holding a byte >= 0x80 (`h`: the word's non-ASCII
/// bits). A field is a run of non-event bits closed by an event; adding its non-ASCII bits to the run
/// carries a one into the closing event exactly when there is at least one. `*carry` is 1 when the
/// field open at the end of the previous word holds one (it is updated for the next word).
static inline uint64_t dirty_events(uint64_t e, uint64_t h, unsigned char *carry) {
#if defined(__x86_64__) || defined(_M_X64)
    unsigned long long sum;
    *carry = _addcarry_u64(*carry, ~e, h, &sum);
#else
    unsigned long long out;
    uint64_t sum = __builtin_addcll(~e, h, *carry, &out);
    *carry = (unsigned char)out;
#endif
    return e & sum;
}

/// The first quote after `p` (`quotes` marks them), or NULL.
static inline const uint8_t *next_quote(const uint8_t *bytes, const uint64_t *quotes, size_t words, const uint8_t *p) {
    size_t offset = (size_t)(p - bytes);
    size_t w = offset / 64;
    uint64_t bits = quotes[w] & (~(uint64_t)1 << (offset % 64));
    while (bits == 0) {
        if (++w == words) return NULL;
        bits = quotes[w];
    }
    return bytes + 64 * w + __builtin_ctzll(bits);
}

/// The body of `hedui_csv_split` (compiled twice: with and without BMI).
///
/// The walk keeps the events of the current word not yet taken (`m`) and those that end a field
/// holding a non-ASCII byte (`dirty`), so a field's `ascii` flag is one bit test.
static inline __attribute__((always_inline)) size_t split_records(
    const uint8_t *bytes, size_t count, const uint64_t *events, const uint64_t *high, const uint64_t *quotes,
    size_t from, void *field_memory, size_t field_capacity, uint32_t *record_ends, size_t *stop, bool *full) {
    hedui_csv_field *const fields = field_memory;
    const size_t words = (count + 63) / 64;
    size_t w = from / 64;
    const uint8_t *start = bytes + from;  // the start of the current field
    const uint8_t *record = start;        // the start of the current record
    hedui_csv_field *out = fields;
    uint32_t *end_out = record_ends;
    *full = false;
    if (w >= words) goto done;
    if (field_capacity < 65) {
        *full = true;
        goto done;
    }
    {
        // Bits before `from` are cleared: the byte before it is a line feed (or there is none).
        const uint64_t keep = ~(uint64_t)0 << (from % 64);
        unsigned char carry = 0;
        uint64_t m = events[w] & keep;
        uint64_t dirty = dirty_events(m, high[w] & keep, &carry);
        const uint8_t *word = bytes + 64 * w;
        hedui_csv_field *const limit = fields + (field_capacity - 65);  // room for one word's events
        unsigned bit;
        const uint8_t *separator;
// Takes the next event (`bit` of the word at `word`, at `separator`), loading words as needed; stops
// at the end of the input, or when the spans might not hold a new word's events.
#define NEXT_EVENT()                                                    \
    do {                                                                \
        if (__builtin_expect(m == 0, 0)) {                              \
            do {                                                        \
                if (++w == words) goto done;                            \
                m = events[w];                                          \
                dirty = dirty_events(m, high[w], &carry);               \
                word += 64;                                             \
            } while (m == 0);                                           \
            if (out > limit) {                                          \
                *full = true;                                           \
                goto done;                                              \
            }                                                           \
        }                                                               \
        bit = (unsigned)__builtin_ctzll(m);                             \
        separator = word + bit;                                         \
        m &= m - 1;                                                     \
    } while (0)
        for (;;) {
            NEXT_EVENT();
            uint8_t b = *separator;
            if (__builtin_expect(b != ',', 0)) {
                if (b == '"') {
                    // A quote opens the field: split here when the field is `"text"` right before the
                    // next comma or line feed (no `""`, separator or junk inside or after it); anything
                    // else takes the general path, from the record's start.
                    const uint8_t *open = separator;
                    const uint8_t *close = next_quote(bytes, quotes, words, open);
                    NEXT_EVENT();
                    if (close == NULL || separator != close + 1) goto done;
                    b = *separator;
                    // A record of one quoted field is not an empty line: the general path knows.
                    if (b == '\n' && out == (end_out > record_ends ? fields + end_out[-1] : fields)) goto done;
                    out->start = open + 1;
                    out->count = (int32_t)(close - open - 1);
                } else {
                    // A line feed; a carriage return before it is not data.
                    const uint8_t *end = separator;
                    if (end > start && end[-1] == '\r') end--;
                    out->start = start;
                    out->count = (int32_t)(end - start);
                }
                out->ascii = !((dirty >> bit) & 1);
                out->escaped = false;
                out++;
                start = separator + 1;
                if (b == '\n') {
                    *end_out++ = (uint32_t)(out - fields);
                    record = start;
                }
                continue;
            }
            out->start = start;
            out->count = (int32_t)(separator - start);
            out->ascii = !((dirty >> bit) & 1);
            out->escaped = false;
            out++;
            start = separator + 1;
        }
#undef NEXT_EVENT
    }
done:
    *stop = (size_t)(record - bytes);
    return (size_t)(end_out - record_ends);
}

#if defined(__x86_64__) || defined(_M_X64)

/// The quotes among `q` that open a field, in a block whose separators are `s`; `previous` is 1 when the
/// byte before the block is a separator (or the block starts the input).
static inline uint64_t opening_quotes(uint64_t s, uint64_t q, uint64_t previous) {
    return q & (s << 1 | previous);
}

/// The events of the block at `p` (its non-ASCII bits to `*high`, its quotes to `*quotes`); `*previous`: see `opening_quotes`,
/// updated for the next block. The quotes are only located in a block that has one.
static inline uint64_t block_sse2(const uint8_t *p, uint64_t *high, uint64_t *quotes, uint64_t *previous) {
    const __m128i comma = _mm_set1_epi8(',');
    const __m128i feed = _mm_set1_epi8('\n');
    const __m128i quote = _mm_set1_epi8('"');
    uint64_t s = 0, h = 0;
    __m128i v[4], any = _mm_setzero_si128();
    for (int k = 0; k < 4; k++) {
        v[k] = _mm_loadu_si128((const __m128i *)(p + 16 * k));
        __m128i m = _mm_or_si128(_mm_cmpeq_epi8(v[k], comma), _mm_cmpeq_epi8(v[k], feed));
        s |= (uint64_t)(uint16_t)_mm_movemask_epi8(m) << (16 * k);
        h |= (uint64_t)(uint16_t)_mm_movemask_epi8(v[k]) << (16 * k);
        any = _mm_or_si128(any, _mm_cmpeq_epi8(v[k], quote));
    }
    uint64_t e = s, q = 0;
    if (__builtin_expect(_mm_movemask_epi8(any) != 0, 0)) {
        for (int k = 0; k < 4; k++) q |= (uint64_t)(uint16_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v[k], quote)) << (16 * k);
        e |= opening_quotes(s, q, *previous);
    }
    *quotes = q;
    *previous = s >> 63;
    *high = h;
    return e;
}

__attribute__((target("avx2"))) static inline uint64_t block_avx2(const uint8_t *p, uint64_t *high, uint64_t *quotes, uint64_t *previous) {
    const __m256i comma = _mm256_set1_epi8(',');
    const __m256i feed = _mm256_set1_epi8('\n');
    const __m256i quote = _mm256_set1_epi8('"');
    __m256i v0 = _mm256_loadu_si256((const __m256i *)p);
    __m256i v1 = _mm256_loadu_si256((const __m256i *)(p + 32));
    __m256i m0 = _mm256_or_si256(_mm256_cmpeq_epi8(v0, comma), _mm256_cmpeq_epi8(v0, feed));
    __m256i m1 = _mm256_or_si256(_mm256_cmpeq_epi8(v1, comma), _mm256_cmpeq_epi8(v1, feed));
    uint64_t s = (uint64_t)(uint32_t)_mm256_movemask_epi8(m0) | (uint64_t)(uint32_t)_mm256_movemask_epi8(m1) << 32;
    __m256i q0 = _mm256_cmpeq_epi8(v0, quote);
    __m256i q1 = _mm256_cmpeq_epi8(v1, quote);
    __m256i any = _mm256_or_si256(q0, q1);
    uint64_t e = s, q = 0;
    if (__builtin_expect(!_mm256_testz_si256(any, any), 0)) {
        q = (uint64_t)(uint32_t)_mm256_movemask_epi8(q0) | (uint64_t)(uint32_t)_mm256_movemask_epi8(q1) << 32;
        e |= opening_quotes(s, q, *previous);
    }
    *quotes = q;
    *previous = s >> 63;
    *high = (uint64_t)(uint32_t)_mm256_movemask_epi8(v0) | (uint64_t)(uint32_t)_mm256_movemask_epi8(v1) << 32;
    return e;
}

__attribute__((target("avx2"))) static void classify_avx2(const uint8_t *bytes, size_t count, uint64_t *events, uint64_t *high, uint64_t *quotes) {
    uint64_t previous = 1;
    size_t b = 0;
    for (; (b + 1) * 64 <= count; b++) events[b] = block_avx2(bytes + 64 * b, &high[b], &quotes[b], &previous);
    size_t rest = count - b * 64;
    if (rest) {
        uint8_t tail[64] = {0};
        memcpy(tail, bytes + 64 * b, rest);
        events[b] = block_avx2(tail, &high[b], &quotes[b], &previous);
    }
}

static void classify_sse2(const uint8_t *bytes, size_t count, uint64_t *events, uint64_t *high, uint64_t *quotes) {
    uint64_t previous = 1;
    size_t b = 0;
    for (; (b + 1) * 64 <= count; b++) events[b] = block_sse2(bytes + 64 * b, &high[b], &quotes[b], &previous);
    size_t rest = count - b * 64;
    if (rest) {
        uint8_t tail[64] = {0};
        memcpy(tail, bytes + 64 * b, rest);
        events[b] = block_sse2(tail, &high[b], &quotes[b], &previous);
    }
}

/// Whether the processor has AVX2 (and BMI1/BMI2, which come with it), asked once.
static int has_avx2(void) {
    static int avx2 = -1;  // -1: not yet known
    int has = __atomic_load_n(&avx2, __ATOMIC_RELAXED);
    if (has < 0) {
        __builtin_cpu_init();
        has = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("bmi") && __builtin_cpu_supports("bmi2") ? 1 : 0;
        __atomic_store_n(&avx2, has, __ATOMIC_RELAXED);
    }
    return has;
}

__attribute__((target("avx2,bmi,bmi2"))) static size_t split_bmi(
    const uint8_t *bytes, size_t count, const uint64_t *events, const uint64_t *high, const uint64_t *quotes,
    size_t from, void *fields, size_t field_capacity, uint32_t *record_ends, size_t *stop, bool *full) {
    return split_records(bytes, count, events, high, quotes, from, fields, field_capacity, record_ends, stop, full);
}

static size_t split_plain(
    const uint8_t *bytes, size_t count, const uint64_t *events, const uint64_t *high, const uint64_t *quotes,
    size_t from, void *fields, size_t field_capacity, uint32_t *record_ends, size_t *stop, bool *full) {
    return split_records(bytes, count, events, high, quotes, from, fields, field_capacity, record_ends, stop, full);
}

size_t hedui_csv_split(const uint8_t *bytes, size_t count, const uint64_t *events, const uint64_t *high,
                       const uint64_t *quotes, size_t from, void *fields, size_t field_capacity, uint32_t *record_ends, size_t *stop, bool *full) {
    if (has_avx2()) return split_bmi(bytes, count, events, high, quotes, from, fields, field_capacity, record_ends, stop, full);
    return split_plain(bytes, count, events, high, quotes, from, fields, field_capacity, record_ends, stop, full);
}

void hedui_csv_classify(const uint8_t *bytes, size_t count, uint64_t *events, uint64_t *high, uint64_t *quotes) {
    if (has_avx2()) {
        classify_avx2(bytes, count, events, high, quotes);
    } else {
        classify_sse2(bytes, count, events, high, quotes);
    }
}

#else

size_t hedui_csv_split(const uint8_t *bytes, size_t count, const uint64_t *events, const uint64_t *high,
                       const uint64_t *quotes, size_t from, void *fields, size_t field_capacity, uint32_t *record_ends, size_t *stop, bool *full) {
    return split_records(bytes, count, events, high, quotes, from, fields, field_capacity, record_ends, stop, full);
}

/// Portable fallback (one byte at a time).
void hedui_csv_classify(const uint8_t *bytes, size_t count, uint64_t *events, uint64_t *high, uint64_t *quotes) {
    size_t words = (count + 63) / 64;
    memset(events, 0, words * sizeof(uint64_t));
    memset(high, 0, words * sizeof(uint64_t));
    memset(quotes, 0, words * sizeof(uint64_t));
    int previous = 1;
    for (size_t i = 0; i < count; i++) {
        uint8_t c = bytes[i];
        int separator = c == ',' || c == '\n';
        if (separator || (c == '"' && previous)) events[i >> 6] |= (uint64_t)1 << (i & 63);  // see `opening_quotes`
        if (c >= 0x80) high[i >> 6] |= (uint64_t)1 << (i & 63);
        if (c == '"') quotes[i >> 6] |= (uint64_t)1 << (i & 63);
        previous = separator;
    }
}

#endif
