// Windows test program for post-mortem debugging: heap values printed with {:?}, then an access violation that wine hands to the AeDebug dump writer.
#![no_std]
#![no_main]

extern crate alloc;
#[macro_use]
extern crate msvc_rt;

use alloc::string::String;
use alloc::vec::Vec;

#[inline(never)]
fn crash(values: &Vec<u64>, name: &String) -> u64 {
    let target = (values.len() as u64 * 0) as *mut u64;
    unsafe { core::ptr::write_volatile(target, values[0] + name.len() as u64) }; // BREAK: crash
    values[1]
}

fn main() {
    let values: Vec<u64> = (1..=6).map(|i| i * 0x1111_1111).collect();
    let name = String::from("post-mortem heap text");
    println!("values = {:?}", values);
    println!("name = {:?}", name);
    crash(&values, &name);
}

#[no_mangle]
pub extern "C" fn mainCRTStartup() -> ! {
    msvc_rt::run(main)
}
