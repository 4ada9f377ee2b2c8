//! The files a case already holds, given back to the pipeline's workers ([`Kept`]): each
//! file's document row, records (bodies included) and error rows, read from the case
//! database on a read-only connection per worker.

use std::path::PathBuf;
use std::sync::Mutex;

use rusqlite::{Connection, OpenFlags};

use crate::model::{DocumentRow, ErrorRow, Record};
use crate::pipeline::{Kept, KeptFile};

/// Reads kept files for the worker threads, each on a connection of its own (a
/// connection serves one thread at a time); the connections see the case as it was
/// before the update began.
pub(super) struct CaseReader {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
}

impl CaseReader {
    pub(super) fn new(path: PathBuf) -> CaseReader {
        CaseReader {
            path,
            idle: Mutex::new(Vec::new()),
        }
    }

    fn connection(&self) -> Result<Connection, String> {
        let idle = self.idle.lock().ok().and_then(|mut idle| idle.pop());
        match idle {
            Some(conn) => Ok(conn),
            None => {
                let conn =
                    Connection::open_with_flags(&self.path, OpenFlags::SQLITE_OPEN_READ_ONLY)
                        .map_err(|e| format!("cannot open the case database: {e}"))?;
                conn.busy_timeout(std::time::Duration::from_secs(30))
                    .map_err(|e| e.to_string())?;
                Ok(conn)
            }
        }
    }
}

impl Kept for CaseReader {
    fn load(&self, id: i64, source: &str) -> Result<KeptFile, String> {
        let conn = self.connection()?;
        let kept = load_file(&conn, id, source)
            .map_err(|e| format!("cannot take this file's records from the case: {e}"));
        if let Ok(mut idle) = self.idle.lock() {
            idle.push(conn);
        }
        kept
    }
}

/// A stored file's document, records (bodies in) and error rows, named `source`.
fn load_file(conn: &Connection, id: i64, source: &str) -> Result<KeptFile, String> {
    let document: String = conn
        .query_row(
            "SELECT document FROM documents WHERE file_id = ?1",
            [id],
            |r| r.get(0),
        )
        .map_err(|e| e.to_string())?;
    let mut document: DocumentRow = serde_json::from_str(&document).map_err(|e| e.to_string())?;
    document.file = source.to_string();
    let mut stmt = conn
        .prepare_cached(
            "SELECT t.record, t.body FROM messages m JOIN message_texts t ON t.message_id = m.id
             WHERE m.file_id = ?1 ORDER BY m.ordinal",
        )
        .map_err(|e| e.to_string())?;
    let rows = stmt
        .query_map([id], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
        })
        .map_err(|e| e.to_string())?;
    let mut records = Vec::new();
    for row in rows {
        let (record, body) = row.map_err(|e| e.to_string())?;
        let mut record: Record = serde_json::from_str(&record).map_err(|e| e.to_string())?;
        record.message.source = source.to_string();
        record.message.body = body;
        records.push(record);
    }
    let mut stmt = conn
        .prepare_cached("SELECT stage, reason FROM errors WHERE file_id = ?1 ORDER BY rowid")
        .map_err(|e| e.to_string())?;
    let errors = stmt
        .query_map([id], |r| {
            Ok(ErrorRow {
                file: source.to_string(),
                stage: r.get(0)?,
                reason: r.get(1)?,
            })
        })
        .map_err(|e| e.to_string())?
        .collect::<Result<_, _>>()
        .map_err(|e| e.to_string())?;
    Ok(KeptFile {
        document,
        records,
        errors,
    })
}
