// Test program for the "Rust: Panic" filter: a panic that is caught, then one that ends the program, both in a nested call.
use std::panic;

#[inline(never)]
fn check(level: usize) -> usize {
    if level > 2 {
        panic!("level {} is too deep", level); // BREAK: panic
    }
    level * 10
}

fn main() {
    let caught = panic::catch_unwind(|| check(7));
    println!("caught: {}", caught.is_err());
    let mut total = 0;
    for level in 0..5 {
        total += check(level); // BREAK: call
    }
    println!("total {}", total);
}
