//! Cases: productions added one after another to one SQLite database (`case.sqlite` in
//! the case folder). Takes a case folder and a new production's files, and gives the
//! pipeline a [`Plan`] over the whole case (the files it already holds come back from the
//! database through [`Kept`], not read again); then stores what the run read of the new
//! production, the cumulative tables and what the production changed ([`changes`]), all
//! in one transaction, begun before the run reads anything and committed only at its
//! end, so a run stopped part way leaves the case as it was.

pub mod changes;
mod kept;
mod store;

use std::collections::HashSet;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;
use rusqlite::{params, Connection, OpenFlags, OptionalExtension, TransactionBehavior};
use sha2::{Digest, Sha256};

use crate::ingest::SourceFile;
use crate::model::{Change, ErrorRow, Name};
use crate::pipeline::{Plan, PlanFile};

use kept::CaseReader;

pub use store::UpdateFacts;

/// The database's file name inside a case folder.
pub const DATABASE: &str = "case.sqlite";
/// The tables, created with a new case (documented in the README).
pub const SCHEMA: &str = include_str!("schema.sql");
const SCHEMA_VERSION: &str = "1";

/// Why a case cannot be opened or updated.
#[derive(Debug, thiserror::Error)]
pub enum CaseError {
    #[error("case database {path}: {source}")]
    Sqlite {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error("{0}")]
    Refused(String),
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    #[error("case database {path}: a stored row cannot be read back: {reason}")]
    Corrupt { path: PathBuf, reason: String },
}

/// One production of a case, as the `productions` table holds it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Production {
    pub id: i64,
    pub name: String,
    pub added_at: String,
    pub inputs: String,
    pub rules_sha256: String,
    pub files: i64,
    pub files_known: i64,
    pub bytes: i64,
    pub messages: i64,
    pub new_messages: i64,
    pub reproduced: i64,
    pub new_flags: i64,
    pub newly_released: i64,
    pub newly_withheld: i64,
    pub error_rows: i64,
    pub seconds: f64,
}

/// A file of a new production with its content's SHA-256 (or why it could not be read).
#[derive(Debug, Clone)]
pub struct HashedFile {
    pub file: SourceFile,
    pub sha256: Result<String, String>,
}

/// An open case.
pub struct Case {
    path: PathBuf,
    conn: Connection,
}

impl Case {
    /// Opens the case in `dir`, making the folder and an empty case if there is none.
    pub fn open_or_create(dir: &Path) -> Result<Case, CaseError> {
        std::fs::create_dir_all(dir).map_err(|source| CaseError::Write {
            path: dir.to_path_buf(),
            source,
        })?;
        let mut case = Case::open_with(dir, OpenFlags::default())?;
        if !case.has_schema()? {
            if case.table_count()? > 0 {
                return Err(CaseError::Refused(format!(
                    "{} is a database backchannel did not make: give --case another folder",
                    case.path.display()
                )));
            }
            let path = case.path.clone();
            let tx = case.conn.transaction().map_err(|e| sql(&path, e))?;
            tx.execute_batch(SCHEMA).map_err(|e| sql(&path, e))?;
            tx.execute(
                "INSERT INTO meta (key, value) VALUES ('schema_version', ?1), ('state', '0')",
                [SCHEMA_VERSION],
            )
            .map_err(|e| sql(&path, e))?;
            tx.commit().map_err(|e| sql(&path, e))?;
        }
        case.check_version()?;
        Ok(case)
    }

    /// Refuses a case another version of backchannel made with other tables.
    fn check_version(&self) -> Result<(), CaseError> {
        let version: Option<String> = self
            .conn
            .query_row(
                "SELECT value FROM meta WHERE key = 'schema_version'",
                [],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| sql(&self.path, e))?;
        match version.as_deref() {
            Some(SCHEMA_VERSION) => Ok(()),
            other => Err(CaseError::Refused(format!(
                "{} was made with case schema {} and this backchannel reads schema {SCHEMA_VERSION}",
                self.path.display(),
                other.unwrap_or("(none)")
            ))),
        }
    }

    /// Opens an existing case in `dir` to read it. (Not read only: a run killed part way
    /// left a journal that opening it rolls back.)
    pub fn open_existing(dir: &Path) -> Result<Case, CaseError> {
        let path = dir.join(DATABASE);
        if !path.is_file() {
            return Err(CaseError::Refused(format!(
                "{} holds no case ({DATABASE} is missing): add a production with `backchannel analyze INPUT --case {}`",
                dir.display(),
                dir.display()
            )));
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let case = Case::open_with(dir, flags)?;
        match case.has_schema()? {
            true => case.check_version().map(|()| case),
            false => Err(CaseError::Refused(format!(
                "{} is not a backchannel case",
                case.path.display()
            ))),
        }
    }

    fn open_with(dir: &Path, flags: OpenFlags) -> Result<Case, CaseError> {
        let path = dir.join(DATABASE);
        let conn = Connection::open_with_flags(&path, flags).map_err(|e| sql(&path, e))?;
        // Another run updating the case holds it for the whole of its run: waiting a
        // moment covers a reader's, not a writer's.
        conn.busy_timeout(std::time::Duration::from_secs(2))
            .map_err(|e| sql(&path, e))?;
        Ok(Case { path, conn })
    }

    fn table_count(&self) -> Result<i64, CaseError> {
        self.conn
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table'",
                [],
                |row| row.get(0),
            )
            .map_err(|e| sql(&self.path, e))
    }

    fn has_schema(&self) -> Result<bool, CaseError> {
        let tables: i64 = self
            .conn
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'productions'",
                [],
                |row| row.get(0),
            )
            .map_err(|e| sql(&self.path, e))?;
        Ok(tables > 0)
    }

    /// The database's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// How many updates the case has had: reports written at this state are current.
    pub fn state(&self) -> Result<i64, CaseError> {
        let value: String = self
            .conn
            .query_row("SELECT value FROM meta WHERE key = 'state'", [], |row| {
                row.get(0)
            })
            .map_err(|e| sql(&self.path, e))?;
        value.parse().map_err(|_| CaseError::Corrupt {
            path: self.path.clone(),
            reason: format!("meta.state is {value:?}"),
        })
    }

    /// The productions, in the order they were added.
    pub fn productions(&self) -> Result<Vec<Production>, CaseError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT id, name, added_at, inputs, files, files_known, bytes, messages,
                        new_messages, reproduced, new_flags, newly_released, newly_withheld,
                        error_rows, seconds, rules_sha256
                 FROM productions ORDER BY id",
            )
            .map_err(|e| sql(&self.path, e))?;
        let rows = stmt
            .query_map([], |r| {
                Ok(Production {
                    id: r.get(0)?,
                    name: r.get(1)?,
                    added_at: r.get(2)?,
                    inputs: r.get(3)?,
                    files: r.get(4)?,
                    files_known: r.get(5)?,
                    bytes: r.get(6)?,
                    messages: r.get(7)?,
                    new_messages: r.get(8)?,
                    reproduced: r.get(9)?,
                    new_flags: r.get(10)?,
                    newly_released: r.get(11)?,
                    newly_withheld: r.get(12)?,
                    error_rows: r.get(13)?,
                    seconds: r.get(14)?,
                    rules_sha256: r.get(15)?,
                })
            })
            .map_err(|e| sql(&self.path, e))?;
        rows.collect::<Result<_, _>>()
            .map_err(|e| sql(&self.path, e))
    }

    /// Whether production `id` holds exactly these files: the same paths inside its
    /// input (wherever that input is now), with the same contents.
    pub fn holds_same_files(&self, id: i64, files: &[HashedFile]) -> Result<bool, CaseError> {
        let mut stmt = self
            .conn
            .prepare("SELECT relative, sha256 FROM files WHERE production_id = ?1")
            .map_err(|e| sql(&self.path, e))?;
        let stored: HashSet<(String, String)> = stmt
            .query_map([id], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(|e| sql(&self.path, e))?
            .collect::<Result<_, _>>()
            .map_err(|e| sql(&self.path, e))?;
        let given: HashSet<(String, String)> = files
            .iter()
            .map(|f| {
                let hash = f.sha256.clone().unwrap_or_default();
                (f.file.source.clone(), hash)
            })
            .collect();
        Ok(stored == given && files.iter().all(|f| f.sha256.is_ok()))
    }

    /// The changes production `id` made, as stored.
    pub fn changes_of(&self, id: i64) -> Result<Vec<Change>, CaseError> {
        store::changes_of(&self.conn, &self.path, id)
    }

    /// Begins an update adding (or, with `replace`, replacing) the production `name`: the
    /// case is held (no other run can update it) until the update is committed or
    /// dropped, and nothing it writes is seen before the commit.
    pub fn begin(
        &mut self,
        name: &str,
        inputs: &str,
        rules_sha256: &str,
        replace: bool,
    ) -> Result<Update<'_>, CaseError> {
        let path = self.path.clone();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| match e.sqlite_error_code() {
                Some(rusqlite::ErrorCode::DatabaseBusy) => CaseError::Refused(format!(
                    "{} is being updated by another run; try again when it is done",
                    path.display()
                )),
                _ => sql(&path, e),
            })?;
        let existing: Option<i64> = tx
            .query_row("SELECT id FROM productions WHERE name = ?1", [name], |r| {
                r.get(0)
            })
            .optional()
            .map_err(|e| sql(&path, e))?;
        let now = utc_now();
        let id = match (existing, replace) {
            (Some(_), false) => {
                return Err(CaseError::Refused(format!(
                    "the case already holds a production named {name:?} with other files: \
                     give this one another name (--production NAME), or --replace to replace it"
                )))
            }
            (Some(id), true) => {
                // Its rules change at the commit: until then its files are what they
                // were read with, and are not taken again under other rules.
                tx.execute(
                    "UPDATE productions SET added_at = ?2, inputs = ?3 WHERE id = ?1",
                    params![id, now, inputs],
                )
                .map_err(|e| sql(&path, e))?;
                id
            }
            (None, _) => {
                tx.execute(
                    "INSERT INTO productions (name, added_at, inputs, rules_sha256)
                     VALUES (?1, ?2, ?3, ?4)",
                    params![name, now, inputs, rules_sha256],
                )
                .map_err(|e| sql(&path, e))?;
                tx.last_insert_rowid()
            }
        };
        Ok(Update {
            path,
            tx,
            production: id,
            name: name.to_string(),
            rules_sha256: rules_sha256.to_string(),
        })
    }
}

/// An update being made: dropped without [`Update::commit`], it leaves the case as it was.
pub struct Update<'c> {
    path: PathBuf,
    tx: rusqlite::Transaction<'c>,
    production: i64,
    name: String,
    rules_sha256: String,
}

impl Update<'_> {
    /// The plan of a run over the whole case with `files` as this production's: the
    /// other productions' files, and this one's files the case already holds (same
    /// content), come from the case; the rest are read. A name another production
    /// already uses gets this production's name in front.
    pub fn plan(
        &self,
        files: &[HashedFile],
        walk_errors: &[ErrorRow],
    ) -> Result<(Plan, Vec<NewFile>), CaseError> {
        let path = &self.path;
        let productions = production_names(&self.tx, path)?;
        let mut plan = reading_from(path);
        let mut new_files = Vec::new();
        for (index, (id, name)) in (0u32..).zip(&productions) {
            plan.productions.push(Name::from(name.as_str()));
            if *id != self.production {
                plan_stored_production(&mut plan, &self.tx, path, index, *id)?;
                continue;
            }
            plan.walk_errors.extend(walk_errors.iter().cloned());
            for hashed in files {
                let new = self.new_file(hashed)?;
                let planned = match new.kept_from {
                    Some(id) => PlanFile::Kept {
                        id,
                        source: new.file.source.clone(),
                        size: new.file.size,
                    },
                    None => PlanFile::Read(new.file.clone()),
                };
                plan.files.push((index, planned));
                new_files.push(new);
            }
        }
        Ok((plan, new_files))
    }

    /// How a file of this production enters the case.
    fn new_file(&self, hashed: &HashedFile) -> Result<NewFile, CaseError> {
        let path = &self.path;
        // Only what was read with these rules is taken again. A file of another
        // production is preferred: one of the production being replaced is read back
        // before it is removed, but no longer named after.
        let earlier: Option<(i64, i64)> = match &hashed.sha256 {
            Ok(sha) => self
                .tx
                .query_row(
                    "SELECT files.id, files.production_id FROM files
                     JOIN documents ON documents.file_id = files.id
                     JOIN productions ON productions.id = files.production_id
                     WHERE sha256 = ?1 AND productions.rules_sha256 = ?3
                     ORDER BY files.production_id = ?2, files.id LIMIT 1",
                    params![sha, self.production, self.rules_sha256],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()
                .map_err(|e| sql(path, e))?,
            Err(_) => None,
        };
        let taken: bool = self
            .tx
            .query_row(
                "SELECT count(*) > 0 FROM files WHERE source = ?1 AND production_id != ?2",
                params![hashed.file.source, self.production],
                |r| r.get(0),
            )
            .map_err(|e| sql(path, e))?;
        let mut file = hashed.file.clone();
        let relative = file.source.clone();
        if taken {
            file.source = format!("{}/{}", self.name, file.source);
        }
        Ok(NewFile {
            file,
            relative,
            sha256: hashed.sha256.clone().unwrap_or_default(),
            kept_from: earlier.map(|(id, _)| id),
            same_as: earlier
                .filter(|(_, production)| *production != self.production)
                .map(|(id, _)| id),
        })
    }

    /// Stores what the run gave and commits: the case now holds the production.
    pub fn commit(self, facts: &UpdateFacts<'_>) -> Result<(), CaseError> {
        store::write(&self.tx, &self.path, self.production, facts)?;
        self.tx
            .execute(
                "UPDATE productions SET rules_sha256 = ?2 WHERE id = ?1",
                params![self.production, self.rules_sha256],
            )
            .map_err(|e| sql(&self.path, e))?;
        self.tx.commit().map_err(|e| sql(&self.path, e))
    }
}

/// A file of the production being added, as the case will list it.
#[derive(Debug, Clone)]
pub struct NewFile {
    pub file: SourceFile,
    /// Its path inside the production's input (its reported name may have the
    /// production's name in front).
    pub relative: String,
    pub sha256: String,
    /// The file the case already holds with the same content, whose records it takes.
    pub kept_from: Option<i64>,
    /// That file, where another production holds it (as `files.same_as` names it).
    pub same_as: Option<i64>,
}

/// The plan of a run over every production as stored (to write a case's reports again).
pub fn plan_stored(case: &Case) -> Result<Plan, CaseError> {
    let path = &case.path;
    let mut plan = reading_from(path);
    for (index, (id, name)) in (0u32..).zip(production_names(&case.conn, path)?) {
        plan.productions.push(Name::from(name));
        plan_stored_production(&mut plan, &case.conn, path, index, id)?;
    }
    Ok(plan)
}

/// An empty plan whose kept files come from the case database at `path`.
fn reading_from(path: &Path) -> Plan {
    Plan {
        kept: Some(Arc::new(CaseReader::new(path.to_path_buf()))),
        ..Plan::default()
    }
}

/// Adds a stored production's files (taken from the case) and walk errors to `plan`, as
/// production `index`.
fn plan_stored_production(
    plan: &mut Plan,
    conn: &Connection,
    path: &Path,
    index: u32,
    production: i64,
) -> Result<(), CaseError> {
    plan.walk_errors
        .extend(walk_errors_of(conn, path, production)?);
    for (id, source, size) in kept_files(conn, path, production)? {
        plan.files
            .push((index, PlanFile::Kept { id, source, size }));
    }
    Ok(())
}

fn production_names(conn: &Connection, path: &Path) -> Result<Vec<(i64, String)>, CaseError> {
    let mut stmt = conn
        .prepare("SELECT id, name FROM productions ORDER BY id")
        .map_err(|e| sql(path, e))?;
    let rows = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .map_err(|e| sql(path, e))?;
    rows.collect::<Result<_, _>>().map_err(|e| sql(path, e))
}

/// A production's error rows for paths that could not be walked (no file of its own).
fn walk_errors_of(
    conn: &Connection,
    path: &Path,
    production: i64,
) -> Result<Vec<ErrorRow>, CaseError> {
    let mut stmt = conn
        .prepare(
            "SELECT file, stage, reason FROM errors
             WHERE production_id = ?1 AND file_id IS NULL ORDER BY rowid",
        )
        .map_err(|e| sql(path, e))?;
    let rows = stmt
        .query_map([production], |r| {
            Ok(ErrorRow {
                file: r.get(0)?,
                stage: r.get(1)?,
                reason: r.get(2)?,
            })
        })
        .map_err(|e| sql(path, e))?;
    rows.collect::<Result<_, _>>().map_err(|e| sql(path, e))
}

/// A production's files: id, name and size, in the order they were read.
fn kept_files(
    conn: &Connection,
    path: &Path,
    production: i64,
) -> Result<Vec<(i64, String, u64)>, CaseError> {
    let mut stmt = conn
        .prepare("SELECT id, source, size FROM files WHERE production_id = ?1 ORDER BY id")
        .map_err(|e| sql(path, e))?;
    let rows = stmt
        .query_map([production], |r| {
            let size: i64 = r.get(2)?;
            Ok((r.get(0)?, r.get(1)?, u64::try_from(size).unwrap_or(0)))
        })
        .map_err(|e| sql(path, e))?;
    rows.collect::<Result<_, _>>().map_err(|e| sql(path, e))
}

/// Each file's SHA-256, read in parallel 64 KB at a time.
pub fn hash_files(files: Vec<SourceFile>) -> Vec<HashedFile> {
    files
        .into_par_iter()
        // One buffer per worker, not one per file: most files are a few kilobytes.
        .map_init(
            || vec![0u8; 1 << 16],
            |buffer, file| {
                let sha256 = sha256_of(&file.path, buffer).map_err(|e| e.to_string());
                HashedFile { file, sha256 }
            },
        )
        .collect()
}

/// The SHA-256 of `bytes`, in hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn hex(digest: &[u8]) -> String {
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

fn sha256_of(path: &Path, buffer: &mut [u8]) -> std::io::Result<String> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    loop {
        let n = file.read(buffer)?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
    }
    Ok(hex(&hasher.finalize()))
}

fn sql(path: &Path, source: rusqlite::Error) -> CaseError {
    CaseError::Sqlite {
        path: path.to_path_buf(),
        source,
    }
}

/// Now, in UTC, to the second (`2026-11-27T07:30:00Z`).
fn utc_now() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    chrono::DateTime::from_timestamp(i64::try_from(secs).unwrap_or(0), 0)
        .map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_default()
}
