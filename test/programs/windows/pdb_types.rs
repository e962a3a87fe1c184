// Windows test program for the PDB type table: statics of core and alloc types, each followed by the {:?} text
// main prints for it (`// => …`), so a test can check our types and formatters on the PDB without running it.
#![no_std]
#![no_main]
#![allow(dead_code, stable_features)]
#![feature(arbitrary_enum_discriminant, repr128)]

extern crate alloc;
#[macro_use]
extern crate msvc_rt;

use alloc::string::String;
use alloc::vec::Vec;
use core::cmp::Ordering;
use core::num::NonZeroU32;

#[derive(Debug)]
pub enum Shape {
    Circle(u32),
    Square { side: u32 },
    Empty,
}

#[derive(Debug)]
#[repr(u128)]
pub enum Wide {
    Small = 1,
    Huge(u8) = 0xffff_ffff_ffff_ffff_ffff,
}

pub static X: u32 = 7;

#[no_mangle] pub static NZ_SOME: Option<NonZeroU32> = NonZeroU32::new(5); // => Some(5)
#[no_mangle] pub static NZ_NONE: Option<NonZeroU32> = None; // => None
#[no_mangle] pub static REF_SOME: Option<&u32> = Some(&X); // => Some(7)
#[no_mangle] pub static REF_NONE: Option<&u32> = None; // => None
#[no_mangle] pub static BOOL_SOME: Option<bool> = Some(false); // => Some(false)
#[no_mangle] pub static BOOL_NONE: Option<bool> = None; // => None
#[no_mangle] pub static NESTED: Option<Option<bool>> = Some(None); // => Some(None)
#[no_mangle] pub static ORDERING: Option<Ordering> = Some(Ordering::Greater); // => Some(Greater)
#[no_mangle] pub static ORDERING_NONE: Option<Ordering> = None; // => None
#[no_mangle] pub static CHAR_SOME: Option<char> = Some('é'); // => Some('é')
#[no_mangle] pub static RESULT_OK: Result<u8, ()> = Ok(3); // => Ok(3)
#[no_mangle] pub static RESULT_ERR: Result<u8, ()> = Err(()); // => Err(())
#[no_mangle] pub static SHAPE: Shape = Shape::Square { side: 4 }; // => Square { side: 4 }
#[no_mangle] pub static WIDE: Wide = Wide::Huge(9); // => Huge(9)
#[no_mangle] pub static TEXT: &str = "héllo"; // => "héllo"
#[no_mangle] pub static BYTES: &[u8] = &[1, 2, 3]; // => [1, 2, 3]
#[no_mangle] pub static TUPLE: (u8, &str, i16) = (1, "two", -3); // => (1, "two", -3)
#[no_mangle] pub static ARRAY: [u16; 4] = [1, 2, 3, 4]; // => [1, 2, 3, 4]
#[no_mangle] pub static EMPTY_VEC: Option<Vec<u8>> = Some(Vec::new()); // => Some([])
#[no_mangle] pub static EMPTY_STRING: String = String::new(); // => ""

fn main() {
    println!("{:?}", NZ_SOME);
    println!("{:?} {:?} {:?} {:?} {:?}", NZ_NONE, REF_SOME, REF_NONE, BOOL_SOME, BOOL_NONE);
    println!("{:?} {:?} {:?} {:?}", NESTED, ORDERING, ORDERING_NONE, CHAR_SOME);
    println!("{:?} {:?} {:?} {:?}", RESULT_OK, RESULT_ERR, SHAPE, WIDE);
    println!("{:?} {:?} {:?} {:?} {:?} {:?}", TEXT, BYTES, TUPLE, ARRAY, EMPTY_VEC, EMPTY_STRING);
}

#[no_mangle]
pub extern "C" fn mainCRTStartup() -> ! {
    msvc_rt::run(main)
}
