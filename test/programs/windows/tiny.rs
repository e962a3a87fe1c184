// The smallest Windows test program: prints one Debug line and exits, for the builder's own test.
#![no_std]
#![no_main]

extern crate alloc;
#[macro_use]
extern crate msvc_rt;

use alloc::vec::Vec;

fn main() {
    let numbers: Vec<u32> = (1..4).collect();
    println!("{:?}", numbers);
}

#[no_mangle]
pub extern "C" fn mainCRTStartup() -> ! {
    msvc_rt::run(main)
}
