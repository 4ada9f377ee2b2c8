//! Dates as mail and printed releases write them. Takes the written text and gives a
//! [`MessageDate`]: the text as written, ISO 8601 in the writer's own offset, and UTC when
//! an offset (or a zone abbreviation) was given. Never reads the machine's time zone.

use std::sync::OnceLock;

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone};
use regex::Regex;

use crate::text::fixed_regex;

use crate::model::MessageDate;

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

/// Parses a date header or printed date. Unparseable text keeps only `raw`.
pub fn parse_date(raw: &str) -> MessageDate {
    let raw = raw.trim();
    let mut out = MessageDate {
        raw: raw.to_string(),
        ..MessageDate::default()
    };
    if raw.is_empty() {
        return out;
    }
    let cleaned = unglue(&raw.replace(" at ", " "));
    if let Ok(dt) = DateTime::parse_from_rfc2822(&cleaned) {
        fill_offset(&mut out, dt);
        return out;
    }
    if let Ok(dt) = DateTime::parse_from_rfc3339(&cleaned) {
        fill_offset(&mut out, dt);
        return out;
    }
    if let Some((naive, offset)) = loose(&cleaned) {
        match offset.and_then(|o| o.from_local_datetime(&naive).single()) {
            Some(dt) => fill_offset(&mut out, dt),
            None => out.local = naive.format("%Y-%m-%dT%H:%M:%S").to_string(),
        }
    }
    out
}

/// OCR drops the space between a printed date's day or year and its time
/// (`Wed Oct 2806:35:13 2009`, `June 10, 20104:21 AM`, `07:31:162010`): puts it back.
fn unglue(text: &str) -> String {
    static YEAR_TIME: OnceLock<Regex> = OnceLock::new();
    static TIME_YEAR: OnceLock<Regex> = OnceLock::new();
    static DAY_TIME: OnceLock<Regex> = OnceLock::new();
    let res = [
        fixed_regex(&YEAR_TIME, r"\b((?:19|20)\d{2})(\d{1,2}:\d{2})"),
        fixed_regex(&TIME_YEAR, r"(\d{1,2}:\d{2}:\d{2})((?:19|20)\d{2})\b"),
        fixed_regex(&DAY_TIME, r"\b(\d{1,2})(\d{2}:\d{2}:\d{2})\b"),
    ];
    let mut out = text.to_string();
    for re in res {
        if re.is_match(&out) {
            out = re.replace_all(&out, "$1 $2").into_owned();
        }
    }
    out
}

fn fill_offset(out: &mut MessageDate, dt: DateTime<FixedOffset>) {
    out.local = dt.to_rfc3339();
    out.utc = dt
        .with_timezone(&chrono::Utc)
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string();
}

/// A tolerant reader for printed forms: `Friday, April 2, 2010 1:16 PM`,
/// `Fri Apr 02 12:56:32 2010`, `4/2/2010 1:16:00 PM`, `2 Apr 2010 13:16 -0400`, with OCR
/// confusions in the digits already repaired by the caller where possible.
fn loose(text: &str) -> Option<(NaiveDateTime, Option<FixedOffset>)> {
    let tokens: Vec<String> = text
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|t| !t.is_empty())
        .map(|t| t.to_string())
        .collect();
    let mut year = None;
    let mut month = None;
    let mut day = None;
    let mut time = None;
    let mut pm = None;
    let mut offset = None;
    let mut numbers = Vec::new();
    for tok in &tokens {
        let low = tok.to_ascii_lowercase();
        let fixed = fix_digits(&low);
        if let Some(m) = MONTHS.iter().position(|m| low.starts_with(m)) {
            if month.is_none() && !low.contains(':') && low.len() <= 10 {
                month = Some(m as u32 + 1);
                continue;
            }
        }
        if fixed.contains(':') {
            time = parse_time(&fixed);
            continue;
        }
        if let Some((m, d, y)) = slash_date(&fixed) {
            month = Some(m);
            day = Some(d);
            year = Some(y);
            continue;
        }
        match low.as_str() {
            "am" | "a.m." => pm = Some(false),
            "pm" | "p.m." => pm = Some(true),
            _ => {}
        }
        if let Some(o) = zone(tok) {
            offset = Some(o);
            continue;
        }
        if let Ok(n) = fixed
            .trim_end_matches(['.', 's', 't', 'h', 'n', 'd', 'r'])
            .parse::<u32>()
        {
            numbers.push(n);
        }
    }
    for n in numbers {
        if n >= 1900 && year.is_none() {
            year = Some(n as i32);
        } else if (1..=31).contains(&n) && day.is_none() {
            day = Some(n);
        }
    }
    let date = NaiveDate::from_ymd_opt(year?, month?, day?)?;
    let (mut h, m, s) = time.unwrap_or((0, 0, 0));
    match pm {
        Some(true) if h < 12 => h += 12,
        Some(false) if h == 12 => h = 0,
        _ => {}
    }
    let t = NaiveTime::from_hms_opt(h, m, s)?;
    Some((NaiveDateTime::new(date, t), offset))
}

/// OCR reads `O` and `l` where digits were printed (`2O19`, `1l:58`).
fn fix_digits(tok: &str) -> String {
    let digits = tok.chars().filter(|c| c.is_ascii_digit()).count();
    if digits == 0 {
        return tok.to_string();
    }
    tok.chars()
        .map(|c| match c {
            'o' => '0',
            'l' | 'i' => '1',
            _ => c,
        })
        .collect()
}

fn parse_time(tok: &str) -> Option<(u32, u32, u32)> {
    let trimmed = tok.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let mut parts = trimmed.split(':').map(|p| p.parse::<u32>().ok());
    let h = parts.next()??;
    let m = parts.next()??;
    let s = parts.next().flatten().unwrap_or(0);
    (h < 24 && m < 60 && s < 61).then_some((h, m, s.min(59)))
}

fn slash_date(tok: &str) -> Option<(u32, u32, i32)> {
    let parts: Vec<&str> = tok.split(['/', '-']).collect();
    if parts.len() != 3 {
        return None;
    }
    let a = parts[0].parse::<u32>().ok()?;
    let b = parts[1].parse::<u32>().ok()?;
    let c = parts[2].parse::<i32>().ok()?;
    if a > 31 {
        // ISO order: 2010-04-02.
        return Some((b, parts[2].parse().ok()?, a as i32));
    }
    let year = if c < 100 { 2000 + c } else { c };
    Some((a, b, year))
}

/// A numeric offset (`-0700`, `+05:30`) or a North American zone abbreviation.
fn zone(tok: &str) -> Option<FixedOffset> {
    let t = tok.trim_matches(|c| c == '(' || c == ')');
    let hours = match t {
        "UTC" | "GMT" | "Z" | "UT" => Some(0),
        "EST" => Some(-5),
        "EDT" => Some(-4),
        "CST" => Some(-6),
        "CDT" => Some(-5),
        "MST" => Some(-7),
        "MDT" => Some(-6),
        "PST" => Some(-8),
        "PDT" => Some(-7),
        _ => None,
    };
    if let Some(h) = hours {
        return FixedOffset::east_opt(h * 3600);
    }
    let b = t.as_bytes();
    if (b.first() == Some(&b'+') || b.first() == Some(&b'-')) && t.len() >= 5 {
        let digits: String = t[1..].chars().filter(|c| c.is_ascii_digit()).collect();
        if digits.len() == 4 {
            let h: i32 = digits[..2].parse().ok()?;
            let m: i32 = digits[2..].parse().ok()?;
            let secs = (h * 3600 + m * 60) * if b[0] == b'-' { -1 } else { 1 };
            return FixedOffset::east_opt(secs);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc2822_keeps_offset_and_gives_utc() {
        let d = parse_date("Wed, 27 Feb 2019 10:15:12 -0800");
        assert_eq!(d.local, "2019-02-27T10:15:12-08:00");
        assert_eq!(d.utc, "2019-02-27T18:15:12Z");
    }

    #[test]
    fn printed_forms_without_offset_stay_naive() {
        for (raw, want) in [
            ("Friday, April 2, 2010 1:16 PM", "2010-04-02T13:16:00"),
            ("Fri Apr 02 12:56:32 2010", "2010-04-02T12:56:32"),
            ("4/2/2010 1:16:00 PM", "2010-04-02T13:16:00"),
            ("Tuesday, Apri1 9, 2O19 7:58 AM", "2019-04-09T07:58:00"),
            ("Mon, Sep 9, 2019 at 10:02 AM", "2019-09-09T10:02:00"),
            ("Wed Oct 2806:35:13 2009", "2009-10-28T06:35:13"),
            ("Thursday, June 10, 20104:21 AM", "2010-06-10T04:21:00"),
            ("Wed Mar 31 07:31:162010", "2010-03-31T07:31:16"),
            ("Saturday, January 8, 201110:58 AM.", "2011-01-08T10:58:00"),
        ] {
            let d = parse_date(raw);
            assert_eq!(d.local, want, "{raw}");
            assert_eq!(d.utc, "", "{raw}");
            assert_eq!(d.raw, raw);
        }
    }

    #[test]
    fn zone_abbreviation_gives_utc() {
        let d = parse_date("Friday, April 2, 2010 1:16 PM EDT");
        assert_eq!(d.utc, "2010-04-02T17:16:00Z");
    }

    #[test]
    fn garbage_keeps_raw_only() {
        let d = parse_date("sometime last week");
        assert_eq!(d.raw, "sometime last week");
        assert!(d.local.is_empty());
    }
}
