#ifndef HEDUI_CMEMORYHINTS_H
#define HEDUI_CMEMORYHINTS_H

/// Asks the CPU to start loading the cache line at `address` for reading (x86 `prefetcht0`,
/// arm64 `prfm pldl1keep`). Unlike a load, a prefetch never waits and never faults, so a
/// batch lookup can start all its table misses at once and retire the work in between.
/// Swift has no prefetch intrinsic; clang inlines this into the Swift caller.
static inline __attribute__((always_inline)) void hedui_prefetch(const void *address) {
    __builtin_prefetch(address, 0, 3);
}

#endif
