//! The xtask library: every command of `cargo xtask`, callable from tests and from `main`.
pub mod apply;
pub mod bundle;
pub mod changelog;
pub mod cli;
pub mod config;
pub mod detect;
pub mod error;
pub mod gates;
pub mod interrupt;
pub mod output;
pub mod plan;
pub mod project;
pub mod release;
pub mod repo;
pub mod report;
pub mod rollback;
pub mod version;
