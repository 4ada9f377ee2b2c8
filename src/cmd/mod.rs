//! Subcommands, one module each.

pub mod analyze;
pub mod rules;
