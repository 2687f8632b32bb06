//! `cargo xtask` of this repository: the polyrelease engine, exactly as an adopting repository
//! uses it.

fn main() -> std::process::ExitCode {
    polyrelease::main()
}
