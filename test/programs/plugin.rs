// Test library for late-bound function breakpoints: a cdylib the host program loads at run time, with a generic function.
pub mod inner {
    #[inline(never)]
    pub fn work<T: Into<u64>>(x: T) -> u64 {
        let v: u64 = x.into(); // BREAK: work
        v * 2
    }
}

#[no_mangle]
pub extern "C" fn plugin_entry(x: u32) -> u64 {
    inner::work(x) + inner::work(x as u16)
}
