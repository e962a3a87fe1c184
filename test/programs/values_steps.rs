// Test program for stale values: locals change in place (same heap buffers, same stack slots) between stops, and each round prints their {:?} before its second stop.
#![allow(dead_code)]

#[inline(never)]
fn black_box<T>(value: T) -> T {
    value
}

fn main() {
    let mut counts: Vec<u32> = Vec::with_capacity(16);
    counts.extend([1, 2, 3]);
    let mut name = String::with_capacity(64);
    name.push_str("a");
    let mut total: u64 = 0;
    let mut pair = (0u8, 'x');
    for round in 0..3u32 {
        black_box(round); // BREAK: before
        counts[0] += 10;
        counts.push(round);
        name.push('b');
        total += 5;
        pair = (pair.0 + 1, 'y');
        println!("counts = {:?}", counts);
        println!("name = {:?}", name);
        println!("total = {:?}", total);
        println!("pair = {:?}", pair);
        println!("round = {:?}", round);
        black_box(round); // BREAK: after
    }
    black_box((&counts, &name, &total, &pair));
}
