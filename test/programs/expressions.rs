// Test program for the expression language: each expression is printed with {:?} by the compiler's own evaluation (EXPR lines) before the breakpoint, and the test evaluates the same text at the stop.
#![allow(dead_code, unused_variables, clippy::all)]
use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;

#[derive(Debug, Clone, PartialEq)]
struct Person {
    name: String,
    x: i32,
    y: f64,
}

#[derive(Debug, Clone, PartialEq)]
struct Item {
    name: String,
    quantity: u32,
}

#[derive(Debug, Clone, PartialEq)]
enum Shape {
    Circle { r: f64 },
    Rect(u32, u32),
    Empty,
}

static LIMIT: u32 = 77;

/// A native evaluation that takes `millis` (`/nat slow_answer(8000)`): the test kills lldb-dap while it runs.
#[no_mangle]
pub extern "C" fn slow_answer(millis: u64) -> u64 {
    std::thread::sleep(std::time::Duration::from_millis(millis));
    42
}

/// Prints `EXPR <source> => <{:?} of it>`: the source text and the value both come from the compiler, each escaped
/// with `escape_default` (non-ASCII as `\u{..}`): lldb-dap sends the program's output in chunks as it reads them, and
/// a chunk that ends inside a multi-byte character reaches the client as U+FFFD (seen once for `"hello wörld"`).
macro_rules! show {
    ($($e:expr),* $(,)?) => { $( println!("EXPR {} => {}", stringify!($e).escape_default(), format!("{:?}", &$e).escape_default()); )* };
}
/// Display suffixes: `HEX`/`BIN`/`OCT <source> => {:#x}/{:#b}/{:#o}`.
macro_rules! show_radix {
    ($($e:expr),* $(,)?) => { $(
        println!("HEX {} => {:#x}", stringify!($e), $e);
        println!("BIN {} => {:#b}", stringify!($e), $e);
        println!("OCT {} => {:#o}", stringify!($e), $e);
    )* };
}

fn main() {
    // Keeps slow_answer in the binary with its debug info (lldb's evaluator needs its declaration).
    if std::env::args().count() > 99 {
        slow_answer(0);
    }
    let v: Vec<u32> = (0..1_000_000).collect();
    let mut m: HashMap<String, u64> = HashMap::new();
    for i in 0..10_000u64 {
        m.insert(format!("key{}", i), i * 2);
    }
    let mut bt: BTreeMap<u32, &str> = BTreeMap::new();
    for (i, w) in ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve", "thirteen"].iter().enumerate() {
        bt.insert(i as u32, w);
    }
    let s = String::from("hello wörld");
    let strref: &str = "hello";
    let p = Person { name: String::from("Ada"), x: 7, y: 2.5 };
    let items = vec![
        Item { name: String::from("nut"), quantity: 4 },
        Item { name: String::from("bolt"), quantity: 12 },
        Item { name: String::from("gear"), quantity: 30 },
    ];
    let shape = Shape::Rect(3, 4);
    let circle = Shape::Circle { r: 1.5 };
    let empty = Shape::Empty;
    let shapes = vec![Shape::Empty, Shape::Rect(1, 2), Shape::Circle { r: 0.5 }];
    let some: Option<i32> = Some(42);
    let none: Option<i32> = None;
    let name: Option<String> = Some(String::from("opt"));
    let res: Result<u32, String> = Ok(5);
    let bad: Result<u32, String> = Err(String::from("nope"));
    let shared = Rc::new(RefCell::new(vec![1, 2, 3]));
    let shared2 = Rc::clone(&shared);
    let cell = Cell::new(9u32);
    let tuple = (1u8, "two", 3.0f32);
    let nested: Vec<Vec<u32>> = (0..5).map(|i| (0..6).map(|j| i * 10 + j).collect()).collect();
    let arr = [5i32, -3, 8, 0, 12];
    let slice: &[i32] = &arr[1..4];
    let ch = 'λ';
    let neg: i64 = -37;
    let big: u64 = 0xdead_beef;
    let byte: u8 = 200;
    let flag = true;
    let ratio: f32 = 0.25;
    let boxed = Box::new(Person { name: String::from("Bo"), x: -1, y: 0.5 });
    let words = vec!["alpha", "beta", "gamma"];

    show!(
        v.len(),
        v[999999],
        v[17],
        v.is_empty(),
        v.first(),
        v.last(),
        v.get(5),
        v.get(2000000),
        v.contains(&123456),
        v[10..20],
        v[..3],
        v[999997..],
        v[5..=7],
        v.iter().filter(|x| *x % 3 == 0).count(),
        v.iter().take(100).sum::<u32>(),
        v.iter().map(|&x| x as u64).sum::<u64>(),
        v.iter().rev().take(3).collect::<Vec<_>>(),
        v.iter().enumerate().skip(5).take(2).collect::<Vec<_>>(),
        v.iter().position(|&x| x == 4242),
        v.iter().find(|x| **x > 999990),
        v.iter().any(|&x| x == 999999),
        v.iter().all(|&x| x < 1000000),
        v.iter().max(),
        v.iter().min(),
        v.iter().skip(999998).collect::<Vec<_>>(),
        v.iter().map(|x| x * 2).take(4).collect::<Vec<_>>(),
        v.iter().take(10).filter(|x| *x % 2 == 1).map(|x| x * x).collect::<Vec<_>>(),
        v[3] + v[4] * 2,
        v[7] as f64 / 2.0,
        m.len(),
        m["key5"],
        m["key5307"],
        m.contains_key("key9999"),
        m.contains_key("key10000"),
        m.get("key12"),
        m.get("absent"),
        m.is_empty(),
        m.keys().count(),
        m.values().max(),
        m.values().min(),
        m.keys().filter(|k| k.starts_with("key99")).count(),
        m.iter().filter(|(k, v)| **v > 19990).count(),
        m.iter().any(|(k, v)| k.len() == 4 && *v == 10),
        m.values().sum::<u64>(),
        m.iter().find(|(k, v)| **v == 84).map(|(k, v)| k.len()),
        bt.len(),
        bt[&3],
        bt[&12],
        bt.contains_key(&7),
        bt.contains_key(&70),
        bt.get(&13),
        bt.keys().max(),
        bt.keys().sum::<u32>(),
        bt.values().filter(|w| w.len() == 3).count(),
        bt.iter().map(|(k, v)| k * 2).collect::<Vec<_>>(),
        bt.iter().position(|(k, v)| *v == "nine"),
        bt.keys().rev().take(2).collect::<Vec<_>>(),
        s,
        s.len(),
        s.is_empty(),
        s[2..],
        s[..5],
        s[1..4],
        s.chars().count(),
        s.chars().rev().collect::<String>(),
        s.bytes().len(),
        s.to_uppercase(),
        s.starts_with("hell"),
        s.ends_with("rld"),
        s.contains("o w"),
        s.contains('ö'),
        s.find("wö"),
        s.chars().filter(|c| *c == 'l').count(),
        s.chars().nth(7),
        s.chars().position(|c| c == ' '),
        s == "hello wörld",
        s != "hello",
        strref,
        strref.len(),
        strref == "hello",
        strref.to_uppercase(),
        strref.chars().map(|c| c.to_ascii_uppercase()).collect::<Vec<_>>(),
        p,
        p.name,
        p.x,
        p.y,
        p.name.len(),
        p.x as f64 * p.y,
        p.x * 3 - 1,
        p.y * 2.0,
        p.x > 5 && p.y < 3.0,
        p.name == "Ada",
        boxed.x,
        boxed.name,
        (*boxed).y,
        items.len(),
        items[1],
        items[1].quantity,
        items[2].name,
        items.iter().filter(|x| x.quantity > 10).count(),
        items.iter().map(|i| i.quantity).collect::<Vec<_>>(),
        items.iter().map(|i| i.quantity).max(),
        items.iter().map(|i| i.quantity).sum::<u32>(),
        items.iter().find(|i| i.quantity > 10),
        items.iter().position(|i| i.name == "gear"),
        items.iter().any(|i| i.name.starts_with("bo")),
        items.iter().all(|i| i.quantity > 3),
        items.iter().map(|i| i.name.len()).collect::<Vec<_>>(),
        shape,
        circle,
        shape == Shape::Empty,
        empty == Shape::Empty,
        shape == Shape::Rect(3, 4),
        shape != Shape::Rect(4, 3),
        matches!(shape, Shape::Rect(..)),
        matches!(shape, Shape::Rect(3, _)),
        matches!(circle, Shape::Circle { .. }),
        matches!(circle, Shape::Circle { r } ),
        matches!(empty, Shape::Circle { .. } | Shape::Empty),
        matches!(some, Some(40..=50)),
        matches!(none, None),
        shapes.iter().filter(|s| matches!(s, Shape::Rect(..))).count(),
        shapes[2],
        shapes.len(),
        some,
        none,
        some == Some(42),
        some == Some(41),
        none == None,
        some.is_some(),
        none.is_none(),
        some.unwrap(),
        none.unwrap_or(7),
        some.unwrap_or(7),
        some.map(|x| x + 1),
        name.is_some(),
        name.as_ref().unwrap().len(),
        res.is_ok(),
        bad.is_err(),
        res.clone().unwrap(),
        res == Ok(5),
        *shared.borrow(),
        shared.borrow().len(),
        shared.borrow()[1],
        shared.borrow().iter().sum::<i32>(),
        Rc::strong_count(&shared),
        cell.get(),
        cell.get() * 2,
        tuple,
        tuple.0,
        tuple.1,
        tuple.2,
        nested[2][4],
        nested.len(),
        nested[4],
        nested[1].iter().sum::<u32>(),
        nested.iter().map(|r| r.len()).sum::<usize>(),
        nested.iter().map(|r| r[0]).collect::<Vec<_>>(),
        arr,
        arr.len(),
        arr[4],
        arr.iter().any(|&x| x < 0),
        arr.iter().min(),
        arr[1..3],
        slice,
        slice.len(),
        slice[2],
        slice.first(),
        slice.contains(&8),
        ch,
        ch as u32,
        ch.is_alphabetic(),
        neg,
        neg.abs(),
        neg.pow(2),
        neg / 5,
        neg % 5,
        neg >> 2,
        neg as u8,
        neg as f32,
        big,
        big & 0xff,
        big | 1,
        big ^ 0xffff,
        big >> 16,
        big.min(5),
        big.count_ones(),
        byte as i8,
        byte as char,
        !byte,
        byte.leading_zeros(),
        flag,
        !flag,
        flag ^ true,
        ratio * 4.0,
        ratio as f64,
        ratio.max(1.0),
        1 + 2 << 3,
        1 | 2 & 3,
        6 ^ 3 & 5,
        -7i32 as u8,
        300i32 as u8,
        -1.5f64 as u8,
        1e10 as i32,
        f64::NAN as i32,
        65u8 as char,
        'A' as u8,
        u32::MAX,
        i8::MIN,
        2i32.pow(10),
        17 / 5,
        3 == 1 + 2 && true,
        (1..=10).sum::<i32>(),
        (0..100).filter(|x| x % 7 == 0).count(),
        (1..5).map(|x| x * x).collect::<Vec<_>>(),
        (0..10).rev().step_by(3).collect::<Vec<_>>(),
        LIMIT,
        LIMIT + 1,
        words.len(),
        words[1],
        words.iter().map(|w| w.len()).sum::<usize>(),
        words.iter().filter(|w| w.contains('m')).count(),
        words.contains(&"beta"),
    );
    show_radix!(big, byte, neg, p.x, v[255]);
    println!("DONE");
    // Changed in place after the first stop (same heap page, same length): a value kept from that stop would show the old one.
    let mut stepped: Vec<u32> = vec![1, 2, 3];
    let keep = (&v, &m, &bt, &s, &p, &items, &shape, &shared, &shared2, &cell, &tuple, &nested, &slice, &boxed, &words, &stepped); // BREAK: expressions
    std::hint::black_box(keep);
    stepped[0] += 9;
    macro_rules! show_step {
        ($($e:expr),* $(,)?) => { $( println!("STEP {} => {:?}", stringify!($e), &$e); )* };
    }
    show_step!(stepped, stepped[0], stepped.iter().sum::<u32>(), stepped.iter().filter(|x| *x % 2 == 0).count());
    std::hint::black_box(&stepped); // BREAK: stepped
}
