// Cargo-built test program: the launch test builds it through the "cargo" attribute and stops in main.
fn main() {
    let answer: u32 = 6 * 7;
    let label = String::from("cargo");
    println!("{} {}", label, answer); // BREAK: cargo-main
}
