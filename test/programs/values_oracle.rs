// Oracle program for the value formatters: every local's {:?} is printed as `NAME = …` on its own line before the BREAK line, and the test compares ours with it.
#![allow(dead_code)]
use std::borrow::Cow;
use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, BTreeSet, BinaryHeap, HashMap, HashSet, LinkedList, VecDeque};
use std::ffi::{CString, OsString};
use std::num::{NonZeroU32, Wrapping};
use std::path::PathBuf;
use std::rc::Rc;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

#[derive(Debug)]
struct Point {
    x: i32,
    y: f64,
    name: &'static str,
}

#[derive(Debug)]
struct Unit;

#[derive(Debug)]
struct Pair(u8, i64);

#[derive(Debug)]
enum Shape {
    Circle { r: f64 },
    Rect(u32, u32),
    Empty,
}

#[derive(Debug, Clone, Copy)]
enum Level {
    Low,
    High = 10,
}

#[derive(Debug)]
struct Zst;

/// Two of these point at each other: an Rc cycle, which Rust's own Debug cannot print but our formatter must survive.
#[derive(Debug)]
struct Link {
    value: u8,
    next: RefCell<Option<Rc<Link>>>,
}

/// Keeps a value alive and in memory (std::hint::black_box needs Rust 1.66; Debian's rustc is 1.63).
#[inline(never)]
fn keep<T>(value: &T) -> &T {
    value
}

macro_rules! show {
    ($($name:ident),* $(,)?) => { $( println!("{} = {:?}", stringify!($name), $name); keep(&$name); )* };
}

fn main() {
    let text = String::from("hi\n\"quoted\" \t tab \u{301} é ünïcödé 😀");
    let empty_string = String::new();
    let slice_str: &str = "abc";
    let boxed_str: Box<str> = "boxed".into();
    let cow_borrowed: Cow<str> = Cow::Borrowed("borrowed");
    let cow_owned: Cow<str> = Cow::Owned(String::from("owned"));
    let os = OsString::from("os string");
    let path = PathBuf::from("/tmp/some path");
    let c_string = CString::new("c string").unwrap();
    let ch = 'x';
    let ch_escape = '\n';
    let small: u8 = 1;
    let negative: i64 = -42;
    let big: u128 = u128::MAX;
    let big_negative: i128 = i128::MIN;
    let float32: f32 = 3.0;
    let float32_frac: f32 = 0.1;
    let float64: f64 = 1e16;
    let float64_small: f64 = 1.2345e-7;
    let flag = true;
    let unit = ();
    let tuple = (1u8, "two", 3.0f32);
    let point = Point { x: 7, y: 2.5, name: "origin" };
    let unit_struct = Unit;
    let pair = Pair(3, -4);
    let circle = Shape::Circle { r: 1.5 };
    let rect = Shape::Rect(3, 4);
    let shape_empty = Shape::Empty;
    let level = Level::High;
    let some_number: Option<u32> = Some(42);
    let none_number: Option<u32> = None;
    let some_string: Option<String> = Some(String::from("x"));
    let none_string: Option<String> = None;
    let ok: Result<u8, String> = Ok(1);
    let err: Result<u8, String> = Err(String::from("bad"));
    let vec_empty: Vec<u32> = Vec::new();
    let vec_one: Vec<u32> = vec![7];
    let vec_small: Vec<u32> = vec![1, 2, 3];
    let vec_large: Vec<u32> = (0..100_000).collect();
    let vec_zst: Vec<Zst> = vec![Zst, Zst, Zst];
    let nested: Vec<Option<String>> = vec![Some(String::from("a")), None, Some(String::from(""))];
    let array: [u8; 4] = [1, 2, 3, 4];
    let slice: &[u32] = &vec_small[1..];
    let boxed_slice: Box<[u8]> = vec![9u8, 8].into_boxed_slice();
    let mut deque: VecDeque<u8> = VecDeque::with_capacity(4);
    deque.push_back(3);
    deque.push_back(4);
    deque.push_front(2);
    deque.push_front(1);
    let list: LinkedList<u8> = [1, 2, 3].into_iter().collect();
    let heap: BinaryHeap<u8> = [1, 5, 2].into_iter().collect();
    let map_empty: HashMap<String, u64> = HashMap::new();
    let map_one: HashMap<String, u64> = [(String::from("k"), 1)].into_iter().collect();
    let map_bytes: HashMap<String, Vec<u8>> = [(String::from("a"), vec![1u8, 2]), (String::from("b"), vec![])].into_iter().collect();
    let map_large: HashMap<String, u64> = (0..1000u64).map(|i| (format!("key{}", i), i * 2)).collect();
    let set: HashSet<u8> = [1, 2, 3].into_iter().collect();
    let btree: BTreeMap<u32, u32> = (0..30).map(|i| (i, i * 2)).collect();
    let btree_empty: BTreeMap<u32, u32> = BTreeMap::new();
    let btree_set: BTreeSet<&str> = ["b", "a", "c"].into_iter().collect();
    let boxed: Box<u64> = Box::new(9);
    let reference: &Point = &point;
    let rc = Rc::new(RefCell::new(vec![1u8, 2]));
    let rc_clone = Rc::clone(&rc);
    let arc = Arc::new(Mutex::new(5i32));
    let rw = RwLock::new(1u8);
    let cell = Cell::new(3u16);
    let duration = Duration::from_millis(1500);
    let non_zero = NonZeroU32::new(5).unwrap();
    let wrapping = Wrapping(5u8);
    let range = 1..5;
    let range_inclusive = 1..=5u8;
    let weak = Rc::downgrade(&rc);
    let borrowed = RefCell::new(5u8);
    let guard = borrowed.borrow_mut();
    let dyn_box: Box<dyn std::fmt::Debug> = Box::new(Pair(1, 2));
    let raw: *const u8 = boxed_slice.as_ptr();
    let fn_pointer: fn() = main;
    let instant = std::time::Instant::now();
    let system_time = std::time::SystemTime::UNIX_EPOCH + Duration::from_secs(5);
    let cycle = Rc::new(Link { value: 1, next: RefCell::new(None) });
    let cycle_other = Rc::new(Link { value: 2, next: RefCell::new(Some(Rc::clone(&cycle))) });
    *cycle.next.borrow_mut() = Some(Rc::clone(&cycle_other));
    keep(&cycle);
    show!(
        text, empty_string, slice_str, boxed_str, cow_borrowed, cow_owned, os, path, c_string, ch, ch_escape, small, negative, big,
        big_negative, float32, float32_frac, float64, float64_small, flag, unit, tuple, point, unit_struct, pair, circle, rect,
        shape_empty, level, some_number, none_number, some_string, none_string, ok, err, vec_empty, vec_one, vec_small, vec_large,
        vec_zst, nested, array, slice, boxed_slice, deque, list, heap, map_empty, map_one, map_bytes, map_large, set, btree,
        btree_empty, btree_set, boxed, reference, rc, rc_clone, arc, rw, cell, duration, non_zero, wrapping, range, range_inclusive,
        weak, borrowed, guard, dyn_box, raw, instant, system_time, fn_pointer
    );
    println!("done"); // BREAK: values
    drop(guard);
}
