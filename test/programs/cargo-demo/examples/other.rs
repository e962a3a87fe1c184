// A second executable target, so that picking one by "filter" is exercised.
fn main() {
    println!("other");
}
