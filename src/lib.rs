//! backchannel: find informal inter-agency data requests in government email releases.
//!
//! The pipeline runs one way: [`ingest`] finds files and detects their format, [`parse`]
//! turns each into [`model::Message`]s, [`extract`] finds agencies, redactions, data types
//! and identifiers, [`flag`] decides which messages are informal data requests and why,
//! [`group`] finds copies and conversations, and [`report`] writes the frames.
//! [`pipeline`] drives the stages in parallel; between reading and reporting, each
//! message's record waits in the [`store`] on disk and a brief of it in memory
//! ([`records`]).

pub mod case;
pub mod error;
pub mod extract;
pub mod flag;
pub mod group;
pub mod ingest;
pub mod memo;
pub mod model;
pub mod parse;
pub mod pipeline;
pub mod records;
pub mod report;
pub mod rules;
pub mod store;
pub mod text;
pub mod watchdog;
pub mod workers;
