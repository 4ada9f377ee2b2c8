//! Subcommands, one module each.

pub mod analyze;
pub mod case;
pub mod rules;
