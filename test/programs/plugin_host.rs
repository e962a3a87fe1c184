// Test program for late-bound function breakpoints: loads the library named by its first argument (dlopen) only after it has started.
use std::ffi::CString;
use std::os::raw::{c_char, c_int, c_void};

#[link(name = "dl")]
extern "C" {
    fn dlopen(file: *const c_char, flags: c_int) -> *mut c_void;
    fn dlsym(handle: *mut c_void, symbol: *const c_char) -> *mut c_void;
}

const RTLD_NOW: c_int = 2;

/** Where the test stops once the library is loaded: a call is one location, unlike a println! line. */
#[inline(never)]
fn library_loaded(path: &str) -> usize {
    path.len()
}

fn main() {
    let library = std::env::args().nth(1).expect("usage: plugin_host <path of libplugin.so>");
    let name = CString::new(library.clone()).unwrap();
    let handle = unsafe { dlopen(name.as_ptr(), RTLD_NOW) };
    assert!(!handle.is_null(), "dlopen failed for {}", library);
    let entry = unsafe { dlsym(handle, b"plugin_entry\0".as_ptr() as *const c_char) };
    assert!(!entry.is_null(), "no plugin_entry in {}", library);
    let entry: extern "C" fn(u32) -> u64 = unsafe { std::mem::transmute(entry) };
    library_loaded(&library); // BREAK: loaded
    println!("{}", entry(21));
}
