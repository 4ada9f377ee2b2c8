//! Record store: takes each file's full [`Record`]s and their bodies as the read stage
//! finishes with them and keeps them out of memory, in an unnamed temporary file (in the
//! output folder by default) that disappears when the run ends, each record in bincode's
//! compact encoding and each body as written; gives them back by place, in any order and a chunk at a
//! time, for the redaction-difference and report stages. A run then holds a small [`crate::group::Brief`] per message, whatever its
//! production's size, instead of every message's findings.
//!
//! Writers on the worker threads serialise outside the lock and only append under it;
//! readers read their bytes under it and parse them in parallel.

use std::fs::File;
use std::io::{Cursor, Read, Seek, SeekFrom, Write};
use std::path::Path;
use std::sync::Mutex;

use rayon::prelude::*;

use crate::model::Record;

/// How records are encoded: bincode's standard configuration (variable-length integers).
const ENCODING: bincode::config::Configuration = bincode::config::standard();

/// Bytes read in one go: the records of adjacent places, with each one's length.
type Run = (Vec<u8>, Vec<usize>);

/// Where one record lies in the store.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stored {
    offset: u64,
    len: u32,
}

/// Why the store could not keep or give back records.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot keep records in the temporary store: {0}")]
    Io(#[from] std::io::Error),
    #[error("cannot encode a record for the store: {0}")]
    Encode(#[from] bincode::error::EncodeError),
    #[error("cannot decode a stored record: {0}")]
    Decode(#[from] bincode::error::DecodeError),
    #[error("a record is too large to store ({0} bytes)")]
    TooLarge(usize),
}

/// The store's bytes: a temporary file, or memory for small runs and tests.
trait Backing: Read + Write + Seek + Send {}
impl<T: Read + Write + Seek + Send> Backing for T {}

struct Inner {
    bytes: Box<dyn Backing>,
    /// Bytes written so far: where the next record goes.
    end: u64,
}

/// Full records kept outside the run's memory.
pub struct RecordStore {
    inner: Mutex<Inner>,
}

impl std::fmt::Debug for RecordStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecordStore").finish_non_exhaustive()
    }
}

impl Default for RecordStore {
    fn default() -> Self {
        RecordStore::in_memory()
    }
}

impl RecordStore {
    /// A store in an unnamed temporary file in `dir`, removed by the system when the
    /// run ends, however it ends.
    pub fn on_disk(dir: &Path) -> Result<RecordStore, StoreError> {
        std::fs::create_dir_all(dir)?;
        let file: File = tempfile::tempfile_in(dir)?;
        Ok(RecordStore::with(Box::new(file)))
    }

    /// A store in memory.
    pub fn in_memory() -> RecordStore {
        RecordStore::with(Box::new(Cursor::new(Vec::new())))
    }

    fn with(bytes: Box<dyn Backing>) -> RecordStore {
        RecordStore {
            inner: Mutex::new(Inner { bytes, end: 0 }),
        }
    }

    /// Appends `records` and their `bodies`; gives where each record and each body
    /// lies, in order.
    pub fn put(
        &self,
        records: &[Record],
        bodies: &[String],
    ) -> Result<(Vec<Stored>, Vec<Stored>), StoreError> {
        let mut block = Vec::new();
        let mut lens = Vec::with_capacity(records.len() + bodies.len());
        let mut add = |block: &mut Vec<u8>, before: usize| {
            let len = block.len() - before;
            u32::try_from(len)
                .map(|len| lens.push(len))
                .map_err(|_| StoreError::TooLarge(len))
        };
        for record in records {
            let before = block.len();
            bincode::serde::encode_into_std_write(record, &mut block, ENCODING)?;
            add(&mut block, before)?;
        }
        for body in bodies {
            let before = block.len();
            block.extend_from_slice(body.as_bytes());
            add(&mut block, before)?;
        }
        let mut inner = self.lock();
        let start = inner.end;
        let at = inner.bytes.seek(SeekFrom::Start(start))?;
        inner.bytes.write_all(&block)?;
        inner.end = at + block.len() as u64;
        drop(inner);
        let mut offset = start;
        let mut places: Vec<Stored> = lens
            .into_iter()
            .map(|len| {
                let place = Stored { offset, len };
                offset += u64::from(len);
                place
            })
            .collect();
        let bodies = places.split_off(records.len());
        Ok((places, bodies))
    }

    /// The texts (bodies) at `places`, in the order given.
    pub fn get_texts(&self, places: &[Stored]) -> Result<Vec<String>, StoreError> {
        let runs = self.read(places)?;
        let mut texts = Vec::with_capacity(places.len());
        for (bytes, lens) in runs {
            let mut at = 0;
            for len in lens {
                let text = std::str::from_utf8(&bytes[at..at + len]).map_err(|e| {
                    StoreError::Io(std::io::Error::new(std::io::ErrorKind::InvalidData, e))
                })?;
                texts.push(text.to_string());
                at += len;
            }
        }
        Ok(texts)
    }

    /// The records at `places`, in the order given. Neighbouring places are read in one
    /// go; the records are parsed in parallel.
    pub fn get(&self, places: &[Stored]) -> Result<Vec<Record>, StoreError> {
        let runs = self.read(places)?;
        let texts: Vec<&[u8]> = runs
            .iter()
            .flat_map(|(bytes, lens)| {
                lens.iter().scan(0usize, move |at, &len| {
                    let text = &bytes[*at..*at + len];
                    *at += len;
                    Some(text)
                })
            })
            .collect();
        texts
            .par_iter()
            .map(|text| {
                bincode::serde::decode_from_slice(text, ENCODING)
                    .map(|(record, _)| record)
                    .map_err(StoreError::from)
            })
            .collect()
    }

    /// The bytes of `places`, read in runs of adjacent places: each run's bytes with the
    /// length of each of its records.
    fn read(&self, places: &[Stored]) -> Result<Vec<Run>, StoreError> {
        let mut inner = self.lock();
        inner.bytes.flush()?;
        let mut runs = Vec::new();
        let mut i = 0;
        while i < places.len() {
            let mut j = i + 1;
            while j < places.len() && places[j].offset == places[j - 1].end() {
                j += 1;
            }
            let lens: Vec<usize> = places[i..j].iter().map(|p| p.len as usize).collect();
            let mut bytes = vec![0u8; lens.iter().sum()];
            inner.bytes.seek(SeekFrom::Start(places[i].offset))?;
            inner.bytes.read_exact(&mut bytes)?;
            runs.push((bytes, lens));
            i = j;
        }
        Ok(runs)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A writer that panicked mid-append left at most a partial block past `end`,
        // which the next append overwrites: the store stays usable.
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Stored {
    fn end(&self) -> u64 {
        self.offset + u64::from(self.len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Agency, Message, Redaction};

    fn record(n: u32, subject: &str) -> Record {
        let mut r = Record {
            message: Message {
                source: "a/b.eml".into(),
                ordinal: n,
                subject: subject.into(),
                ..Message::default()
            },
            findings: Default::default(),
            group: Default::default(),
        };
        r.findings.agencies.push(Agency {
            name: "Fresno Police Department".into(),
            kind: "police".into(),
        });
        r.findings.redactions.push(Redaction {
            text: "(b)(6)".into(),
            codes: vec!["(b)(6)".into()],
        });
        r.findings.flag.score = 0.1 + 0.2;
        r
    }

    fn round_trips(store: RecordStore) {
        let first = [
            record(1, "Plate \"lookup\"\nnext line"),
            record(2, "ünïcode ✓"),
        ];
        let second = [record(3, "")];
        let bodies = ["Det. (b)(6), can you run it?".to_string(), String::new()];
        let (a, texts) = store.put(&first, &bodies).unwrap();
        let (b, none) = store.put(&second, &[]).unwrap();
        assert!(none.is_empty());
        assert_eq!(
            store.get_texts(&[texts[1], texts[0]]).unwrap(),
            ["", &bodies[0]]
        );
        let back = store.get(&[b[0], a[1], a[0]]).unwrap();
        let subjects: Vec<&str> = back.iter().map(|r| r.message.subject.as_str()).collect();
        assert_eq!(subjects, ["", "ünïcode ✓", "Plate \"lookup\"\nnext line"]);
        assert_eq!(
            back[2].findings.agencies[0].name,
            "Fresno Police Department"
        );
        assert_eq!(back[2].findings.redactions[0].codes, ["(b)(6)"]);
        // Scores come back to the last bit: reports round them.
        assert_eq!(
            back[0].findings.flag.score.to_bits(),
            (0.1f64 + 0.2).to_bits()
        );
        assert!(store.get(&[]).unwrap().is_empty());
    }

    #[test]
    fn records_come_back_whole_in_the_order_asked_from_memory_and_disk() {
        round_trips(RecordStore::in_memory());
        let dir = tempfile::tempdir().unwrap();
        round_trips(RecordStore::on_disk(dir.path()).unwrap());
        // The file has no name: nothing is left in the folder.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}
