//! A stand-in for katalonc in the Windows tests: prints the arguments it
//! received (without its own name) as a JSON array, so a test can compare
//! what a shell delivered with what katalon-prep meant.

fn main() {
    let args: Vec<String> = std::env::args_os().skip(1).map(|a| a.to_string_lossy().into_owned()).collect();
    println!("{}", serde_json::to_string(&args).unwrap_or_default());
}
