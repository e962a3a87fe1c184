// Does not compile on purpose: the build-failure test expects rustc's message in the Debug Console.
fn main() {
    let count: u32 = "not a number";
    println!("{}", count);
}
