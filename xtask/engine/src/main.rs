//! The `polyrelease` binary: the same commands as an adopting repository's `cargo xtask`.

fn main() -> std::process::ExitCode {
    polyrelease::main()
}
