//! Agencies: takes text (already OCR-repaired) or an address and gives the agencies it
//! names or makes evident, from the rules' gazetteer (aliases and email domains) and from
//! the agency patterns ("<Place> Police Department", "<Place> County Sheriff's Office").

use std::borrow::Cow;
use std::cell::RefCell;

use crate::memo::{remembered, Memo};

use crate::model::Agency;
use crate::rules::Rules;

/// One agency found in text, with where it was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgencyHit {
    pub agency: Agency,
    pub start: usize,
    pub end: usize,
}

/// Every agency named in `text`, in order of first appearance, each once.
pub fn agencies_in(text: &str, rules: &Rules) -> Vec<Agency> {
    let mut hits = hits_in(text, rules);
    hits.sort_by_key(|h| h.start);
    let mut out: Vec<Agency> = Vec::new();
    for h in hits {
        if !out.iter().any(|a| a.name == h.agency.name) {
            out.push(h.agency);
        }
    }
    out
}

/// All agency mentions with their positions (overlapping mentions of one name kept once).
pub fn hits_in(text: &str, rules: &Rules) -> Vec<AgencyHit> {
    remembered(&HITS, rules.id, text, || hits_in_text(text, rules))
}

thread_local! {
    static HITS: RefCell<Memo<Vec<AgencyHit>>> = RefCell::default();
}

fn hits_in_text(text: &str, rules: &Rules) -> Vec<AgencyHit> {
    let text = titlecase_shouting(text);
    let text = join_wrapped_names(&text);
    let text = text.as_ref();
    let mut hits = Vec::new();
    // Names in the gazetteer are matched with their line breaks and runs of spaces read
    // as one space ("Immigration and Customs\n   Enforcement"), then mapped back.
    let (flat, origin) = flatten_whitespace(text);
    for (automaton, targets) in [
        (&rules.alias_ci, &rules.alias_ci_target),
        (&rules.alias_cs, &rules.alias_cs_target),
    ] {
        for m in automaton.find_iter(&flat) {
            if !word_bounded(&flat, m.start(), m.end()) {
                continue;
            }
            hits.push(AgencyHit {
                agency: rules.found_agency(targets[m.pattern().as_usize()]),
                start: origin[m.start()] as usize,
                end: origin[m.end() - 1] as usize + 1,
            });
        }
    }
    let patterns = match rules.any_pattern.is_match(text) {
        true => rules.any_pattern.matches(text).into_iter().collect(),
        false => Vec::new(),
    };
    for i in patterns {
        let pattern = &rules.patterns[i];
        // Find first (the fast engines), then capture within the match only.
        for found in pattern.regex.find_iter(text) {
            let Some(caps) = pattern
                .regex
                .captures_at(&text[..found.end()], found.start())
            else {
                continue;
            };
            let Some(whole) = caps.get(0) else { continue };
            let Some(name) = fill_template(&pattern.template, &caps, rules) else {
                continue;
            };
            if rules.not_agencies.contains(&name.to_ascii_lowercase()) {
                continue;
            }
            // A pattern hit inside a gazetteer hit ("Los Angeles County Sheriff's
            // Department") is the gazetteer's agency.
            if hits.iter().any(|h| {
                h.start <= whole.start() && h.end >= whole.end() && h.agency.kind != "vendor"
            }) {
                continue;
            }
            hits.push(AgencyHit {
                agency: Agency {
                    name: name.into(),
                    kind: pattern.kind.clone(),
                },
                start: whole.start(),
                end: whole.end(),
            });
        }
    }
    // "University of Colorado Boulder Police Department" holds "Colorado Boulder Police
    // Department": a hit inside a longer one is part of that name.
    let spans: Vec<(usize, usize)> = hits.iter().map(|h| (h.start, h.end)).collect();
    hits.retain(|h| {
        !spans
            .iter()
            .any(|&(s, e)| s <= h.start && e >= h.end && (e - s) > (h.end - h.start))
    });
    hits
}

/// `text` with every run of whitespace as one space, and for each byte of the result the
/// offset of the byte it came from. Text between spaces is copied a run at a time.
fn flatten_whitespace(text: &str) -> (String, Vec<u32>) {
    let bytes = text.as_bytes();
    let mut flat = String::with_capacity(text.len());
    let mut origin: Vec<u32> = Vec::with_capacity(text.len());
    let mut i = 0;
    while i < bytes.len() {
        let start = i;
        // Most bytes cannot start whitespace: they are skipped by a table, and only the
        // lead bytes of the wider whitespace characters are read as characters.
        loop {
            while i < bytes.len() && !MAY_START_WHITESPACE[usize::from(bytes[i])] {
                i += 1;
            }
            if i < bytes.len() && whitespace_len(text, i) == 0 {
                i += 1;
                continue;
            }
            break;
        }
        // `start` and `i` are character boundaries: whitespace starts a character.
        flat.push_str(&text[start..i]);
        origin.extend(offset(start)..offset(i));
        let mut n = whitespace_len(text, i);
        if n > 0 {
            flat.push(' ');
            origin.push(offset(i));
        }
        while n > 0 {
            i += n;
            n = whitespace_len(text, i);
        }
    }
    (flat, origin)
}

/// The bytes [`whitespace_len`] may find whitespace at.
static MAY_START_WHITESPACE: [bool; 256] = {
    let mut table = [false; 256];
    let starts = [
        b' ', b'\t', b'\n', 0x0B, 0x0C, b'\r', 0xC2, 0xE1, 0xE2, 0xE3,
    ];
    let mut k = 0;
    while k < starts.len() {
        table[starts[k] as usize] = true;
        k += 1;
    }
    table
};

/// The length of the whitespace character at byte `i` of `text` (0 when there is none).
fn whitespace_len(text: &str, i: usize) -> usize {
    match text.as_bytes().get(i) {
        Some(b' ' | b'\t' | b'\n' | 0x0B | 0x0C | b'\r') => 1,
        // The lead bytes of the other whitespace characters (U+0085, U+00A0, U+1680,
        // U+2000-U+200A, U+2028, U+2029, U+202F, U+205F, U+3000).
        Some(0xC2 | 0xE1 | 0xE2 | 0xE3) => text
            .get(i..)
            .and_then(|rest| rest.chars().next())
            .filter(|c| c.is_whitespace())
            .map_or(0, char::len_utf8),
        _ => 0,
    }
}

/// A byte offset in a message's text (texts are far below 4 GB: files above the size
/// limit are not read).
fn offset(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

fn word_bounded(text: &str, start: usize, end: usize) -> bool {
    let before = text[..start].chars().next_back();
    let mut rest = text[end..].chars();
    let after = rest.next();
    let after2 = rest.next();
    // "DOJ-OGR-00012345" and "ICE-2019-FOIA-004512" are document numbers, not mentions.
    let in_identifier =
        matches!(after, Some('-') | Some('_')) && after2.is_some_and(|c| c.is_ascii_alphanumeric());
    !before.is_some_and(|c| {
        c.is_alphanumeric()
            || c == '@'
            || c == '-'
            || c == '.' && start >= 2 && text.as_bytes()[start - 2].is_ascii_alphanumeric()
    }) && !after.is_some_and(|c| c.is_alphanumeric() || c == '@')
        && !in_identifier
}

/// A name wrapped over two lines ("Sacramento County\nSheriff's Office") is read as one.
fn join_wrapped_names(text: &str) -> Cow<'_, str> {
    static RE: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    crate::text::fixed_regex(
        &RE,
        r"[ \t]*\r?\n[ \t]*(County|Sheriff|Police|Department|Office|Probation|State's|District|Bureau|Division|of [A-Z]|and [A-Z])",
    )
    .replace_all(text, " $1")
}

/// Builds the canonical name from a pattern's template; `None` when the place is only
/// stop words ("The Police Department").
fn fill_template(template: &str, caps: &regex::Captures, rules: &Rules) -> Option<String> {
    let mut name = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        name.push_str(&rest[..open]);
        let Some(close) = rest[open..].find('}') else {
            break;
        };
        let group = &rest[open + 1..open + close];
        let value = caps.name(group).map(|m| m.as_str()).unwrap_or("");
        match group {
            // A place ran over capitalised words before it: trim the stop words.
            "place" if !value.is_empty() => name.push_str(&trim_place(value, rules)?),
            _ => name.push_str(match value {
                "Dept" | "Dept." => "Department",
                other => other,
            }),
        }
        rest = &rest[open + close + 1..];
    }
    name.push_str(rest);
    let squashed = crate::text::squash(&name);
    (!squashed.is_empty()).then_some(squashed)
}

fn trim_place(place: &str, rules: &Rules) -> Option<String> {
    // Words with where they start, so that what is kept keeps its own hyphens
    // ("Greeley-Evans").
    let mut words: Vec<(usize, &str)> = Vec::new();
    let mut start = None;
    for (i, c) in place
        .char_indices()
        .chain(std::iter::once((place.len(), ' ')))
    {
        match (c == ' ' || c == '-', start) {
            (true, Some(s)) => {
                words.push((s, &place[s..i]));
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    let is_stop = |w: &str| {
        let bare = w.trim_end_matches(['.', '\'', ',']);
        rules
            .place_stopwords
            .iter()
            .any(|s| s.eq_ignore_ascii_case(bare))
    };
    let first_kept = words.iter().position(|(_, w)| !is_stop(w))?;
    // A place is at most four words; more means the pattern ran over a name or a title.
    let first_kept = first_kept.max(words.len().saturating_sub(4));
    let kept = &place[words[first_kept].0..];
    let titled: Vec<String> = kept.split(' ').map(title_word).collect();
    Some(titled.join(" "))
}

/// `KERN` → `Kern`; already mixed-case words stay.
fn title_word(w: &str) -> String {
    if w.len() > 2 && w.chars().all(|c| !c.is_lowercase()) {
        let mut out = String::with_capacity(w.len());
        for (i, c) in w.chars().enumerate() {
            if i == 0 {
                out.push(c);
            } else {
                out.extend(c.to_lowercase());
            }
        }
        out
    } else {
        w.to_string()
    }
}

/// Lines in capitals ("LONG BEACH POLICE DEPARTMENT") are title-cased, byte for byte, so
/// that the patterns written for ordinary text read them; acronyms of four letters or
/// fewer stay.
pub fn titlecase_shouting(text: &str) -> Cow<'_, str> {
    // The lower-case test first: it stops at a line's first small letter, where the
    // count reads the whole line.
    let shouting_line = |line: &str| {
        !line.bytes().any(|b| b.is_ascii_lowercase())
            && line.bytes().filter(u8::is_ascii_alphabetic).count() >= 8
    };
    if !text.lines().any(shouting_line) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        if !shouting_line(line) {
            out.push_str(line);
            continue;
        }
        for word in line.split_inclusive([' ', '\t', '\n', '-', '/']) {
            let bare = word.trim_end_matches([' ', '\t', '\n', '-', '/']);
            // Small words of a name ("DEPARTMENT OF JUSTICE") read in lower case.
            if ["OF", "AND", "THE", "FOR"].contains(&bare) {
                out.push_str(&word.to_ascii_lowercase());
                continue;
            }
            let letters = word.chars().filter(|c| c.is_ascii_alphabetic()).count();
            if letters <= 4 && !word.contains("'S") {
                out.push_str(word);
                continue;
            }
            for (i, c) in word.char_indices() {
                if i == 0 {
                    out.push(c);
                } else {
                    out.push(c.to_ascii_lowercase());
                }
            }
        }
    }
    Cow::Owned(out)
}

/// The domain of an address (`Name <a@ice.dhs.gov>`, `(b)(6) @ice.dhs.gov'`).
pub fn domain_of(address: &str) -> Option<String> {
    if let Some(org) = notes_org(address) {
        return Some(org);
    }
    let at = address.rfind('@')?;
    let domain: String = address[at + 1..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '.' || *c == '-')
        .collect::<String>()
        .trim_end_matches('.')
        .to_ascii_lowercase();
    domain.contains('.').then_some(domain)
}

/// A Lotus Notes address (`Sharon Pak/SCL/SeattleCity@SeattleCity`) names its
/// organisation by a path, not a domain: the path stands in for one (`scl.seattlecity`),
/// so that the file's signatures can tie it to an agency as they do a domain.
fn notes_org(address: &str) -> Option<String> {
    let name = address.split('@').next()?.trim();
    if name.contains(['<', '>', ' ']) && !name.contains('/') {
        return None;
    }
    let (_, path) = name.split_once('/')?;
    if path.is_empty() || address.contains("://") || path.len() > 60 {
        return None;
    }
    let org: String = crate::text::repair_ocr(path)
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '/')
        .map(|c| {
            if c == '/' {
                '.'
            } else {
                c.to_ascii_lowercase()
            }
        })
        .collect();
    let parts = org.split('.').filter(|p| !p.is_empty()).count();
    (parts >= 1 && org.chars().any(|c| c.is_ascii_alphabetic())).then(|| format!("{org}.notes"))
}

/// The agency an email domain belongs to, from the gazetteer: the domain itself or the
/// nearest parent listed (`mail.fbi.gov` → `fbi.gov`).
pub fn agency_of_domain(domain: &str, rules: &Rules) -> Option<Agency> {
    let repaired = crate::text::repair_ocr(domain).to_ascii_lowercase();
    let mut d = repaired.as_str();
    loop {
        if let Some(&i) = rules.domain_to_agency.get(d) {
            return Some(rules.found_agency(i));
        }
        let (_, rest) = d.split_once('.')?;
        if !rest.contains('.') {
            return None;
        }
        d = rest;
    }
}

/// A state government's umbrella domain (`tn.gov`, `state.mn.us`, `lists.state.mn.us`):
/// it says the writer works for the state, not for which agency.
pub fn is_umbrella_domain(domain: &str, rules: &Rules) -> bool {
    if rules.umbrella(domain) {
        return true;
    }
    let parts: Vec<&str> = domain.split('.').collect();
    let n = parts.len();
    let two_letter_gov = n == 2 && parts[1] == "gov" && parts[0].len() == 2;
    let state_us = n >= 3 && parts[n - 3] == "state" && parts[n - 1] == "us";
    two_letter_gov || state_us
}

/// What an email domain says about its holder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DomainKind {
    /// Listed in the gazetteer, or a government top-level domain.
    Government,
    /// Webmail: anyone, agency staff included.
    Webmail,
    /// A company, a newspaper, an NGO... or a city whose domain says nothing.
    Other,
}

pub fn domain_kind(domain: &str, rules: &Rules) -> DomainKind {
    if rules.file.webmail_domains.iter().any(|w| w == domain) {
        return DomainKind::Webmail;
    }
    if agency_of_domain(domain, rules).is_some_and(|a| a.kind != "vendor") {
        return DomainKind::Government;
    }
    let g = &rules.file.government_domains;
    let labels: Vec<&str> = domain.split('.').collect();
    let last = labels.last().copied().unwrap_or("");
    let gov_tld =
        g.tlds.iter().any(|t| t == last) || labels.len() >= 3 && labels[labels.len() - 2] == "gov";
    let first = labels.first().copied().unwrap_or("");
    let names = &labels[..labels.len().saturating_sub(1)];
    let hinted = g.first_labels.iter().any(|f| f == first)
        || names.iter().any(|label| {
            g.label_prefixes
                .iter()
                .any(|p| label.starts_with(p.as_str()))
                || g.label_suffixes.iter().any(|s| label.ends_with(s.as_str()))
                || label.len() <= 6
                    && g.short_label_suffixes
                        .iter()
                        .any(|s| label.ends_with(s.as_str()))
        });
    if gov_tld || hinted {
        DomainKind::Government
    } else {
        DomainKind::Other
    }
}

/// The agency a signature block names: among the last lines of a body, a short line
/// that starts with an agency or is mostly an agency's name.
pub fn signature_agency(body: &str, rules: &Rules) -> Option<Agency> {
    let lines: Vec<&str> = body
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let tail = &lines[lines.len().saturating_sub(8)..];
    // A signature line may hold several parts ("Bureau of Motor Vehicles | PennDOT",
    // "Pawn Detail, Portland Police Bureau"): each part is read on its own.
    let parts = tail
        .iter()
        .rev()
        .filter(|line| line.len() <= 80)
        .flat_map(|line| {
            std::iter::once(*line).chain(
                line.split(['|', ','])
                    .map(str::trim)
                    .filter(|p| !p.is_empty()),
            )
        });
    for part in parts {
        let repaired = crate::text::repair_ocr(part);
        let mut hits = hits_in(&repaired, rules);
        hits.sort_by_key(|h| (h.agency.kind == "vendor", h.start));
        let content = part.chars().filter(|c| !c.is_whitespace()).count().max(1);
        for h in hits {
            let covered = repaired[h.start..h.end]
                .chars()
                .filter(|c| !c.is_whitespace())
                .count();
            let leading = repaired[..h.start]
                .trim_start_matches(|c: char| !c.is_alphanumeric())
                .is_empty();
            if leading || covered * 5 >= content * 2 {
                return Some(h.agency);
            }
        }
    }
    None
}

/// Whether an email domain plausibly belongs to an agency named in the same file: its
/// name part (`chulavistaca`, `co.merced.ca.us`, `cityofpasadena`, `kernsheriff`) is the
/// agency's place, or the initials of its name (`cvwd`, `sbcsd`). A county domain prefers
/// the sheriff, a city domain the police department.
pub fn domain_matches(domain: &str, agency: &Agency, rules: &Rules) -> bool {
    let names = &rules.file.agency_names;
    let place: Vec<&str> = agency
        .name
        .split_whitespace()
        .take_while(|w| !names.kind_words.iter().any(|k| k == w))
        .collect();
    if place.is_empty() {
        return false;
    }
    let place_key: String = place.concat().to_ascii_lowercase();
    let initials: String = agency
        .name
        .split_whitespace()
        .filter(|w| w.chars().next().is_some_and(char::is_uppercase))
        .filter_map(|w| w.chars().next())
        .collect::<String>()
        .to_ascii_lowercase();
    let county_domain =
        domain.starts_with("co.") || domain.contains("county") || domain.contains("sheriff");
    let is_sheriff = agency.name.contains("Sheriff");
    domain_cores(domain, rules).iter().any(|core| {
        let place_hit = *core == place_key
            || names
                .state_codes
                .iter()
                .any(|st| core.strip_suffix(st.as_str()) == Some(place_key.as_str()));
        let initials_hit = core.len() >= 3 && *core == initials;
        (place_hit && (is_sheriff == county_domain || !agency.kind.starts_with("local_police")))
            || initials_hit
    })
}

/// Expands an agency acronym against a one-word place a domain spells: `WCSO` with
/// `washoecounty.gov` is the Washoe County Sheriff's Office, `FPD` with `fresno.gov` the
/// Fresno Police Department.
pub fn expand_acronym(acronym: &str, domain: &str, rules: &Rules) -> Option<Agency> {
    let cores = domain_cores(domain, rules);
    let core = cores.first()?;
    let ambiguous = core.contains("county") || core.contains("city");
    if !core.chars().all(|c| c.is_ascii_lowercase()) || core.len() < 4 || ambiguous {
        return None;
    }
    let initial = core.chars().next()?.to_ascii_uppercase();
    let rest = acronym.strip_prefix(initial)?;
    let form = rules.file.agency_names.acronym_forms.get(rest)?;
    let mut place = String::with_capacity(core.len());
    place.push(initial);
    place.push_str(&core[1..]);
    Some(Agency {
        name: form.replace("{}", &place).into(),
        kind: "local_police".into(),
    })
}

/// An agency spelled by a domain's own parts: an acronym part and a place part
/// (`mcso.maricopa.gov` is the Maricopa County Sheriff's Office).
pub fn agency_of_domain_parts(domain: &str, rules: &Rules) -> Option<Agency> {
    let parts: Vec<&str> = domain.split('.').collect();
    parts.iter().find_map(|part| {
        let upper = part.to_ascii_uppercase();
        if acronyms_in(&upper).is_empty() {
            return None;
        }
        parts
            .iter()
            .filter(|p| *p != part)
            .find_map(|place| expand_acronym(&upper, &format!("{place}.gov"), rules))
    })
}

/// The initials of an agency's name (`Kern County Sheriff's Office` → `KCSO`).
pub fn initials(name: &str) -> String {
    name.split_whitespace()
        .filter(|w| !["of", "the", "and", "&"].contains(w))
        .filter_map(|w| w.chars().next())
        .filter(char::is_ascii_alphabetic)
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// Agency acronyms written in the display names of addresses (`Bell, Marcus (WCSO)
/// <mbell@washoecounty.gov>`), each with the domain of its address.
pub fn address_acronyms(addresses: &[&str]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for address in addresses {
        let Some(domain) = domain_of(address) else {
            continue;
        };
        let name = address.split('<').next().unwrap_or("");
        for acronym in acronyms_in(name) {
            out.push((acronym, domain.clone()));
        }
    }
    out
}

/// Agency acronyms in a text (`FPD`, `WCSO`, `KCSO`): capitals ending in a police or
/// sheriff suffix.
pub fn acronyms_in(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    // Words are runs of ASCII letters and digits, read byte by byte: this reads every
    // message's headers and body.
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if !bytes[i].is_ascii_alphanumeric() {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && bytes[i].is_ascii_alphanumeric() {
            i += 1;
        }
        let word = &text[start..i];
        if is_agency_acronym(word) && !out.iter().any(|w| w == word) {
            out.push(word.to_string());
        }
    }
    out
}

/// FPD, LBPD; KCSO, OCSD (a sheriff's acronym needs two letters before SO or SD, "CSO"
/// alone is a community service officer).
fn is_agency_acronym(word: &str) -> bool {
    let upper = (3..=6).contains(&word.len()) && word.bytes().all(|c| c.is_ascii_uppercase());
    upper
        && (word.len() <= 5 && word.ends_with("PD")
            || word.len() == 4 && (word.ends_with("SO") || word.ends_with("SD")))
}

/// The name parts of a domain with government affixes removed.
fn domain_cores(domain: &str, rules: &Rules) -> Vec<String> {
    let names = &rules.file.agency_names;
    domain
        .split('.')
        .filter(|p| !names.domain_drop_labels.iter().any(|d| d == p))
        .map(|p| {
            let mut core = p.replace('-', "");
            for pre in &names.domain_prefixes {
                if let Some(rest) = core.strip_prefix(pre.as_str()) {
                    core = rest.to_string();
                }
            }
            for suf in &names.domain_suffixes {
                if core.len() > suf.len() + 2 {
                    if let Some(rest) = core.strip_suffix(suf.as_str()) {
                        core = rest.to_string();
                        break;
                    }
                }
            }
            core
        })
        .filter(|c| c.len() >= 2)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whitespace_runs_flatten_to_one_space_and_map_back() {
        let text = "Immigration and\n   Customs\u{a0}\u{2003}Enforcement \u{e9}t\u{e9}\r\n";
        let (flat, origin) = flatten_whitespace(text);
        assert_eq!(flat, "Immigration and Customs Enforcement \u{e9}t\u{e9} ");
        assert_eq!(origin.len(), flat.len());
        // Each byte of the flat text maps to the same byte, or to the first of its run.
        for (k, b) in flat.bytes().enumerate() {
            let o = origin[k] as usize;
            if b == b' ' {
                assert!(text[o..].starts_with(char::is_whitespace));
            } else {
                assert_eq!(text.as_bytes()[o], b);
            }
        }
        let at = flat.find("Customs").unwrap();
        assert_eq!(
            &text[origin[at] as usize..origin[at + 6] as usize + 1],
            "Customs"
        );
    }

    fn names(text: &str) -> Vec<String> {
        let rules = Rules::default_rules().unwrap();
        agencies_in(text, &rules)
            .into_iter()
            .map(|a| a.name.to_string())
            .collect()
    }

    #[test]
    fn gazetteer_aliases_fold_into_the_agency() {
        assert_eq!(
            names("HSI and ERO both asked; ICE agrees."),
            vec!["U.S. Immigration and Customs Enforcement"]
        );
        assert!(names("the ice was thin").is_empty());
    }

    #[test]
    fn patterns_catch_unlisted_agencies() {
        assert_eq!(
            names("Det. Lorena Vasquez | Chula Vista Police Department"),
            vec!["Chula Vista Police Department"]
        );
        assert_eq!(
            names("Hope all is well over at Ontario PD."),
            vec!["Ontario Police Department"]
        );
        assert_eq!(
            names("Kern County Sheriff's Office"),
            vec!["Kern County Sheriff's Office"]
        );
        assert_eq!(
            names("LONG BEACH POLICE DEPARTMENT"),
            vec!["Long Beach Police Department"]
        );
        assert_eq!(names("Thanks, The Police Department"), Vec::<String>::new());
        assert_eq!(
            names("a Coachella Valley Water District account"),
            vec!["Coachella Valley Water District"]
        );
        assert_eq!(
            names("Arizona Highway Patrol"),
            vec!["Arizona Highway Patrol"]
        );
    }

    #[test]
    fn original_message_is_not_an_agency() {
        assert!(names("-----Original Message-----").is_empty());
    }

    #[test]
    fn domains_and_signatures() {
        let rules = Rules::default_rules().unwrap();
        assert_eq!(
            domain_of("\"A\" <a.b@ice.dhs.gov>").as_deref(),
            Some("ice.dhs.gov")
        );
        assert_eq!(
            domain_of("(b)(6) @ontarioca.gov'").as_deref(),
            Some("ontarioca.gov")
        );
        assert_eq!(
            agency_of_domain("ice.dhs.gov", &rules).unwrap().name,
            "U.S. Immigration and Customs Enforcement"
        );
        assert_eq!(domain_kind("gmail.com", &rules), DomainKind::Webmail);
        assert_eq!(domain_kind("ontarioca.gov", &rules), DomainKind::Government);
        assert_eq!(
            domain_kind("sacvalleyledger.com", &rules),
            DomainKind::Other
        );
        let body = "Can you run it?\n\nThanks,\nMarisol\n\nSpecial Agent\nHomeland Security Investigations, Santa Ana";
        assert_eq!(
            signature_agency(body, &rules).unwrap().name,
            "U.S. Immigration and Customs Enforcement"
        );
    }

    #[test]
    fn government_domains_by_shape() {
        let rules = Rules::default_rules().unwrap();
        for gov in [
            "co.merced.ca.us",
            "cityofvallejo.net",
            "kernsheriff.org",
            "oxnardpd.org",
            "pdcn.org",
            "ocsd.org",
            "ggcity.org",
            "dol.wa.gov",
            "met.police.uk",
            "x.gov.uk",
        ] {
            assert_eq!(domain_kind(gov, &rules), DomainKind::Government, "{gov}");
        }
        for other in [
            "example.co.jp",
            "example.co.uk",
            "lasso.com",
            "danforthinvestigations.com",
        ] {
            assert_eq!(domain_kind(other, &rules), DomainKind::Other, "{other}");
        }
    }

    #[test]
    fn domains_match_agencies_of_the_file() {
        let rules = Rules::default_rules().unwrap();
        let a = |name: &str, kind: &str| Agency {
            name: name.into(),
            kind: kind.into(),
        };
        assert!(domain_matches(
            "chulavistaca.gov",
            &a("Chula Vista Police Department", "local_police"),
            &rules
        ));
        assert!(domain_matches(
            "co.merced.ca.us",
            &a("Merced County Sheriff's Office", "local_police"),
            &rules
        ));
        assert!(!domain_matches(
            "co.merced.ca.us",
            &a("Merced Police Department", "local_police"),
            &rules
        ));
        assert!(domain_matches(
            "cityofmerced.org",
            &a("Merced Police Department", "local_police"),
            &rules
        ));
        assert!(domain_matches(
            "cvwd.org",
            &a("Coachella Valley Water District", "utility"),
            &rules
        ));
        assert!(domain_matches(
            "kernsheriff.org",
            &a("Kern County Sheriff's Office", "local_police"),
            &rules
        ));
        assert!(!domain_matches(
            "sacvalleyledger.com",
            &a("Sacramento County Sheriff's Office", "local_police"),
            &rules
        ));
        assert!(domain_matches(
            "tucsonaz.gov",
            &a("Tucson Police Department", "local_police"),
            &rules
        ));
    }

    #[test]
    fn acronyms_expand_against_domains() {
        let rules = Rules::default_rules().unwrap();
        assert_eq!(
            expand_acronym("WCSO", "washoecounty.gov", &rules)
                .unwrap()
                .name,
            "Washoe County Sheriff's Office"
        );
        assert_eq!(
            expand_acronym("FPD", "fresno.gov", &rules).unwrap().name,
            "Fresno Police Department"
        );
        assert!(expand_acronym("LBPD", "fresno.gov", &rules).is_none());
        assert_eq!(
            agency_of_domain_parts("mcso.maricopa.gov", &rules)
                .unwrap()
                .name,
            "Maricopa County Sheriff's Office"
        );
        assert!(agency_of_domain_parts("ice.dhs.gov", &rules).is_none());
        assert!(expand_acronym("CCSO", "cookcountyil.gov", &rules).is_none());
        let rules = Rules::default_rules().unwrap();
        assert!(
            is_umbrella_domain("tn.gov", &rules) && is_umbrella_domain("lists.state.mn.us", &rules)
        );
        assert!(is_umbrella_domain("usdoj.gov", &rules));
        assert!(!is_umbrella_domain("ice.dhs.gov", &rules));
        assert_eq!(
            acronyms_in("Bell, Marcus (WCSO) and FPD's LPR, not CPRA or PDF"),
            vec!["WCSO", "FPD"]
        );
        assert_eq!(
            address_acronyms(&["Bell, Marcus (WCSO) <mbell@washoecounty.gov>"]),
            vec![("WCSO".to_string(), "washoecounty.gov".to_string())]
        );
    }

    #[test]
    fn longer_names_hold_shorter_ones() {
        assert_eq!(
            names("University of Colorado Boulder Police Department"),
            vec!["University of Colorado Boulder Police Department"]
        );
        assert_eq!(
            names("OREGON DEPARTMENT OF JUSTICE - PUBLIC RECORDS"),
            vec!["Office of the Attorney General of Oregon"]
        );
    }

    #[test]
    fn wrapped_names_and_document_numbers() {
        assert_eq!(
            names("Sacramento County\nSheriff's Office 8 seats"),
            vec!["Sacramento County Sheriff's Office"]
        );
        assert!(names("DOJ-OGR-00012345").is_empty());
        assert_eq!(
            names("with U.S. Immigration and Customs\n   Enforcement or"),
            vec!["U.S. Immigration and Customs Enforcement"]
        );
        assert_eq!(
            names("the Texas Department\nof Public Safety"),
            vec!["Texas Department of Public Safety"]
        );
    }
}
