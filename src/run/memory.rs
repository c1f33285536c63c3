//! Process-wide memory settings, applied before the allocator starts.
//!
//! Guarantees: this only changes how the kernel backs the process's memory;
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
}
