#include "CCSVScan.h"

#include <string.h>

#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>

static inline uint64_t block_sse2(const uint8_t *p, uint64_t *high) {
    const __m128i comma = _mm_set1_epi8(',');
    const __m128i feed = _mm_set1_epi8('\n');
    uint64_t s = 0, h = 0;
    for (int k = 0; k < 4; k++) {
        __m128i v = _mm_loadu_si128((const __m128i *)(p + 16 * k));
        __m128i m = _mm_or_si128(_mm_cmpeq_epi8(v, comma), _mm_cmpeq_epi8(v, feed));
        s |= (uint64_t)(uint16_t)_mm_movemask_epi8(m) << (16 * k);
        h |= (uint64_t)(uint16_t)_mm_movemask_epi8(v) << (16 * k);
    }
    *high = h;
    return s;
}

__attribute__((target("avx2"))) static inline uint64_t block_avx2(const uint8_t *p, uint64_t *high) {
    const __m256i comma = _mm256_set1_epi8(',');
    const __m256i feed = _mm256_set1_epi8('\n');
    __m256i v0 = _mm256_loadu_si256((const __m256i *)p);
    __m256i v1 = _mm256_loadu_si256((const __m256i *)(p + 32));
    __m256i m0 = _mm256_or_si256(_mm256_cmpeq_epi8(v0, comma), _mm256_cmpeq_epi8(v0, feed));
    __m256i m1 = _mm256_or_si256(_mm256_cmpeq_epi8(v1, comma), _mm256_cmpeq_epi8(v1, feed));
    *high = (uint64_t)(uint32_t)_mm256_movemask_epi8(v0) | (uint64_t)(uint32_t)_mm256_movemask_epi8(v1) << 32;
    return (uint64_t)(uint32_t)_mm256_movemask_epi8(m0) | (uint64_t)(uint32_t)_mm256_movemask_epi8(m1) << 32;
}

__attribute__((target("avx2"))) static void classify_avx2(const uint8_t *bytes, size_t count, uint64_t *separators, uint64_t *high) {
    size_t b = 0;
    for (; (b + 1) * 64 <= count; b++) separators[b] = block_avx2(bytes + 64 * b, &high[b]);
    size_t rest = count - b * 64;
    if (rest) {
        uint8_t tail[64] = {0};
        memcpy(tail, bytes + 64 * b, rest);
        separators[b] = block_avx2(tail, &high[b]);
    }
}

static void classify_sse2(const uint8_t *bytes, size_t count, uint64_t *separators, uint64_t *high) {
    size_t b = 0;
    for (; (b + 1) * 64 <= count; b++) separators[b] = block_sse2(bytes + 64 * b, &high[b]);
    size_t rest = count - b * 64;
    if (rest) {
        uint8_t tail[64] = {0};
        memcpy(tail, bytes + 64 * b, rest);
        separators[b] = block_sse2(tail, &high[b]);
    }
}

void hedui_csv_classify(const uint8_t *bytes, size_t count, uint64_t *separators, uint64_t *high) {
    static int avx2 = -1;  // -1: not yet known
    int has = __atomic_load_n(&avx2, __ATOMIC_RELAXED);
    if (has < 0) {
        __builtin_cpu_init();
        has = __builtin_cpu_supports("avx2") ? 1 : 0;
        __atomic_store_n(&avx2, has, __ATOMIC_RELAXED);
    }
    if (has) {
        classify_avx2(bytes, count, separators, high);
    } else {
        classify_sse2(bytes, count, separators, high);
    }
}

#else

/// Portable fallback (one byte at a time).
void hedui_csv_classify(const uint8_t *bytes, size_t count, uint64_t *separators, uint64_t *high) {
    size_t words = (count + 63) / 64;
    memset(separators, 0, words * sizeof(uint64_t));
    memset(high, 0, words * sizeof(uint64_t));
    for (size_t i = 0; i < count; i++) {
        uint8_t c = bytes[i];
        if (c == ',' || c == '\n') separators[i >> 6] |= (uint64_t)1 << (i & 63);
        if (c >= 0x80) high[i >> 6] |= (uint64_t)1 << (i & 63);
    }
}

#endif
