// Test program for the protocol tests: a value of every kind the expression language reads, a loop, a call and two big buffers.
#![allow(dead_code)]
use std::collections::HashMap;

#[derive(Debug, Clone)]
struct Point {
    x: i32,
    y: f64,
}

#[derive(Debug)]
enum Shape {
    Circle { r: f64 },
    Square(u32),
    Empty,
}

#[derive(Debug)]
struct Inventory {
    owner: String,
    items: Vec<Point>,
    counts: HashMap<String, u32>,
}

/// Keeps values alive and observable (std::hint::black_box needs Rust 1.66; Debian 12's rustc is 1.63).
#[inline(never)]
fn black_box<T>(value: T) -> T {
    value
}

/// Bytes in each of the two zero-filled buffers the slow-comparison tests read (allocated lazily by the OS).
const BIG: usize = 512 << 20;

/// Called by LLDB's native evaluator in the tests (`/nat exit_now(3)`): the program ends during an evaluation.
#[no_mangle]
pub extern "C" fn exit_now(code: i32) -> i32 {
    std::process::exit(code)
}

/// A native evaluation that takes `millis` (`/nat slow_answer(10000)`): the benchmark's slow evaluation for lldb-dap itself.
#[no_mangle]
pub extern "C" fn slow_answer(millis: u64) -> u64 {
    std::thread::sleep(std::time::Duration::from_millis(millis));
    42
}

fn area(shape: &Shape) -> f64 {
    let result = match shape {
        Shape::Circle { r } => 3.0 * r * r,
        Shape::Square(side) => (*side * *side) as f64, // BREAK: area
        Shape::Empty => 0.0,
    };
    result
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(|a| a == "wait").unwrap_or(false) {
        // Attach target: idles for up to a minute so a debugger can attach and pause it.
        let mut ticks = 0u64;
        while ticks < 600 {
            std::thread::sleep(std::time::Duration::from_millis(100));
            ticks = black_box(ticks + 1);
        }
    }
    let numbers: Vec<i32> = vec![10, 20, 30, 40];
    let empty: Vec<u8> = Vec::new();
    let pts = vec![Point { x: 1, y: 2.5 }, Point { x: 3, y: 4.5 }];
    let name = String::from("offload");
    let greeting: &str = "hello";
    let mut counts: HashMap<String, u32> = HashMap::new();
    counts.insert("apples".to_string(), 3);
    counts.insert("pears".to_string(), 5);
    let pair = (7u8, -2i64, true);
    let grid = [1u16, 2, 3, 4];
    let tail: &[u16] = &grid[1..];
    let boxed = Box::new(Point { x: 7, y: 8.0 });
    let first = &pts[0];
    let letter = 'λ';
    let big = u64::MAX;
    let small: i8 = -5;
    let ratio = 0.25f32;
    let flag = false;
    let shape = Shape::Square(4);
    let inventory = Inventory { owner: name.clone(), items: pts.clone(), counts: counts.clone() };
    let table = [7u32; 2000];
    let haystack = vec![0u8; BIG];
    let needle = vec![0u8; BIG];
    let mut total = 0u64;
    for i in 0..5u64 {
        total += i; // BREAK: loop
    }
    let a = area(&shape);
    println!("{} {} {} {}", total, a, numbers.len(), empty.len()); // BREAK: main
    black_box((&numbers, &empty, &pts, &name, greeting, &counts, pair, grid, tail, &boxed, first, letter));
    black_box((exit_now as extern "C" fn(i32) -> i32, slow_answer as extern "C" fn(u64) -> u64));
    black_box((big, small, ratio, flag, &shape, &inventory, &haystack, &needle, &table));
    println!("done"); // BREAK: end
}
