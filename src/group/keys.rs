//! The small keys copy detection and threading compare messages by: when a message was
//! sent ([`When`], tolerant of a printed copy's clock being in another time zone), who sent
//! it ([`person_tokens`], tolerant of "Last, First" against an address), who took part
//! ([`participant_keys`]) and what it is about ([`base_subject`]).

use chrono::NaiveDateTime;

use crate::extract::redactions::located_redactions;
use crate::model::MessageDate;

/// How two messages' dates or senders relate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relation {
    /// They agree.
    Same,
    /// One or both is missing (or too coarse to tell).
    Unknown,
    /// They disagree: not the same message.
    Conflict,
}

/// A message's time, in minutes since the epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct When {
    /// As the clock read where it was written or printed.
    pub wall: i64,
    /// In UTC, when the source gave an offset.
    pub utc: Option<i64>,
    /// Only the day is known (printed dates without a time).
    pub day_only: bool,
}

/// Longest time-zone difference between two clocks that show one message, in minutes.
const MAX_ZONE_SHIFT: i64 = 14 * 60;

impl When {
    pub fn of(date: &MessageDate) -> Option<When> {
        let wall = minutes(&date.local)?;
        let utc = minutes(&date.utc);
        let day_only = utc.is_none() && date.local.get(11..19) == Some("00:00:00");
        Some(When {
            wall,
            utc,
            day_only,
        })
    }

    /// Same to the minute; when either side has no offset, clocks a whole number of
    /// half hours apart (up to 14 hours) also agree, since a printed copy shows the
    /// printer's zone.
    pub fn relation(&self, other: &When) -> Relation {
        if let (Some(a), Some(b)) = (self.utc, other.utc) {
            return if (a - b).abs() <= 1 {
                Relation::Same
            } else {
                Relation::Conflict
            };
        }
        let delta = (self.wall - other.wall).abs();
        if self.day_only || other.day_only {
            return if delta <= 36 * 60 {
                Relation::Unknown
            } else {
                Relation::Conflict
            };
        }
        // A minute apart is rounding (a quote's header against the message's own); a
        // whole number of half hours is another clock's zone.
        if delta <= 1 || (delta <= MAX_ZONE_SHIFT && delta % 30 == 0) {
            Relation::Same
        } else {
            Relation::Conflict
        }
    }
}

pub fn date_relation(a: Option<&When>, b: Option<&When>) -> Relation {
    match (a, b) {
        (Some(a), Some(b)) => a.relation(b),
        _ => Relation::Unknown,
    }
}

fn minutes(iso: &str) -> Option<i64> {
    let head = iso.get(..19)?;
    let t = NaiveDateTime::parse_from_str(head, "%Y-%m-%dT%H:%M:%S").ok()?;
    Some(t.and_utc().timestamp().div_euclid(60))
}

/// The words that name a sender: display-name words and the pieces of an address's
/// local part, lower-cased and OCR-folded, two letters or more. Redaction marks and the
/// domain are left out.
pub fn person_tokens(person: &str) -> Vec<String> {
    let mut text = String::with_capacity(person.len());
    let mut at = 0;
    for span in located_redactions(person) {
        text.push_str(&person[at..span.start]);
        text.push(' ');
        at = span.end;
    }
    text.push_str(&person[at..]);
    let mut out: Vec<String> = Vec::new();
    for piece in text.split(|c: char| c == '<' || c == '>' || c.is_whitespace() || c == ',') {
        let piece = piece.trim_matches(|c: char| !c.is_alphanumeric());
        let local = match piece.split_once('@') {
            Some((local, _domain)) => local,
            None if piece.contains("mailto") => continue,
            None => piece,
        };
        for word in local.split(|c: char| !c.is_alphabetic()) {
            let folded = fold_word(word);
            if folded.chars().count() >= 2 && !out.contains(&folded) {
                out.push(folded);
            }
        }
    }
    out
}

/// Lower-case with the OCR confusions of [`super::signature::folded`] (the word has no
/// redaction marks left in it).
fn fold_word(word: &str) -> String {
    let mut out = Vec::with_capacity(word.len());
    super::signature::fold_into(word, &mut out);
    String::from_utf8_lossy(&out).into_owned()
}

/// Whether two senders' words name one person: a shared word, or one word inside the
/// other (`smith` in `jsmith`).
pub fn person_relation(a: &[String], b: &[String]) -> Relation {
    if a.is_empty() || b.is_empty() {
        return Relation::Unknown;
    }
    let related = a.iter().any(|x| {
        b.iter().any(|y| {
            x == y
                || (x.len() >= 4
                    && y.len() >= 4
                    && (x.contains(y.as_str()) || y.contains(x.as_str())))
        })
    });
    if related {
        Relation::Same
    } else {
        Relation::Conflict
    }
}

/// Keys for one participant: the address, and the name's words in sorted order when it
/// has two or more ("Smith, John" and "John Smith <js@x.gov>" share `john smith`).
pub fn participant_keys(person: &str, out: &mut Vec<String>) {
    if let Some(address) = address_of(person) {
        out.push(address);
    }
    let name = person.split('<').next().unwrap_or_default();
    if name.contains('@') {
        return;
    }
    let mut words = person_tokens(name);
    if words.len() >= 2 {
        words.sort();
        out.push(words.join(" "));
    }
}

/// The address a participant is written with, lower-cased (`Name <a@b.gov>`, `a@b.gov`,
/// `mailto:a@b.gov`).
pub fn address_of(person: &str) -> Option<String> {
    let inner = match (person.find('<'), person.rfind('>')) {
        (Some(open), Some(close)) if open < close => &person[open + 1..close],
        _ => person,
    };
    let inner = inner.trim().trim_start_matches("mailto:");
    (inner.contains('@') && !inner.contains(' ')).then(|| inner.to_lowercase())
}

/// A subject with its reply and forward prefixes (`RE:`, `FW:`, `Fwd:`, `AW:`, `TR:`,
/// `RE[2]:`...; the list is in the rules file), case, spacing and trailing punctuation
/// taken away.
pub fn base_subject(subject: &str, prefixes: &[String]) -> String {
    without_prefixes(subject, prefixes)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .trim_end_matches(|c: char| !c.is_alphanumeric() && c != ')')
        .to_lowercase()
}

/// A subject with its reply and forward prefixes and mail-system tags taken off, as
/// written otherwise.
pub fn without_prefixes<'a>(subject: &'a str, prefixes: &[String]) -> &'a str {
    let mut rest = subject.trim();
    loop {
        let before = rest;
        rest = rest.trim_start_matches(|c: char| c.is_whitespace() || c == '*');
        if let Some(tag_end) = bracket_tag_end(rest) {
            rest = &rest[tag_end..];
        }
        if let Some(after) = strip_prefix(rest, prefixes) {
            rest = after;
        }
        if rest == before {
            break;
        }
    }
    rest.trim()
}

/// `[EXTERNAL]`, `[EXT]`, `[SPAM]`: a mail system's tag before the subject.
fn bracket_tag_end(text: &str) -> Option<usize> {
    let inner = text.strip_prefix('[')?;
    let close = inner.find(']')?;
    (close <= 12
        && inner[..close]
            .chars()
            .all(|c| c.is_alphabetic() || c == ' '))
    .then_some(close + 2)
}

fn strip_prefix<'a>(text: &'a str, prefixes: &[String]) -> Option<&'a str> {
    let word_end = text
        .find(|c: char| !c.is_alphabetic())
        .unwrap_or(text.len());
    let word = &text[..word_end];
    if word.is_empty() || !prefixes.iter().any(|p| p.eq_ignore_ascii_case(word)) {
        return None;
    }
    let mut rest = text[word_end..].trim_start();
    // A count: RE[2]:, RE(3):
    if let Some(open) = rest.strip_prefix(['[', '(']) {
        let close = open.find([']', ')'])?;
        if !open[..close].chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        rest = open[close + 1..].trim_start();
    }
    rest.strip_prefix([':', '-'])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(local: &str, utc: &str) -> When {
        When::of(&MessageDate {
            raw: String::new(),
            local: local.to_string(),
            utc: utc.to_string(),
        })
        .unwrap()
    }

    fn prefixes() -> Vec<String> {
        ["re", "fw", "fwd", "aw", "tr", "wg", "sv"]
            .iter()
            .map(|s| s.to_string())
            .collect()
    }

    #[test]
    fn dates_agree_to_the_minute_or_by_a_zone_shift() {
        let header = date("2020-03-03T10:00:42-08:00", "2020-03-03T18:00:42Z");
        let printed_local = date("2020-03-03T10:00:00", "");
        let printed_east = date("2020-03-03T13:00:00", "");
        let other = date("2020-03-03T10:07:00", "");
        let an_hour_less_a_minute = date("2020-03-03T10:59:00", "");
        assert_eq!(
            printed_local.relation(&an_hour_less_a_minute),
            Relation::Conflict
        );
        assert_eq!(
            printed_local.relation(&date("2020-03-03T10:01:00", "")),
            Relation::Same
        );
        assert_eq!(header.relation(&printed_local), Relation::Same);
        assert_eq!(header.relation(&printed_east), Relation::Same);
        assert_eq!(header.relation(&other), Relation::Conflict);
        let later = date("2020-03-03T10:05:00-08:00", "2020-03-03T18:05:00Z");
        assert_eq!(header.relation(&later), Relation::Conflict);
        let day = date("2020-03-03T00:00:00", "");
        assert_eq!(day.relation(&header), Relation::Unknown);
        assert_eq!(date_relation(None, Some(&header)), Relation::Unknown);
    }

    #[test]
    fn senders_match_across_forms() {
        let a = person_tokens("Jensen, Mark");
        let b = person_tokens("Mark Jensen <mark.jensen@ice.dhs.gov>");
        let c = person_tokens("mjensen@ice.dhs.gov");
        let d = person_tokens("Ruiz, Ana <aruiz@riversideca.gov>");
        assert_eq!(person_relation(&a, &b), Relation::Same);
        assert_eq!(person_relation(&a, &c), Relation::Same);
        assert_eq!(person_relation(&b, &d), Relation::Conflict);
        assert_eq!(person_tokens("(b)(6)"), Vec::<String>::new());
        assert_eq!(
            person_relation(&person_tokens("(b)(6)"), &a),
            Relation::Unknown
        );
        assert_eq!(
            person_relation(&person_tokens("Jensen, Mork"), &b),
            Relation::Same
        );
    }

    #[test]
    fn participants_have_address_and_name_keys() {
        let mut keys = Vec::new();
        participant_keys("Mark Jensen <Mark.Jensen@ice.dhs.gov>", &mut keys);
        participant_keys("Jensen, Mark", &mut keys);
        assert_eq!(
            keys,
            ["mark.jensen@ice.dhs.gov", "jensen mark", "jensen mark"]
        );
    }

    #[test]
    fn subjects_lose_reply_prefixes_and_tags() {
        let p = prefixes();
        assert_eq!(base_subject("RE: FW: Plate  hits", &p), "plate hits");
        assert_eq!(
            base_subject("[EXTERNAL] Re[2]: plate hits.", &p),
            "plate hits"
        );
        assert_eq!(base_subject("AW: TR: Fwd: plate hits", &p), "plate hits");
        assert_eq!(base_subject("Regarding plates", &p), "regarding plates");
        assert_eq!(base_subject("RE:", &p), "");
    }
}
