// A small warehouse simulation to try the debugger on: structs, an enum, Vec, HashMap, String, a loop, and a slow watch.
use std::collections::HashMap;

/// Bytes of each of the two snapshots that `snapshot == backup` compares (see `main`).
#[cfg(windows)]
const SNAPSHOT_BYTES: usize = 512 << 20;
#[cfg(not(windows))]
const SNAPSHOT_BYTES: usize = 2 << 30;

#[derive(Debug, Clone, PartialEq)]
enum Category {
    Tool,
    Food { perishable: bool },
    Part(u32),
}

#[derive(Debug, Clone)]
struct Item {
    name: String,
    category: Category,
    price_cents: u64,
    quantity: u32,
}

struct Warehouse {
    name: String,
    items: Vec<Item>,
    /// Item name → position in `items`.
    index: HashMap<String, usize>,
    log: Vec<String>,
}

impl Warehouse {
    fn new(name: &str) -> Self {
        Warehouse { name: name.to_string(), items: Vec::new(), index: HashMap::new(), log: Vec::new() }
    }

    fn add(&mut self, item: Item) {
        self.index.insert(item.name.clone(), self.items.len());
        self.items.push(item);
    }

    fn sell(&mut self, name: &str, wanted: u32) -> u32 {
        let at = match self.index.get(name) {
            Some(&at) => at,
            None => return 0,
        };
        let item = &mut self.items[at];
        let sold = wanted.min(item.quantity);
        item.quantity -= sold;
        self.log.push(format!("sold {} x {}", sold, name));
        sold
    }

    fn value_cents(&self) -> u64 {
        self.items.iter().map(|i| i.price_cents * i.quantity as u64).sum()
    }
}

fn simulate_day(warehouse: &mut Warehouse, day: u32) -> u32 {
    let orders = [("hammer", day % 3), ("apples", day * 4), ("bolt M6", 10 + day)];
    let mut sold = 0;
    for (name, wanted) in orders {
        sold += warehouse.sell(name, wanted);
    }
    sold
}

fn main() {
    let mut warehouse = Warehouse::new("Main Street");
    warehouse.add(Item { name: "hammer".into(), category: Category::Tool, price_cents: 1599, quantity: 12 });
    warehouse.add(Item { name: "apples".into(), category: Category::Food { perishable: true }, price_cents: 45, quantity: 200 });
    warehouse.add(Item { name: "rice".into(), category: Category::Food { perishable: false }, price_cents: 210, quantity: 80 });
    warehouse.add(Item { name: "bolt M6".into(), category: Category::Part(6), price_cents: 12, quantity: 500 });

    // Two snapshots of zeros. The OS hands out zero pages lazily, so they cost no real memory, but
    // watching `snapshot == backup` makes the debugger read them all: an evaluation slow enough to
    // watch in Debugger Tasks and cancel there while stepping stays instant. On Linux the debugger
    // reads the program's memory itself, ~5x faster than through lldb-dap as on Windows, so they
    // are larger there (2 GiB each; on Windows 512 MiB each, committed memory being what it is).
    let snapshot = vec![0u8; SNAPSHOT_BYTES];
    let backup = vec![0u8; SNAPSHOT_BYTES];

    println!("{} opens with {:?}", warehouse.name, warehouse.index);

    let mut total_sold = 0;
    for day in 1..=7 {
        let sold = simulate_day(&mut warehouse, day);
        total_sold += sold; // Set a breakpoint here, then watch: warehouse.items[1].quantity, warehouse.index.len(), snapshot == backup
        println!("day {day}: sold {sold}, stock worth {} cents", warehouse.value_cents());
    }
    let perishable = warehouse.items.iter().filter(|i| i.category == Category::Food { perishable: true }).count();
    let parts: u32 = warehouse.items.iter().map(|i| if let Category::Part(size) = i.category { size } else { 0 }).sum();
    println!(
        "{}: sold {} items in a week; {} perishable, part sizes {}, {} log lines, {} bytes of snapshots",
        warehouse.name,
        total_sold,
        perishable,
        parts,
        warehouse.log.len(),
        snapshot.len() + backup.len()
    );
}
