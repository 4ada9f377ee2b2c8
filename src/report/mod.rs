//! TEMPORARY placeholder while the report module is written.
use std::path::{Path, PathBuf};
pub struct ReportOptions { pub xlsx: bool }
pub fn write_reports(_out: &Path, _r: &[crate::model::Record], _e: &[crate::model::ErrorRow], _s: &crate::model::RunSummary, _o: &ReportOptions) -> crate::error::Result<Vec<PathBuf>> { Ok(vec![]) }
pub fn top_agencies(_r: &[crate::model::Record], _n: usize) -> Vec<(String, usize)> { vec![] }
