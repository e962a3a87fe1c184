// The Windows test programs' runtime without a CRT: entry, heap, console output, a panic handler that prints std's hook line and calls `rust_panic`, and a hasher for hashbrown.
#![no_std]
// Before Rust 1.68 a no_std program had to name its allocation error handler (the builder passes --cfg rust_before_1_68).
#![cfg_attr(rust_before_1_68, feature(alloc_error_handler))]

extern crate alloc;

use core::alloc::{GlobalAlloc, Layout};
use core::fmt::{self, Write};
use core::sync::atomic::{AtomicUsize, Ordering};

// The import library is made from a .def file of these names (test/support/msvc-programs.ts), so no Windows SDK is needed.
#[link(name = "kernel32")]
extern "system" {
    fn GetStdHandle(which: u32) -> *mut u8;
    fn WriteFile(handle: *mut u8, buffer: *const u8, length: u32, written: *mut u32, overlapped: *mut u8) -> i32;
    fn ExitProcess(code: u32) -> !;
    fn GetProcessHeap() -> *mut u8;
    fn HeapAlloc(heap: *mut u8, flags: u32, size: usize) -> *mut u8;
    fn HeapReAlloc(heap: *mut u8, flags: u32, block: *mut u8, size: usize) -> *mut u8;
    fn HeapFree(heap: *mut u8, flags: u32, block: *mut u8) -> i32;
}

// The runtime's own import library (msvc_rt_kernel32.lib, made beside the runtime), so adding one does not rebuild the sysroots.
#[link(name = "msvc_rt_kernel32")]
extern "system" {
    fn GetEnvironmentVariableA(name: *const u8, buffer: *mut u8, size: u32) -> u32;
    fn CreateFileA(name: *const u8, access: u32, share: u32, security: *mut u8, disposition: u32, flags: u32, template: *mut u8) -> *mut u8;
}

/// Floating point code references this marker, which the MSVC CRT normally defines.
#[no_mangle]
pub static _fltused: i32 = 0;

struct ProcessHeap;

// HeapAlloc aligns to 16 bytes, more than any type of the test programs asks for.
unsafe impl GlobalAlloc for ProcessHeap {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if layout.align() > 16 {
            return core::ptr::null_mut();
        }
        HeapAlloc(GetProcessHeap(), 0, layout.size())
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if layout.align() > 16 {
            return core::ptr::null_mut();
        }
        HeapAlloc(GetProcessHeap(), 8 /* HEAP_ZERO_MEMORY */, layout.size())
    }
    unsafe fn dealloc(&self, block: *mut u8, _layout: Layout) {
        HeapFree(GetProcessHeap(), 0, block);
    }
    unsafe fn realloc(&self, block: *mut u8, _layout: Layout, size: usize) -> *mut u8 {
        HeapReAlloc(GetProcessHeap(), 0, block, size)
    }
}

#[global_allocator]
static HEAP: ProcessHeap = ProcessHeap;

#[cfg(rust_before_1_68)]
#[alloc_error_handler]
fn out_of_memory(_: Layout) -> ! {
    exit(102)
}

/// Standard output through WriteFile, so `{:?}` text reaches the test as the program's own oracle.
pub struct Stdout;

const INVALID_HANDLE: usize = usize::MAX;
/// 0 until the first write looks up RUST_OFFLOAD_STDOUT; then the file's handle, or INVALID_HANDLE when there is none.
static COPY_HANDLE: AtomicUsize = AtomicUsize::new(0);

/// A copy of everything printed, appended to the file RUST_OFFLOAD_STDOUT names (a Windows path). Under winedbg the
/// program gets a console of its own that nobody reads, and a crashing program's output must survive the crash:
/// WriteFile on a file is unbuffered, so every line is in the file before the next statement runs.
fn copy_handle() -> *mut u8 {
    let known = COPY_HANDLE.load(Ordering::Relaxed);
    if known != 0 {
        return known as *mut u8;
    }
    let mut path = [0u8; 1024];
    let len = unsafe { GetEnvironmentVariableA(b"RUST_OFFLOAD_STDOUT\0".as_ptr(), path.as_mut_ptr(), path.len() as u32) } as usize;
    let handle = if len == 0 || len >= path.len() {
        INVALID_HANDLE as *mut u8
    } else {
        // FILE_APPEND_DATA, FILE_SHARE_READ | FILE_SHARE_WRITE, OPEN_ALWAYS, FILE_ATTRIBUTE_NORMAL.
        unsafe { CreateFileA(path.as_ptr(), 4, 3, core::ptr::null_mut(), 4, 0x80, core::ptr::null_mut()) }
    };
    COPY_HANDLE.store(handle as usize, Ordering::Relaxed);
    handle
}

fn write_all(handle: *mut u8, s: &str) -> bool {
    let mut written = 0u32;
    unsafe { WriteFile(handle, s.as_ptr(), s.len() as u32, &mut written, core::ptr::null_mut()) != 0 }
}

impl Write for Stdout {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let copy = copy_handle();
        let copied = copy as usize != INVALID_HANDLE && write_all(copy, s);
        // The console under winedbg refuses writes: the copy alone must not end the formatting of a line.
        if write_all(unsafe { GetStdHandle(-11i32 as u32) }, s) || copied { Ok(()) } else { Err(fmt::Error) }
    }
}

#[macro_export]
macro_rules! println {
    ($($arg:tt)*) => {{
        use core::fmt::Write as _;
        let _ = core::write!($crate::Stdout, $($arg)*);
        let _ = $crate::Stdout.write_str("\r\n");
    }};
}

/// Runs the program's main and exits with 0, as std's runtime would.
pub fn run(main: fn()) -> ! {
    main();
    unsafe { ExitProcess(0) }
}

pub fn exit(code: u32) -> ! {
    unsafe { ExitProcess(code) }
}

/// Named like std's so the adapter's `Rust: Panic` filter (a breakpoint on `rust_panic`) binds to it; never inlined so it has a frame.
#[no_mangle]
#[inline(never)]
pub extern "C" fn rust_panic() -> ! {
    unsafe { ExitProcess(101) }
}

// PanicInfo's Display is std's hook text after "thread 'main' " in both toolchains: `panicked at 'msg', file:l:c` (1.63) and `panicked at file:l:c:\nmsg` (1.96).
#[panic_handler]
fn panic(info: &core::panic::PanicInfo) -> ! {
    let _ = write!(Stdout, "thread 'main' {}\r\n", info);
    rust_panic()
}

/// FNV-1a: hashbrown has no default hasher without its optional dependencies, and a fixed one keeps the table's layout reproducible.
#[derive(Default, Clone, Copy)]
pub struct Fnv(u64);

impl core::hash::Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 { 0xcbf29ce484222325 } else { self.0 };
        for b in bytes {
            h ^= *b as u64;
            h = h.wrapping_mul(0x100000001b3);
        }
        self.0 = h;
    }
}

pub type FnvBuild = core::hash::BuildHasherDefault<Fnv>;
