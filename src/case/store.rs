//! Writing an update into the case database: the new production's files, documents,
//! messages (each with its record as JSON and its body), flags, redacted spans, error rows
//! and changes; the grouping of every earlier message as the run regrouped it; and the
//! tables over the whole case (agencies, threads), rewritten.

use std::collections::HashMap;
use std::path::Path;

use rusqlite::{params, Connection, Transaction};

use super::{sql, CaseError, NewFile};
use crate::model::{Change, Record};
use crate::pipeline::RunOutput;
use crate::report::{agency_name, EVIDENCE_JOIN, JOIN};

/// What an update stores.
pub struct UpdateFacts<'a> {
    /// The run over the whole case.
    pub output: &'a RunOutput,
    /// The production's index among the run's productions.
    pub production_index: u32,
    /// The production's files, in the order they were read.
    pub files: &'a [NewFile],
    pub changes: &'a [Change],
    /// The production's paths that could not be walked.
    pub walk_errors: &'a [crate::model::ErrorRow],
    /// The run's wall time so far.
    pub seconds: f64,
}

/// Records taken back from the run's store at a time.
const CHUNK: usize = 2_000;

pub(super) fn write(
    tx: &Transaction<'_>,
    path: &Path,
    production: i64,
    facts: &UpdateFacts<'_>,
) -> Result<(), CaseError> {
    let e = |err| sql(path, err);
    remove_production(tx, production).map_err(e)?;
    let file_ids = insert_files(tx, production, facts.files).map_err(e)?;
    insert_documents(tx, path, production, facts, &file_ids)?;
    insert_messages(tx, path, production, facts, &file_ids)?;
    insert_errors(tx, production, facts, &file_ids).map_err(e)?;
    regroup_earlier(tx, production, facts).map_err(e)?;
    rewrite_case_tables(tx, facts).map_err(e)?;
    insert_changes(tx, production, facts.changes).map_err(e)?;
    update_production(tx, production, facts).map_err(e)?;
    tx.execute(
        "UPDATE meta SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) WHERE key = 'state'",
        [],
    )
    .map_err(e)?;
    Ok(())
}

/// What a production replaced with `--replace` held.
fn remove_production(tx: &Transaction<'_>, production: i64) -> rusqlite::Result<()> {
    tx.execute(
        "DELETE FROM message_texts
         WHERE message_id IN (SELECT id FROM messages WHERE production_id = ?1)",
        [production],
    )?;
    for table in [
        "changes",
        "flags",
        "redactions",
        "errors",
        "messages",
        "documents",
        "files",
    ] {
        tx.execute(
            &format!("DELETE FROM {table} WHERE production_id = ?1"),
            [production],
        )?;
    }
    Ok(())
}

/// The production's files; gives each reported name's file id.
fn insert_files(
    tx: &Transaction<'_>,
    production: i64,
    files: &[NewFile],
) -> rusqlite::Result<HashMap<String, i64>> {
    let mut stmt = tx.prepare(
        "INSERT INTO files (production_id, source, relative, path, sha256, size, same_as)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    let mut ids = HashMap::with_capacity(files.len());
    for f in files {
        // Where it was read from, whatever folder the run was started in.
        let path = std::fs::canonicalize(&f.file.path).unwrap_or_else(|_| f.file.path.clone());
        stmt.execute(params![
            production,
            f.file.source,
            f.relative,
            path.display().to_string(),
            f.sha256,
            i64::try_from(f.file.size).unwrap_or(i64::MAX),
            f.same_as,
        ])?;
        ids.insert(f.file.source.clone(), tx.last_insert_rowid());
    }
    Ok(ids)
}

fn insert_documents(
    tx: &Transaction<'_>,
    path: &Path,
    production: i64,
    facts: &UpdateFacts<'_>,
    file_ids: &HashMap<String, i64>,
) -> Result<(), CaseError> {
    let mut stmt = tx
        .prepare(
            "INSERT INTO documents (file_id, production_id, source, format, pages, content,
                 messages, redactions, exemptions, release_stamps, pages_needing_ocr, error,
                 document)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
        )
        .map_err(|e| sql(path, e))?;
    for d in &facts.output.documents {
        let Some(file_id) = file_ids.get(&d.file) else {
            continue;
        };
        let json = serde_json::to_value(d).and_then(|mut value| {
            // The loose redactions are left out of documents.csv, not out of the case.
            value["loose_redactions"] = serde_json::to_value(&d.loose_redactions)?;
            serde_json::to_string(&value)
        });
        let json = json.map_err(|err| CaseError::Corrupt {
            path: path.to_path_buf(),
            reason: err.to_string(),
        })?;
        stmt.execute(params![
            file_id,
            production,
            d.file,
            d.format,
            d.pages,
            d.content,
            d.messages,
            d.redactions,
            d.exemptions.join(JOIN),
            d.release_stamps.join(JOIN),
            d.pages_needing_ocr,
            d.error,
            json,
        ])
        .map_err(|e| sql(path, e))?;
    }
    Ok(())
}

fn insert_messages(
    tx: &Transaction<'_>,
    path: &Path,
    production: i64,
    facts: &UpdateFacts<'_>,
    file_ids: &HashMap<String, i64>,
) -> Result<(), CaseError> {
    let records = &facts.output.records;
    let Some(case) = &records.case else {
        return Ok(());
    };
    let ours: Vec<usize> = (0..records.len())
        .filter(|&i| case.of_record.get(i) == Some(&facts.production_index))
        .collect();
    let mut inserts = MessageInserts::prepare(tx).map_err(|e| sql(path, e))?;
    let (sender, chunks) = std::sync::mpsc::sync_channel(1);
    std::thread::scope(|scope| -> Result<(), CaseError> {
        // The records come back from the run's store and are encoded on the other
        // threads, a chunk ahead of the inserts (which only this connection can make).
        scope.spawn(move || {
            for chunk in ours.chunks(CHUNK) {
                if sender.send(encoded_chunk(records, chunk)).is_err() {
                    break;
                }
            }
        });
        for chunk in chunks {
            for (record, body, json) in chunk? {
                let json = json.map_err(|err| CaseError::Corrupt {
                    path: path.to_path_buf(),
                    reason: err.to_string(),
                })?;
                // A message stored under no file could never be taken back: the update
                // fails rather than keep it.
                let file_id =
                    *file_ids
                        .get(&record.message.source)
                        .ok_or_else(|| CaseError::Corrupt {
                            path: path.to_path_buf(),
                            reason: format!(
                                "{} names no file of the production",
                                record.message.key()
                            ),
                        })?;
                (inserts.insert(tx, production, file_id, &record, &json, &body))
                    .map_err(|e| sql(path, e))?;
            }
        }
        Ok(())
    })
}

/// The statements that store one message: its row, its text, its flag and its spans.
struct MessageInserts<'t> {
    message: rusqlite::Statement<'t>,
    text: rusqlite::Statement<'t>,
    flag: rusqlite::Statement<'t>,
    span: rusqlite::Statement<'t>,
}

impl<'t> MessageInserts<'t> {
    fn prepare(tx: &'t Transaction<'_>) -> rusqlite::Result<MessageInserts<'t>> {
        Ok(MessageInserts {
            message: tx.prepare(
                "INSERT INTO messages (production_id, file_id, key, message_key, first_seen,
                     source, ordinal, origin, date, \"from\", \"to\", cc, subject, page, bates,
                     thread_id, duplicate_of, sender_agency, exemptions, flagged, score)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,
                     ?17, ?18, ?19, ?20, ?21)",
            )?,
            text: tx.prepare(
                "INSERT INTO message_texts (message_id, record, body) VALUES (?1, ?2, ?3)",
            )?,
            flag: tx.prepare(
                "INSERT INTO flags (message_id, production_id, message_key, score, requester,
                     holder, data_types, identifiers, reasons, evidence)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )?,
            span: tx.prepare(
                "INSERT INTO redactions (message_id, production_id, span, exemptions)
                 VALUES (?1, ?2, ?3, ?4)",
            )?,
        })
    }

    /// Stores one record (grouped), its text and its message and findings as JSON.
    fn insert(
        &mut self,
        tx: &Transaction<'_>,
        production: i64,
        file_id: i64,
        record: &Record,
        json: &str,
        body: &str,
    ) -> rusqlite::Result<()> {
        let m = &record.message;
        let g = &record.group;
        let f = &record.findings;
        self.message.execute(params![
            production,
            file_id,
            m.key(),
            g.message_key,
            g.first_seen,
            m.source,
            m.ordinal,
            m.origin.map_or("", |o| o.as_str()),
            m.date.local,
            m.from,
            m.to.join(JOIN),
            m.cc.join(JOIN),
            m.subject,
            m.page,
            m.bates,
            g.thread_id,
            g.duplicate_of,
            agency_name(&f.sender_agency),
            f.exemptions.join(JOIN),
            f.flag.flagged,
            f.flag.score,
        ])?;
        let id = tx.last_insert_rowid();
        self.text.execute(params![id, json, body])?;
        if f.flag.flagged {
            self.flag.execute(params![
                id,
                production,
                g.message_key,
                f.flag.score,
                agency_name(&f.flag.requester),
                agency_name(&f.flag.holder),
                f.data_types.join(JOIN),
                f.identifiers.join(JOIN),
                f.flag.reasons.join(JOIN),
                f.flag.evidence.join(EVIDENCE_JOIN),
            ])?;
        }
        for r in &f.redactions {
            (self.span).execute(params![id, production, r.text, r.codes.join(JOIN)])?;
        }
        Ok(())
    }
}

/// A chunk of records as stored: each record (grouped), its body, and its message and
/// findings as JSON.
type EncodedChunk = Vec<(Record, String, serde_json::Result<String>)>;

fn encoded_chunk(
    records: &crate::records::Records,
    chunk: &[usize],
) -> Result<EncodedChunk, CaseError> {
    use rayon::prelude::*;
    let full = records.get(chunk)?;
    let places: Vec<_> = chunk.iter().map(|&i| records.briefs[i].body).collect();
    let bodies = records.store.get_texts(&places)?;
    Ok(full
        .into_par_iter()
        .zip(bodies)
        .map(|(record, body)| {
            let json = serde_json::to_string(&StoredRecord {
                message: &record.message,
                findings: &record.findings,
            });
            (record, body, json)
        })
        .collect())
}

/// What `messages.record` holds: the record without its grouping (each run groups the
/// case afresh) and without its body (in `messages.body`).
#[derive(serde::Serialize)]
struct StoredRecord<'a> {
    message: &'a crate::model::Message,
    findings: &'a crate::model::Findings,
}

/// The production's error rows: its files' and its paths that could not be walked.
fn insert_errors(
    tx: &Transaction<'_>,
    production: i64,
    facts: &UpdateFacts<'_>,
    file_ids: &HashMap<String, i64>,
) -> rusqlite::Result<()> {
    let mut stmt = tx.prepare(
        "INSERT INTO errors (production_id, file_id, file, stage, reason)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    let of_files = (facts.output.errors.iter()).filter(|e| file_ids.contains_key(&e.file));
    for e in of_files.chain(facts.walk_errors) {
        stmt.execute(params![
            production,
            file_ids.get(&e.file),
            e.file,
            e.stage,
            e.reason
        ])?;
    }
    Ok(())
}

/// Every earlier message's place as this run grouped the whole case, where it moved.
fn regroup_earlier(
    tx: &Transaction<'_>,
    production: i64,
    facts: &UpdateFacts<'_>,
) -> rusqlite::Result<()> {
    let records = &facts.output.records;
    let Some(case) = &records.case else {
        return Ok(());
    };
    let ids: HashMap<String, i64> = {
        let mut stmt = tx.prepare("SELECT name, id FROM productions")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    // Where each stored message stands now: read whole (the rows are short), so that
    // only the places that changed are written.
    type Place = (String, String, String, String);
    let mut stored: HashMap<(i64, String, u32), (i64, Place)> = HashMap::new();
    {
        let mut stmt = tx.prepare(
            "SELECT id, production_id, source, ordinal, thread_id, duplicate_of, first_seen,
                 message_key FROM messages WHERE production_id != ?1",
        )?;
        let rows = stmt.query_map([production], |r| {
            Ok((
                (r.get(1)?, r.get(2)?, r.get(3)?),
                (r.get(0)?, (r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?)),
            ))
        })?;
        for row in rows {
            let (key, value) = row?;
            stored.insert(key, value);
        }
    }
    let mut stmt = tx.prepare(
        "UPDATE messages SET thread_id = ?2, duplicate_of = ?3, first_seen = ?4,
             message_key = ?5
         WHERE id = ?1",
    )?;
    for (i, brief) in records.briefs.iter().enumerate() {
        if case.of_record.get(i) == Some(&facts.production_index) {
            continue;
        }
        let Some(&production) = ids.get(case.production(i)) else {
            continue;
        };
        let key = (production, brief.source.to_string(), brief.ordinal);
        let Some((id, place)) = stored.get(&key) else {
            continue;
        };
        let first = brief.place.first as usize;
        let group = brief.grouping(i, &records.briefs);
        let now: Place = (
            group.thread_id,
            group.duplicate_of,
            case.production(first).to_string(),
            case.message_key(first),
        );
        if *place != now {
            stmt.execute(params![id, now.0, now.1, now.2, now.3])?;
        }
    }
    Ok(())
}

/// The agencies and threads of the whole case.
fn rewrite_case_tables(tx: &Transaction<'_>, facts: &UpdateFacts<'_>) -> rusqlite::Result<()> {
    tx.execute("DELETE FROM agencies", [])?;
    tx.execute("DELETE FROM threads", [])?;
    let mut stmt = tx.prepare(
        "INSERT INTO agencies (agency, kind, messages, as_sender, flags_as_requester,
             flags_as_holder) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for row in crate::report::agency_rows(&facts.output.records.briefs) {
        stmt.execute(params![
            row.agency,
            row.kind,
            row.messages,
            row.as_sender,
            row.flags_as_requester,
            row.flags_as_holder
        ])?;
    }
    let mut stmt = tx.prepare(
        "INSERT INTO threads (thread_id, subject, first_date, last_date, messages, occurrences,
             participants, agencies, flagged, sources)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?;
    for t in &facts.output.threads {
        stmt.execute(params![
            t.thread_id,
            t.subject,
            t.first_date,
            t.last_date,
            t.messages,
            t.occurrences,
            t.participants.join(JOIN),
            t.agencies.join(JOIN),
            t.flagged,
            t.sources.join(JOIN),
        ])?;
    }
    Ok(())
}

fn insert_changes(
    tx: &Transaction<'_>,
    production: i64,
    changes: &[Change],
) -> rusqlite::Result<()> {
    let mut stmt = tx.prepare(
        "INSERT INTO changes (production_id, production, change, message_key, key, page, bates,
             date, \"from\", subject, earlier_production, earlier_key, field, text, exemptions,
             context)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
    )?;
    for c in changes {
        stmt.execute(params![
            production,
            c.production,
            c.change,
            c.message_key,
            c.key,
            c.page,
            c.bates,
            c.date,
            c.from,
            c.subject,
            c.earlier_production,
            c.earlier_key,
            c.field,
            c.text,
            c.exemptions,
            c.context,
        ])?;
    }
    Ok(())
}

/// The production's counts.
fn update_production(
    tx: &Transaction<'_>,
    production: i64,
    facts: &UpdateFacts<'_>,
) -> rusqlite::Result<()> {
    let counts = super::changes::ChangeCounts::of(facts.changes);
    let count = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
    let files = facts.files.len() as i64;
    let known = facts.files.iter().filter(|f| f.kept_from.is_some()).count() as i64;
    let bytes: u64 = facts.files.iter().map(|f| f.file.size).sum();
    tx.execute(
        "UPDATE productions SET files = ?2, files_known = ?3, bytes = ?4,
             messages = (SELECT count(*) FROM messages WHERE production_id = ?1),
             new_messages = ?5, reproduced = ?6, new_flags = ?7, newly_released = ?8,
             newly_withheld = ?9,
             error_rows = (SELECT count(*) FROM errors WHERE production_id = ?1),
             seconds = ?10
         WHERE id = ?1",
        params![
            production,
            files,
            known,
            i64::try_from(bytes).unwrap_or(i64::MAX),
            count(counts.new_messages),
            count(counts.reproduced),
            count(counts.new_flags),
            count(counts.newly_released),
            count(counts.newly_withheld),
            (facts.seconds * 100.0).round() / 100.0,
        ],
    )?;
    Ok(())
}

/// The changes a production made, as stored.
pub(super) fn changes_of(
    conn: &Connection,
    path: &Path,
    production: i64,
) -> Result<Vec<Change>, CaseError> {
    let mut stmt = conn
        .prepare(
            "SELECT production, change, message_key, key, page, bates, date, \"from\", subject,
                 earlier_production, earlier_key, field, text, exemptions, context
             FROM changes WHERE production_id = ?1 ORDER BY rowid",
        )
        .map_err(|e| sql(path, e))?;
    let rows = stmt
        .query_map([production], |r| {
            Ok(Change {
                production: r.get(0)?,
                change: r.get(1)?,
                message_key: r.get(2)?,
                key: r.get(3)?,
                page: r.get(4)?,
                bates: r.get(5)?,
                date: r.get(6)?,
                from: r.get(7)?,
                subject: r.get(8)?,
                earlier_production: r.get(9)?,
                earlier_key: r.get(10)?,
                field: r.get(11)?,
                text: r.get(12)?,
                exemptions: r.get(13)?,
                context: r.get(14)?,
            })
        })
        .map_err(|e| sql(path, e))?;
    rows.collect::<Result<_, _>>().map_err(|e| sql(path, e))
}
