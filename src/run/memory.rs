//! Process-wide memory settings, applied before the allocator starts: no
//! transparent huge pages, and no delay before mimalloc purges freed pages.
//!
//! Guarantees: this only changes how the kernel backs the process's memory
//! and when freed memory is returned to it;
//! it never fails the run (a kernel that refuses the request keeps its
//! default), and it runs before `main` and before mimalloc's own start-up.

/// Opt this process out of transparent huge pages.
///
/// mimalloc reserves its arena aligned to 2 MiB, so on hosts where THP is
/// `always` (common on server distributions) every arena touch faults in a
/// whole huge page. ctfilter's working set is a few MiB of reused buffers, so
/// huge pages only inflate RSS (27 -> 12 MiB with one thread, 56 -> 18 MiB with
/// two, on a 256 MiB corpus) and cost system time to zero them.
///
/// It has to run before mimalloc initialises (mimalloc touches its first
/// arena pages before `main`), hence a prioritised ELF constructor: the
/// linker places `.init_array.NNNNN` entries ahead of unprioritised ones such
/// as mimalloc's.
#[cfg(target_os = "linux")]
#[used]
#[link_section = ".init_array.00101"]
static PREFER_SMALL_PAGES: extern "C" fn() = prefer_small_pages;

#[cfg(target_os = "linux")]
extern "C" fn prefer_small_pages() {
    // SAFETY: PR_SET_THP_DISABLE takes plain integer arguments and touches no
    // memory of ours; its only effect is a per-process flag.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
    purge_promptly();
}

/// Have mimalloc return freed pages to the kernel at once.
///
/// By default mimalloc waits before purging freed memory (10 ms, times 10
/// for arenas), so buffers freed on one thread and reallocated on another
/// are counted twice for a while: `--events '*' --threads 2` on a pipe
/// peaked at 38-50 MiB with the delay and 29-33 MiB without it (256 MiB
/// corpus). mimalloc reads the option from the environment when it starts,
/// which is after this constructor; a value the user has set is kept.
#[cfg(target_os = "linux")]
fn purge_promptly() {
    // SAFETY: this runs before `main` and before mimalloc starts, on the only
    // thread; both arguments are NUL-terminated literals, and overwrite = 0
    // leaves an existing value alone.
    unsafe {
        libc::setenv(c"MIMALLOC_PURGE_DELAY".as_ptr(), c"0".as_ptr(), 0);
    }
}

#[cfg(test)]
mod tests {
    #[test]
    #[cfg(target_os = "linux")]
    fn huge_pages_are_off_before_main() {
        // SAFETY: PR_GET_THP_DISABLE takes no pointers.
        let disabled = unsafe { libc::prctl(libc::PR_GET_THP_DISABLE, 0, 0, 0, 0) };
        assert_eq!(disabled, 1);
    }

    #[test]
    #[cfg(target_os = "linux")]
    fn mimalloc_is_told_to_purge_at_once_unless_the_user_chose() {
        // Run without MIMALLOC_PURGE_DELAY in the environment.
        let value = std::env::var("MIMALLOC_PURGE_DELAY").ok();
        assert_eq!(value.as_deref(), Some("0"), "set before main");
    }
}
