//! What the thread/dedupe stage keeps of a message's text once the pipeline lets go of
//! it: a [`Signature`] of fixed size (an exact fingerprint, a hash of the normalised body
//! and a one-permutation MinHash of its character shingles), so that finding copies never
//! needs the production in memory.
//!
//! Normalising is what lets the printed copy of a message meet its `.eml` copy: redaction
//! marks are taken out (two copies redacted differently are still one text), case,
//! spacing, punctuation and line wrapping are dropped, and the OCR confusions that survive
//! everything else are folded (`rn`→`m`, `0`→`o`, `1`/`i`/`|`→`l`, `5`→`s`, `vv`→`w`).

use crate::extract::redactions::located_redactions;
use crate::model::Message;

/// MinHash bins; the similarity estimate's standard error is about 0.06 at 0.5.
pub const BINS: usize = 64;
/// Characters per shingle: short enough that one OCR error spoils few shingles, long
/// enough that shingles say something about the text.
const SHINGLE: usize = 5;

/// A message's text, reduced to what copy detection compares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    /// Sender, time to the minute and normalised body (for an undated message: sender,
    /// recipients, subject and body); 0 when the sender is unknown, as then there is
    /// nothing exact to compare.
    pub exact: u64,
    /// The normalised body alone.
    pub body: u64,
    /// Shingles in the normalised body (0 when it is shorter than one shingle).
    pub shingles: u32,
    /// One-permutation MinHash over the shingles, densified so that no bin is empty.
    pub minhash: [u32; BINS],
}

impl Signature {
    /// The signature of a message, read from its body, sender and date.
    pub fn of(message: &Message) -> Signature {
        Signature::with_spans(message, &redacted_spans(&message.body))
    }

    /// [`Signature::of`] a message whose body's redacted spans (byte ranges, in order)
    /// the extract stage already found.
    pub fn with_spans(message: &Message, spans: &[(usize, usize)]) -> Signature {
        let text = folded_without(&message.body, spans);
        let body = fnv1a(FNV_OFFSET, &text);
        let sender = sender_key(&message.from);
        let minute = minute_of(message);
        let exact = match (sender.is_empty(), minute) {
            (true, _) => 0,
            (false, Some(minute)) => {
                let h = fnv1a(body, sender.as_bytes());
                fnv1a(h, minute.as_bytes()).max(1)
            }
            // Undated (the date was withheld or unreadable): the same sender, recipients
            // and subject over the same text still make one message.
            (false, None) => {
                let mut h = fnv1a(body, sender.as_bytes());
                h = fnv1a(h, b"\0undated\0");
                h = fnv1a(h, message.subject.trim().to_lowercase().as_bytes());
                for person in message.to.iter().chain(&message.cc) {
                    h = fnv1a(h, &folded(person));
                }
                h.max(1)
            }
        };
        let (minhash, shingles) = minhash(&text);
        Signature {
            exact,
            body,
            shingles,
            minhash,
        }
    }

    /// The share of MinHash bins two signatures agree on: an estimate of the Jaccard
    /// similarity of their shingle sets.
    pub fn similarity(&self, other: &Signature) -> f64 {
        if self.shingles == 0 || other.shingles == 0 {
            return f64::from(u8::from(self.body == other.body));
        }
        let same = self
            .minhash
            .iter()
            .zip(other.minhash.iter())
            .filter(|(a, b)| a == b)
            .count();
        same as f64 / BINS as f64
    }
}

/// The sender as an exact-match key: the address if one is written, else the name's
/// letters.
fn sender_key(from: &str) -> String {
    super::keys::address_of(from)
        .unwrap_or_else(|| String::from_utf8_lossy(&folded(from)).into_owned())
}

/// `2020-03-03T18:00`: the minute in UTC when the source gave an offset, else as written.
fn minute_of(message: &Message) -> Option<String> {
    let date = if message.date.utc.is_empty() {
        &message.date.local
    } else {
        &message.date.utc
    };
    date.get(..16).map(str::to_string)
}

/// The text with redaction marks removed, lower-cased, letters and digits only, OCR
/// confusions folded. Non-ASCII letters are kept (lower-cased) as UTF-8.
pub fn folded(text: &str) -> Vec<u8> {
    folded_without(text, &redacted_spans(text))
}

/// The byte ranges of `text`'s redacted spans, in order.
fn redacted_spans(text: &str) -> Vec<(usize, usize)> {
    located_redactions(text)
        .into_iter()
        .map(|span| (span.start, span.end))
        .collect()
}

/// [`folded`] with the redacted spans given (byte ranges, in order).
fn folded_without(text: &str, spans: &[(usize, usize)]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    let mut at = 0;
    for &(start, end) in spans {
        // Spans come from this very text; a range that does not fit it is skipped rather
        // than trusted.
        if let Some(part) = text.get(at..start) {
            fold_into(part, &mut out);
            at = end;
        }
    }
    fold_into(text.get(at..).unwrap_or_default(), &mut out);
    out
}

/// Folds `text` onto `out` as [`folded`] does, without looking for redaction marks.
pub fn fold_into(text: &str, out: &mut Vec<u8>) {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b.is_ascii() {
            i += 1;
            let folded = FOLD_ASCII[usize::from(b)];
            if folded == 0 {
                continue;
            }
            // Two-letter confusions are folded as they complete.
            match (out.last(), folded) {
                (Some(b'r'), b'n') => {
                    out.pop();
                    out.push(b'm');
                }
                (Some(b'v'), b'v') => {
                    out.pop();
                    out.push(b'w');
                }
                _ => out.push(folded),
            }
            continue;
        }
        // `i` is a character boundary: ASCII bytes and whole characters were read.
        let Some(ch) = text.get(i..).and_then(|rest| rest.chars().next()) else {
            break;
        };
        i += ch.len_utf8();
        if ch.is_alphanumeric() {
            let mut buf = [0u8; 4];
            for lower in ch.to_lowercase() {
                out.extend_from_slice(lower.encode_utf8(&mut buf).as_bytes());
            }
        }
    }
}

/// What each ASCII byte folds to (0: dropped): letters and digits lower-cased, `0` as
/// `o`, `1`, `i` and `|` as `l`, `5` as `s`.
static FOLD_ASCII: [u8; 128] = {
    let mut table = [0u8; 128];
    let mut b = 0u8;
    while b < 128 {
        let lower = b.to_ascii_lowercase();
        table[b as usize] = match lower {
            b'0' => b'o',
            b'1' | b'i' | b'|' => b'l',
            b'5' => b's',
            _ if lower.is_ascii_alphanumeric() => lower,
            _ => 0,
        };
        b += 1;
    }
    table
};

/// One-permutation MinHash: every shingle is hashed once; its top bits choose a bin and
/// the rest compete for that bin's minimum. Empty bins borrow from the next full bin
/// (rotation), so two signatures stay comparable bin by bin.
fn minhash(text: &[u8]) -> ([u32; BINS], u32) {
    let mut bins = [u32::MAX; BINS];
    let mut full = [false; BINS];
    let mut shingles = 0u32;
    for window in text.windows(SHINGLE) {
        let mut word = 0u64;
        for &b in window {
            word = (word << 8) | u64::from(b);
        }
        let h = mix(word);
        let bin = (h >> 58) as usize;
        let value = h as u32;
        if value < bins[bin] {
            bins[bin] = value;
        }
        full[bin] = true;
        shingles = shingles.saturating_add(1);
    }
    if shingles > 0 {
        densify(&mut bins, &full);
    }
    (bins, shingles)
}

fn densify(bins: &mut [u32; BINS], full: &[bool; BINS]) {
    let source = *bins;
    for i in 0..BINS {
        if full[i] {
            continue;
        }
        let mut step = 1;
        while !full[(i + step) % BINS] {
            step += 1;
        }
        // The distance is mixed in so that two bins borrowing from one full bin differ.
        bins[i] = (mix(u64::from(source[(i + step) % BINS]) ^ (step as u64) << 32)) as u32;
    }
}

/// splitmix64's finaliser: a fixed, fast and well-spread 64-bit mix.
pub fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

pub const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

/// FNV-1a, continued from `h`: a fixed hash, the same on every platform and every run.
pub fn fnv1a(mut h: u64, bytes: &[u8]) -> u64 {
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::model::MessageDate;

    pub(crate) fn message(from: &str, local: &str, body: &str) -> Message {
        Message {
            from: from.to_string(),
            date: MessageDate {
                local: local.to_string(),
                ..MessageDate::default()
            },
            body: body.to_string(),
            ..Message::default()
        }
    }

    const CLEAN: &str = "Detective Ruiz,\nCould you run plate 7ABC123 through your ALPR system \
        for the last 30 days? Our LEARN access is down and I need the hits for a case \
        that is moving fast. Send them straight to my email.\nThanks, Mark Jensen";

    #[test]
    fn folding_drops_case_spacing_and_redactions_and_ocr_confusions() {
        assert_eq!(
            folded("Hi  Bob,\nthe (b)(6) file"),
            b"hlbobtheflle".to_vec()
        );
        assert_eq!(folded("modern"), folded("rnodem"));
        assert_eq!(folded("CALL 555-0100"), folded("call sss-olOO"));
    }

    #[test]
    fn the_spans_extract_found_give_the_signature_of_the_message() {
        let body = "Det. █████, run (b)(6) (b)(7)(C) and [REDACTED] for me? XXX-XX-1234";
        let m = message("Mark Jensen", "2020-03-03T10:00:00", body);
        let found = crate::extract::extract(&m, &crate::rules::Rules::default_rules().unwrap());
        assert_eq!(found.body_spans.len(), 4, "{:?}", found.body_spans);
        let given = Signature::with_spans(&m, &found.body_spans);
        let own = Signature::of(&m);
        assert_eq!((given.exact, given.body), (own.exact, own.body));
        assert_eq!(given.minhash, own.minhash);
    }

    #[test]
    fn an_ocr_copy_with_a_name_redacted_stays_similar() {
        let clean = Signature::of(&message("Mark Jensen", "2020-03-03T10:00:00", CLEAN));
        let noisy = CLEAN
            .replace("Ruiz", "(b)(6)")
            .replace("through", "tbrough")
            .replace("moving", "rnoving")
            .replace('\n', "\n\n");
        let printed = Signature::of(&message("Jensen, Mark", "2020-03-03T10:00:00", &noisy));
        let sim = clean.similarity(&printed);
        assert!(sim >= 0.75, "similarity {sim}");
        assert_ne!(clean.body, printed.body);
    }

    #[test]
    fn different_texts_are_not_similar() {
        let a = Signature::of(&message("a", "", CLEAN));
        let b = Signature::of(&message(
            "a",
            "",
            "The training on the new radios is moved to Thursday at the range; bring \
             your own lunch and the forms from last week's session.",
        ));
        assert!(a.similarity(&b) < 0.2, "{}", a.similarity(&b));
    }

    #[test]
    fn exact_fingerprint_needs_a_sender() {
        let a = Signature::of(&message("Mark <m@x.gov>", "2020-03-03T10:00:12", CLEAN));
        let b = Signature::of(&message("MARK <M@X.GOV>", "2020-03-03T10:00:59", CLEAN));
        assert_eq!(a.exact, b.exact);
        assert_ne!(a.exact, 0);
        assert_eq!(
            Signature::of(&message("", "2020-03-03T10:00:12", CLEAN)).exact,
            0
        );
        let undated = Signature::of(&message("m@x.gov", "", CLEAN));
        assert_ne!(undated.exact, 0);
        assert_ne!(undated.exact, a.exact);
        assert_eq!(
            undated.exact,
            Signature::of(&message("m@x.gov", "", CLEAN)).exact
        );
    }

    #[test]
    fn short_bodies_compare_by_hash() {
        let a = Signature::of(&message("", "", "Thx"));
        let b = Signature::of(&message("", "", "thx."));
        assert_eq!(a.shingles, 0);
        assert_eq!(a.similarity(&b), 1.0);
    }
}
