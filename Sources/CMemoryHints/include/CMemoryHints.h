#ifndef HEDUI_CMEMORYHINTS_H
#define HEDUI_CMEMORYHINTS_H

/// Asks the CPU to start loading the cache line at `address` for reading (x86 `prefetcht0`,
/// arm64 `prfm pldl1keep`). Unlike a load, a prefetch never waits and never faults, so a
/// batch lookup can start all its table misses at once and retire the work in between.
/// Swift has no prefetch intrinsic; clang inlines this into the Swift caller.
static inline __attribute__((always_inline)) void hedui_prefetch(const void *address) {
    __builtin_prefetch(address, 0, 3);
}

/// Asks the kernel to start writing `length` bytes of the file `fd` from `offset` to disk, without
/// waiting for it (Linux `sync_file_range` with `SYNC_FILE_RANGE_WRITE`; elsewhere nothing). A file
/// written in large pieces and made durable with `fsync` at the end then finds most of its pages
/// written already, instead of all of them at once. Returns 0, or -1 with `errno`.
int hedui_start_writeback(int fd, long long offset, long long length);

/// Keeps memory the process frees for its own later allocations instead of returning it to the
/// system (glibc: no `mmap` for large blocks, no trimming of the heap's top; elsewhere nothing).
/// By default glibc maps every block above its threshold (128 KB, rising to at most 32 MB as such
/// blocks are freed) on its own and unmaps it when freed, so a run that builds a gigabyte array,
/// frees it and builds the next one takes every page of the second from the kernel again, each
/// zero-filled by a fault. For a process that exits after one job: it keeps its peak memory.
void hedui_keep_freed_memory(void);

#endif
