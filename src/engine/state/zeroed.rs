//! A fixed-length array whose all-zero bytes are its initial value, backed
//! by its own anonymous memory mapping on Unix.
//!
//! Why not a `Vec`: the table grows by doubling, and with mimalloc (the
//! binary's allocator) the freed smaller arrays stay committed while the
//! process makes no further allocations, which is ctfilter's steady state;
//! at 1M entries that tripled the table's resident memory (60 MiB instead
//! of 21). A private mapping is returned to the OS by `munmap` the moment
//! the array is dropped, whatever the allocator, and its pages are zero and
//! uncommitted until first written, so a new array costs no time to clear.
//!
//! Guarantees: `ZeroedArray::new(n)` holds `n` zero-valued elements; memory
//! is released on drop; elsewhere than Unix it falls back to the global
//! allocator's `alloc_zeroed`.

use std::alloc::Layout;
use std::ops::{Deref, DerefMut};
use std::ptr::NonNull;

/// Types for which all-zero bytes are a valid value.
///
/// # Safety
/// Implement only for plain-data types (integers and arrays or structs of
/// them) with no padding-dependent invariants.
pub(super) unsafe trait ZeroIsValid: Copy {}

pub(super) struct ZeroedArray<T: ZeroIsValid> {
    ptr: NonNull<T>,
    len: usize,
}

// SAFETY: the array owns its elements exclusively, like a Box<[T]>.
unsafe impl<T: ZeroIsValid + Send> Send for ZeroedArray<T> {}
// SAFETY: shared access only hands out &[T].
unsafe impl<T: ZeroIsValid + Sync> Sync for ZeroedArray<T> {}

impl<T: ZeroIsValid> ZeroedArray<T> {
    pub fn new(len: usize) -> ZeroedArray<T> {
        let layout = Layout::array::<T>(len).expect("array size overflows");
        if layout.size() == 0 {
            return ZeroedArray {
                ptr: NonNull::dangling(),
                len,
            };
        }
        ZeroedArray {
            ptr: map(layout).cast(),
            len,
        }
    }
}

#[cfg(unix)]
fn map(layout: Layout) -> NonNull<u8> {
    // SAFETY: a fresh private anonymous mapping; no existing memory is
    // touched. It is page-aligned, which exceeds any element alignment.
    let p = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            layout.size(),
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
            -1,
            0,
        )
    };
    if p == libc::MAP_FAILED {
        std::alloc::handle_alloc_error(layout);
    }
    NonNull::new(p.cast()).unwrap_or_else(|| std::alloc::handle_alloc_error(layout))
}

#[cfg(unix)]
fn unmap(p: NonNull<u8>, layout: Layout) {
    // SAFETY: `p` and the size are exactly those of a mapping made by `map`.
    unsafe { libc::munmap(p.as_ptr().cast(), layout.size()) };
}

#[cfg(not(unix))]
fn map(layout: Layout) -> NonNull<u8> {
    // SAFETY: the layout has a non-zero size.
    let p = unsafe { std::alloc::alloc_zeroed(layout) };
    NonNull::new(p).unwrap_or_else(|| std::alloc::handle_alloc_error(layout))
}

#[cfg(not(unix))]
fn unmap(p: NonNull<u8>, layout: Layout) {
    // SAFETY: allocated by `map` with this layout.
    unsafe { std::alloc::dealloc(p.as_ptr(), layout) };
}

impl<T: ZeroIsValid> Drop for ZeroedArray<T> {
    fn drop(&mut self) {
        let layout = Layout::array::<T>(self.len).expect("checked at new");
        if layout.size() != 0 {
            unmap(self.ptr.cast(), layout);
        }
    }
}

impl<T: ZeroIsValid> Deref for ZeroedArray<T> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        // SAFETY: `len` zero-initialised (valid, by ZeroIsValid) elements.
        unsafe { std::slice::from_raw_parts(self.ptr.as_ptr(), self.len) }
    }
}

impl<T: ZeroIsValid> DerefMut for ZeroedArray<T> {
    fn deref_mut(&mut self) -> &mut [T] {
        // SAFETY: as above, and `&mut self` is exclusive.
        unsafe { std::slice::from_raw_parts_mut(self.ptr.as_ptr(), self.len) }
    }
}

impl<T: ZeroIsValid> std::fmt::Debug for ZeroedArray<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ZeroedArray(len {})", self.len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // SAFETY: integers.
    unsafe impl ZeroIsValid for u64 {}

    #[test]
    fn zeroed_writable_and_freed() {
        for len in [0, 1, 7, 4096, 1 << 20] {
            let mut a = ZeroedArray::<u64>::new(len);
            assert_eq!(a.len(), len);
            assert!(a.iter().all(|&x| x == 0));
            if len > 0 {
                a[len - 1] = 5;
                a[0] += 1;
                assert_eq!(a[len - 1] + a[0], if len == 1 { 12 } else { 6 });
            }
        }
    }
}
