// Benchmark program for Rust values: a 1,000,000-element Vec<u32>, a 100,000-entry HashMap<String, u64> and 14 other locals, stopped four times.
#![allow(dead_code)]
use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;

#[derive(Debug)]
struct Person {
    name: String,
    age: u32,
    x: i32,
    y: f64,
}

#[derive(Debug)]
enum Shape {
    Circle { r: f64 },
    Rect(u32, u32),
    Empty,
}

#[inline(never)]
fn black_box<T>(value: T) -> T {
    value
}

fn main() {
    let v: Vec<u32> = (0..1_000_000).collect();
    let mut m: HashMap<String, u64> = HashMap::new();
    for i in 0..100_000u64 {
        m.insert(format!("key{}", i), i * 2);
    }
    let some: Option<u32> = Some(42);
    let none: Option<String> = None;
    let text: Option<String> = Some("hello".to_string());
    let shape = Shape::Rect(3, 4);
    let circle = Shape::Circle { r: 1.5 };
    let p = Person { name: "origin".to_string(), age: 30, x: 7, y: 2.5 };
    let shared = Rc::new(RefCell::new(vec![1u8, 2, 3]));
    let mut bt: BTreeMap<u32, String> = BTreeMap::new();
    for i in 0..50u32 {
        bt.insert(i, format!("v{}", i));
    }
    let slice: &[u32] = &v[10..20];
    let strref: &str = "hello";
    let tuple = (1u8, "two", 3.0f32);
    let s = String::from("a string");
    let nested: Vec<Vec<u32>> = (0..10).map(|i| (0..10).map(|j| i * j).collect()).collect();
    for stop in 0..4u32 {
        black_box(stop); // BREAK: stop
    }
    black_box((&v, &m, &some, &none, &text, &shape, &circle, &p, &shared, &bt, slice, strref, &tuple, &s, &nested));
}
