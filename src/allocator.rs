//! glibc's allocator, tuned for a process whose refreshes allocate and free tens of megabytes
//! at 100× the catalogue while scrapes allocate almost nothing. Elsewhere (musl, other systems)
//! both functions do nothing.

/// glibc gives threads that allocate at the same time arenas of their own and keeps what is
/// freed in each: at 100× the catalogue a refresh's transient buffers (bodies, parsed feeds, the
/// new encoding next to the one still served) spread over several arenas and stayed resident,
/// a peak of 76–81 MiB instead of 62 (BENCHMARKS.md, issue 16). One arena, and blocks of
/// 128 KiB and more mapped on their own, so they go back to the system when freed. Scrapes
/// allocate little (their bytes are shared): the body-size matrix shows no consistent cost.
/// Call first in `main`, before any other thread exists.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)] // with release_freed, the exporter's only unsafe code (workspace lint)
pub fn tune() {
    // SAFETY: mallopt only sets parameters of the allocator; it runs first in main, before any
    // other thread exists. A refused setting (return 0) leaves glibc's default, which works.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 1);
        libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024);
    }
}

/// Give the pages of freed small blocks back to the system. The parsed feeds of a refresh are
/// ~100,000 small blocks (megabytes at 100× the catalogue) in the middle of the heap, which glibc
/// keeps resident after they are freed; returned before the new series are encoded, they do not
/// add to that step's peak (BENCHMARKS.md, "Patched chunks at 100×").
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)] // see tune
pub fn release_freed() {
    // SAFETY: malloc_trim takes the allocator's own lock and only returns free pages; it has no
    // preconditions and is safe to call from any thread at any time.
    unsafe {
        libc::malloc_trim(0);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn tune() {}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn release_freed() {}
