// Windows test program: a value of each type the value formatters read, printed with {:?} before the `values` breakpoint (the oracle), then generics, trait methods and a closure to break in and step through.
#![no_std]
#![no_main]
#![allow(dead_code)]

extern crate alloc;
#[macro_use]
extern crate msvc_rt;

use alloc::boxed::Box;
use alloc::collections::{BTreeMap, VecDeque};
use alloc::rc::Rc;
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec;
use alloc::vec::Vec;
extern crate hashbrown;
use hashbrown::HashMap;
use msvc_rt::FnvBuild;

#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
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
enum Token {
    Number(i64),
    Word(String),
    Pair(u8, u16),
    End,
}

trait Area {
    fn area(&self) -> f64;
}

impl Area for Shape {
    fn area(&self) -> f64 {
        let result = match self {
            Shape::Circle { r } => 3.0 * r * r,
            Shape::Square(side) => (*side * *side) as f64, // BREAK: area
            Shape::Empty => 0.0,
        };
        result
    }
}

impl Area for Point {
    fn area(&self) -> f64 {
        0.0
    }
}

/// A generic function with two instances (i32 and u16) for breakpoints by Rust path.
fn largest<T: PartialOrd + Copy>(items: &[T]) -> T {
    let mut best = items[0];
    for &item in items {
        if item > best {
            best = item; // BREAK: largest
        }
    }
    best
}

/// Keeps values alive and observable (core::hint::black_box is unstable in 1.63).
#[inline(never)]
fn black_box<T>(value: T) -> T {
    value
}

fn apply<F: Fn(i32) -> i32>(f: F, value: i32) -> i32 {
    f(value) // BREAK: apply
}

fn main() {
    let point = Point { x: 3, y: -1.5 };
    let numbers: Vec<i32> = vec![10, 20, 30];
    let text: String = String::from("héllo wörld");
    let word: &str = "a &str";
    let slice: &[i32] = &numbers[1..];
    let tuple: (u8, i64, bool) = (7, -3, true);
    let array: [u16; 4] = [4, 1, 3, 2];
    let boxed: Box<Point> = Box::new(Point { x: -8, y: 0.25 });
    let rc: Rc<String> = Rc::new(String::from("shared"));
    let rc2 = rc.clone();
    let arc: Arc<Vec<f32>> = Arc::new(vec![1.5, 2.5]);
    let mut deque: VecDeque<i32> = VecDeque::with_capacity(4);
    deque.push_back(2);
    deque.push_back(3);
    deque.push_front(1);
    let mut btree: BTreeMap<u32, &str> = BTreeMap::new();
    btree.insert(3, "three");
    btree.insert(1, "one");
    btree.insert(2, "two");
    let mut map: HashMap<u32, String, FnvBuild> = HashMap::default();
    map.insert(1, String::from("one"));
    map.insert(2, String::from("two"));
    let some_ref: Option<&Point> = Some(&point);
    let none_ref: Option<&Point> = None;
    let some_number: Option<u32> = Some(5);
    let no_number: Option<u32> = None;
    let ok: Result<u32, String> = Ok(3);
    let err: Result<u32, String> = Err(String::from("bad"));
    let shapes: [Shape; 3] = [Shape::Circle { r: 1.5 }, Shape::Square(4), Shape::Empty];
    let tokens: Vec<Token> = vec![Token::Number(-12), Token::Word(String::from("w")), Token::Pair(1, 2), Token::End];

    println!("point = {:?}", point);
    println!("numbers = {:?}", numbers);
    println!("text = {:?}", text);
    println!("word = {:?}", word);
    println!("slice = {:?}", slice);
    println!("tuple = {:?}", tuple);
    println!("array = {:?}", array);
    println!("boxed = {:?}", boxed);
    println!("rc = {:?}", rc);
    println!("arc = {:?}", arc);
    println!("deque = {:?}", deque);
    println!("btree = {:?}", btree);
    println!("map = {:?}", map);
    println!("some_ref = {:?}", some_ref);
    println!("none_ref = {:?}", none_ref);
    println!("some_number = {:?}", some_number);
    println!("no_number = {:?}", no_number);
    println!("ok = {:?}", ok);
    println!("err = {:?}", err);
    println!("shapes = {:?}", shapes);
    println!("tokens = {:?}", tokens);
    let ready = black_box(1); // BREAK: values

    let mut total = 0.0;
    for shape in shapes.iter() {
        total += shape.area(); // BREAK: loop
    }
    total += point.area();
    let scale = 3;
    let scaled = apply(|x| x * scale, ready); // BREAK: closure
    let biggest = largest(&numbers);
    let biggest_small = largest(&array);
    black_box((rc2, &deque, &btree, &map, none_ref, no_number, &ok, &err, &tokens, word, slice, tuple, &boxed, &arc, &text));
    println!("total = {:?}, scaled = {:?}, biggest = {:?}, {:?}", total, scaled, biggest, biggest_small); // BREAK: end
}

#[no_mangle]
pub extern "C" fn mainCRTStartup() -> ! {
    msvc_rt::run(main)
}
