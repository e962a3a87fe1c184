// Windows test program for the "Rust: Panic" filter: a panic in a nested call, through msvc_rt's handler and its rust_panic.
#![no_std]
#![no_main]

#[macro_use]
extern crate msvc_rt;

#[inline(never)]
fn check(level: usize) -> usize {
    if level > 2 {
        panic!("level {} is too deep", level); // BREAK: panic
    }
    level * 10
}

fn main() {
    let mut total = 0;
    for level in 0..5 {
        total += check(level); // BREAK: call
    }
    println!("total {}", total);
}

#[no_mangle]
pub extern "C" fn mainCRTStartup() -> ! {
    msvc_rt::run(main)
}
