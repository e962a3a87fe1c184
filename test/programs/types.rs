// Test program for the type readers: every kind of Rust layout in statics (read from the file) and in one frame's locals.
#![allow(dead_code)]
use std::num::NonZeroU32;

#[derive(Debug, Clone, Copy)]
pub struct Point {
    pub x: i32,
    pub y: f64,
}

#[derive(Debug)]
pub struct Pair<T, U> {
    pub first: T,
    pub second: U,
}

#[derive(Debug)]
pub struct Unit;

#[derive(Debug)]
pub struct Wrapper(pub u16, pub &'static str);

#[repr(C)]
pub union IntOrFloat {
    pub i: u32,
    pub f: f32,
}

/// A direct tag with data.
#[derive(Debug)]
pub enum Shape {
    Circle { r: f64 },
    Rect(u32, u32),
    Empty,
}

/// Option<bool>-like: the niche is in bool's unused values 2..=255.
#[derive(Debug)]
pub enum Tri {
    Yes(bool),
    No,
    Maybe,
}

/// A niche range: two dataful-less variants and one with a char (niche values above 0x10FFFF).
#[derive(Debug)]
pub enum Glyph {
    Letter(char),
    Space,
    Tab,
    Newline,
}

/// A single-variant enum with data.
#[derive(Debug)]
pub enum Only {
    One(u64),
}

/// C-like enums, one with explicit values.
#[derive(Debug, Clone, Copy)]
pub enum Color {
    Red,
    Green,
    Blue,
}

#[derive(Debug, Clone, Copy)]
#[repr(i16)]
pub enum Signed {
    Low = -300,
    Zero = 0,
    High = 300,
}

/// A 128-bit discriminant (repr(u128) and explicit discriminants on data enums need Rust 1.66+: not built with `--cfg old_rustc`).
#[cfg(not(old_rustc))]
#[derive(Debug, Clone, Copy)]
#[repr(u128)]
pub enum Huge {
    Small = 1,
    Big = 0xffff_0000_0000_0000_0000_0000_0000_0001,
}

/// A 128-bit tag with data.
#[cfg(not(old_rustc))]
#[derive(Debug)]
#[repr(u128)]
pub enum HugeData {
    A(u8) = 5,
    B { v: u32 } = 0x1_0000_0000_0000_0000,
}

pub mod nested {
    pub mod deeper {
        #[derive(Debug)]
        pub struct Inner {
            pub id: u8,
            pub tags: [u16; 3],
        }
    }
}

pub static S_POINT: Point = Point { x: -7, y: 2.5 };
pub static S_SHAPES: [Shape; 3] = [Shape::Circle { r: 1.5 }, Shape::Rect(3, 4), Shape::Empty];
pub static S_TRIS: [Tri; 4] = [Tri::Yes(true), Tri::Yes(false), Tri::No, Tri::Maybe];
pub static S_GLYPHS: [Glyph; 4] = [Glyph::Letter('x'), Glyph::Space, Glyph::Tab, Glyph::Newline];
pub static S_ONLY: Only = Only::One(42);
pub static S_COLORS: [Color; 3] = [Color::Red, Color::Green, Color::Blue];
pub static S_SIGNED: [Signed; 3] = [Signed::Low, Signed::Zero, Signed::High];
#[cfg(not(old_rustc))]
pub static S_HUGE: [Huge; 2] = [Huge::Small, Huge::Big];
#[cfg(not(old_rustc))]
pub static S_HUGE_DATA: [HugeData; 2] = [HugeData::A(9), HugeData::B { v: 77 }];
pub static S_OPT_REF: [Option<&Point>; 2] = [Some(&S_POINT), None];
pub static S_OPT_NZ: [Option<NonZeroU32>; 2] = [NonZeroU32::new(5), None];
pub static S_OPT_BOOL: [Option<bool>; 3] = [Some(true), Some(false), None];
pub static S_OPT_U32: [Option<u32>; 2] = [Some(9), None];
pub static S_RESULT: [Result<u8, i64>; 2] = [Ok(3), Err(-4)];
pub static S_INNER: nested::deeper::Inner = nested::deeper::Inner { id: 3, tags: [1, 2, 3] };
pub static S_GRID: [[u8; 3]; 2] = [[1, 2, 3], [4, 5, 6]];
pub static S_TUPLE: (u8, &str, f32) = (1, "two", 3.0);
pub static S_SLICE: &[u32] = &[1, 2, 3];
pub static S_UNION: IntOrFloat = IntOrFloat { i: 7 };
pub static S_UNIT: Unit = Unit;
pub static S_WRAPPER: Wrapper = Wrapper(5, "five");
pub static S_PAIR: Pair<u8, Color> = Pair { first: 1, second: Color::Blue };

/// Keeps values alive and observable (std::hint::black_box needs Rust 1.66; Debian 12's rustc is 1.63).
#[inline(never)]
fn black_box<T>(value: T) -> T {
    value
}

/// Inlined even at opt-level 0: its locals live in an inlined-call DIE of `locals`.
#[inline(always)]
fn doubled(v: u32) -> u32 {
    let twice = v.wrapping_mul(2);
    black_box(twice) // TYPES: inlined
}

#[inline(never)]
fn locals(param: u32, text: &str) -> usize {
    let point = Point { x: 1, y: 2.0 };
    let pair = Pair { first: 7u8, second: "second" };
    let tuple = (1u8, "two", 3.0f32);
    let array = [1u8, 2, 3, 4];
    let grid = [[0i32; 3]; 2];
    let slice: &[u32] = &[5, 6];
    let shape = Shape::Rect(3, 4);
    let maybe: Option<&Point> = Some(&point);
    let nz = NonZeroU32::new(param + 1);
    let unit = Unit;
    let boxed: Box<u64> = Box::new(9);
    let vec: Vec<u32> = vec![1, 2];
    let color = Color::Green;
    let reference = &mut 5i64;
    let shadow = 1u8;
    let twice_param = doubled(param);
    let raw: *const Point = &point;
    {
        let shadow = "inner";
        let captured = 10u64;
        let closure = |k: u64| k + captured + black_box(shadow).len() as u64;
        let total = closure(param as u64);
        black_box(&closure); // TYPES: inner
        black_box(total);
    }
    *reference += 1;
    black_box((&pair, &tuple, &array, &grid, slice, &shape, &maybe, &nz, &unit, &boxed, &vec, &color, &reference, &raw)); // TYPES: outer
    black_box(shadow) as usize + twice_param as usize + text.len() + black_box(&S_UNION as *const IntOrFloat) as usize % 2
}

fn main() {
    let r = locals(4, "hello");
    let dynamic: &dyn std::fmt::Debug = &S_POINT;
    black_box(dynamic);
    println!("locals={}", r);
    // One static per line, `NAME={:?}`: the tests take each value's variant from here (the compiler is the oracle).
    println!("S_SHAPES={:?}", S_SHAPES);
    println!("S_TRIS={:?}", S_TRIS);
    println!("S_GLYPHS={:?}", S_GLYPHS);
    println!("S_ONLY={:?}", [&S_ONLY]);
    println!("S_COLORS={:?}", S_COLORS);
    println!("S_SIGNED={:?}", S_SIGNED);
    #[cfg(not(old_rustc))]
    println!("S_HUGE={:?}", S_HUGE);
    #[cfg(not(old_rustc))]
    println!("S_HUGE_DATA={:?}", S_HUGE_DATA);
    println!("S_OPT_REF={:?}", S_OPT_REF);
    println!("S_OPT_NZ={:?}", S_OPT_NZ);
    println!("S_OPT_BOOL={:?}", S_OPT_BOOL);
    println!("S_OPT_U32={:?}", S_OPT_U32);
    println!("S_RESULT={:?}", S_RESULT);
    println!("S_INNER={:?} S_GRID={:?} S_TUPLE={:?} S_SLICE={:?} S_UNION={}", S_INNER, S_GRID, S_TUPLE, S_SLICE, unsafe { S_UNION.i });
    println!("S_UNIT={:?} S_WRAPPER={:?} S_PAIR={:?}", S_UNIT, S_WRAPPER, S_PAIR);
}
