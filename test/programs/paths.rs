// Test program for symbol loading and function breakpoints by Rust path: a module, a generic function and its instances.
#![allow(dead_code)]
mod shapes {
    pub mod geometry {
        #[inline(never)]
        pub fn scale(value: u32, factor: u32) -> u32 {
            let scaled = value * factor; // BREAK: scale
            scaled + 1
        }
    }
    #[inline(never)]
    pub fn largest<T: PartialOrd + Copy>(items: &[T]) -> T {
        let mut best = items[0]; // BREAK: largest
        for &item in items {
            if item > best {
                best = item;
            }
        }
        best
    }
}

fn main() {
    let a = shapes::geometry::scale(3, 4);
    let b = shapes::largest(&[1u64, 9, 4]);
    let c = shapes::largest(&[1.5f32, 0.5]);
    println!("{} {} {}", a, b, c);
}
