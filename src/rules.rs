//! Rules as data. Takes the default rules file compiled into the binary (and, optionally, a
//! user's file whose lists extend the defaults and whose scalars replace them) and gives
//! [`Rules`]: every gazetteer, pattern and phrase list compiled once into automata and
//! regular expressions that the extract and flag stages share read-only across threads.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use regex::{Regex, RegexBuilder, RegexSet, RegexSetBuilder};
use serde::Deserialize;
use serde_json::Value;

use crate::error::Error;
use crate::model::{Agency, Name};

/// The default rules file, as shipped; `backchannel rules` prints it.
pub const DEFAULT_RULES: &str = include_str!("default_rules.json");

/// What kind of organisation an agency is.
pub type AgencyKind = String;

#[derive(Debug, Clone, Deserialize)]
pub struct AgencyEntry {
    pub name: String,
    pub kind: AgencyKind,
    #[serde(default)]
    pub aliases: Vec<String>,
    #[serde(default)]
    pub domains: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct AgencyPattern {
    pub pattern: String,
    pub template: String,
    pub kind: AgencyKind,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Scoring {
    pub request_act: f64,
    pub fulfilment: f64,
    pub data_type: f64,
    pub cross_agency: f64,
    pub bypass: f64,
    pub formal_channel: f64,
    pub self_query: f64,
    pub flag_threshold: f64,
}

/// How names, acronyms and email domains are tied together (see the rules file).
#[derive(Debug, Clone, Deserialize)]
pub struct AgencyNames {
    pub kind_words: Vec<String>,
    pub acronym_forms: BTreeMap<String, String>,
    pub domain_drop_labels: Vec<String>,
    pub domain_prefixes: Vec<String>,
    pub domain_suffixes: Vec<String>,
    pub state_codes: Vec<String>,
}

/// What makes an email domain a government one (see the rules file).
#[derive(Debug, Clone, Deserialize)]
pub struct GovernmentDomains {
    pub tlds: Vec<String>,
    pub first_labels: Vec<String>,
    pub label_prefixes: Vec<String>,
    pub label_suffixes: Vec<String>,
    pub short_label_suffixes: Vec<String>,
}

/// How copies are recognised and conversations joined (see the rules file).
#[derive(Debug, Clone, Deserialize)]
pub struct Threading {
    /// Reply and forward prefixes taken off subjects (`RE`, `FW`, `AW`, `TR`...).
    pub subject_prefixes: Vec<String>,
    /// Subjects too generic to join two conversations on their own.
    pub generic_subjects: Vec<String>,
    /// Conversations with one subject and a participant in common are joined when together
    /// they span no more than this many days.
    pub subject_gap_days: i64,
    pub near_duplicate: NearDuplicate,
}

/// When two messages' texts make them one message.
#[derive(Debug, Clone, Deserialize)]
pub struct NearDuplicate {
    /// Estimated Jaccard similarity of character shingles needed when sender and minute
    /// both agree.
    pub similarity: f64,
    /// Added to the threshold for each of sender and date that cannot be compared.
    pub unknown_penalty: f64,
    /// Texts with fewer shingles than this must match exactly, and in date.
    pub min_shingles: u32,
}

/// The rules file as written.
#[derive(Debug, Clone, Deserialize)]
pub struct RulesFile {
    pub agencies: Vec<AgencyEntry>,
    pub agency_patterns: Vec<AgencyPattern>,
    pub place_stopwords: Vec<String>,
    pub states: Vec<String>,
    pub not_agencies: Vec<String>,
    pub agency_names: AgencyNames,
    pub webmail_domains: Vec<String>,
    pub government_domains: GovernmentDomains,
    pub umbrella_domains: Vec<String>,
    pub request_phrases: Vec<String>,
    pub fulfilment_phrases: Vec<String>,
    pub data_types: BTreeMap<String, Vec<String>>,
    pub no_data_topics: Vec<String>,
    /// Handling notices (FOUO warnings, confidentiality footers): channels named in a
    /// sentence that matches one are not channels.
    #[serde(default)]
    pub notice_phrases: Vec<String>,
    pub formal_channels: BTreeMap<String, Vec<String>>,
    pub bypass_phrases: Vec<String>,
    pub negations: Vec<String>,
    pub offer_phrases: Vec<String>,
    pub recounted_request_phrases: Vec<String>,
    pub prior_ask_phrases: Vec<String>,
    pub identifiers: BTreeMap<String, String>,
    pub scoring: Scoring,
    pub threading: Threading,
}

/// A phrase list compiled twice: as one set, which tells in a single pass whether any
/// phrase (and which) matches, and as single patterns, which tell where.
#[derive(Debug, Clone)]
pub struct PhraseList {
    pub set: RegexSet,
    pub patterns: Vec<Regex>,
}

impl PhraseList {
    pub fn is_match(&self, text: &str) -> bool {
        self.set.is_match(text)
    }
    /// The earliest match of any phrase.
    pub fn first<'t>(&self, text: &'t str) -> Option<regex::Match<'t>> {
        // Most texts match nothing: the set's plain test stops at the first match and
        // allocates nothing, where `matches` reads to the end and fills a table.
        if !self.set.is_match(text) {
            return None;
        }
        self.set
            .matches(text)
            .iter()
            .filter_map(|i| self.patterns[i].find(text))
            .min_by_key(|m| m.start())
    }
}

/// Several named phrase lists (data types, formal channels) in one set, so that one pass
/// over a sentence tells which names match.
#[derive(Debug, Clone)]
pub struct NamedLists {
    pub names: Vec<String>,
    set: RegexSet,
    /// For each pattern of the set, the index of its name.
    owner: Vec<usize>,
}

impl NamedLists {
    /// The names whose lists match `text`, in rules order, each once.
    pub fn matching(&self, text: &str) -> Vec<String> {
        if !self.set.is_match(text) {
            return Vec::new();
        }
        let mut hit = vec![false; self.names.len()];
        for i in self.set.matches(text).iter() {
            hit[self.owner[i]] = true;
        }
        self.names
            .iter()
            .zip(hit)
            .filter(|(_, h)| *h)
            .map(|(n, _)| n.clone())
            .collect()
    }
}

#[derive(Debug, Clone)]
pub struct CompiledPattern {
    pub regex: Regex,
    pub template: String,
    pub kind: Name,
}

/// Compiled rules, shared by every stage.
#[derive(Debug, Clone)]
pub struct Rules {
    pub file: RulesFile,
    /// Gazetteer aliases matched case-insensitively (names of more than one word or mixed case).
    pub alias_ci: AhoCorasick,
    pub alias_ci_target: Vec<usize>,
    /// Acronym aliases (all capitals) matched case-sensitively: "ICE" is an agency, "ice" is not.
    pub alias_cs: AhoCorasick,
    pub alias_cs_target: Vec<usize>,
    pub domain_to_agency: HashMap<String, usize>,
    /// Each gazetteer entry as the agency messages are found to name.
    gazetteer: Vec<Agency>,
    /// Tells these rules from any other compiled in the process (clones share it), for
    /// the extract stage's memos ([`crate::memo`]).
    pub id: u64,
    pub patterns: Vec<CompiledPattern>,
    /// The agency patterns in one set: one pass tells which of them a text holds, where
    /// each pattern alone would be a pass of its own (they start with a place name, which
    /// no literal prefilter can skip to).
    pub any_pattern: RegexSet,
    pub place_stopwords: Vec<String>,
    pub not_agencies: Vec<String>,
    pub request: PhraseList,
    pub fulfilment: PhraseList,
    pub data_types: NamedLists,
    pub no_data: PhraseList,
    pub notices: PhraseList,
    pub formal: NamedLists,
    pub bypass: PhraseList,
    pub negations: PhraseList,
    pub offers: PhraseList,
    pub recounted: PhraseList,
    pub prior_ask: PhraseList,
    pub identifiers: Vec<(String, Regex)>,
    /// All identifier patterns in one set: most sentences hold none.
    pub any_identifier: RegexSet,
}

/// The default rules as JSON, extended by a user's rules file.
fn merged(user: Option<&Path>) -> Result<Value, Error> {
    let mut base: Value = serde_json::from_str(DEFAULT_RULES)
        .map_err(|e| Error::Rules(format!("default rules: {e}")))?;
    if let Some(path) = user {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::Rules(format!("{}: {e}", path.display())))?;
        let user: Value = serde_json::from_str(&text)
            .map_err(|e| Error::Rules(format!("{}: {e}", path.display())))?;
        merge(&mut base, user);
    }
    Ok(base)
}

impl Rules {
    /// The default rules.
    pub fn default_rules() -> Result<Rules, Error> {
        Self::from_value(merged(None)?)
    }

    /// The default rules extended by a user's rules file.
    pub fn with_user_file(path: &Path) -> Result<Rules, Error> {
        Self::from_value(merged(Some(path))?)
    }

    /// The rules a run would use (the defaults, extended by `user`), as one JSON text
    /// with its keys in order: the same rules give the same text, whatever the files'
    /// layout. What a case compares to tell whether a file was read with these rules.
    pub fn canonical_json(user: Option<&Path>) -> Result<String, Error> {
        serde_json::to_string(&merged(user)?).map_err(|e| Error::Rules(e.to_string()))
    }

    fn from_value(value: Value) -> Result<Rules, Error> {
        let file: RulesFile =
            serde_json::from_value(value).map_err(|e| Error::Rules(e.to_string()))?;
        compile(file)
    }

    /// Whether a domain is one a whole department shares (`usdoj.gov`).
    pub fn umbrella(&self, domain: &str) -> bool {
        self.file.umbrella_domains.iter().any(|u| u == domain)
    }

    /// The gazetteer's agency `index`, as found in a message (shared, not copied).
    pub fn found_agency(&self, index: usize) -> Agency {
        self.gazetteer[index].clone()
    }
}

/// Lists extend, objects merge key by key, anything else replaces.
fn merge(base: &mut Value, user: Value) {
    match (base, user) {
        (Value::Array(b), Value::Array(u)) => b.extend(u),
        (Value::Object(b), Value::Object(u)) => {
            for (k, v) in u {
                match b.get_mut(&k) {
                    Some(slot) => merge(slot, v),
                    None => {
                        b.insert(k, v);
                    }
                }
            }
        }
        (slot, u) => *slot = u,
    }
}

/// Room for each pattern's lazy DFA. The phrase lists are case-insensitive alternations
/// with many states; with the default room their DFAs are rebuilt over and over.
const LAZY_DFA_CACHE: usize = 16 << 20;

/// Rules are written for ASCII word boundaries: `\b` is read as `(?-u:\b)`, several
/// times faster than the Unicode one on the hot path.
fn prepare(pattern: &str, case_insensitive: bool) -> String {
    let ascii = pattern.replace(r"\b", r"(?-u:\b)");
    if case_insensitive {
        format!("(?i){ascii}")
    } else {
        ascii
    }
}

fn regex(pattern: &str, case_insensitive: bool) -> Result<Regex, Error> {
    RegexBuilder::new(&prepare(pattern, case_insensitive))
        .dfa_size_limit(LAZY_DFA_CACHE)
        .build()
        .map_err(|e| Error::Rules(format!("pattern {pattern:?}: {e}")))
}

fn set(patterns: &[String], case_insensitive: bool) -> Result<RegexSet, Error> {
    RegexSetBuilder::new(patterns.iter().map(|p| prepare(p, case_insensitive)))
        .dfa_size_limit(LAZY_DFA_CACHE)
        .build()
        .map_err(|e| Error::Rules(format!("pattern list: {e}")))
}

fn phrases(patterns: &[String]) -> Result<PhraseList, Error> {
    Ok(PhraseList {
        set: set(patterns, true)?,
        patterns: patterns
            .iter()
            .map(|p| regex(p, true))
            .collect::<Result<_, _>>()?,
    })
}

fn named(map: &BTreeMap<String, Vec<String>>) -> Result<NamedLists, Error> {
    let mut names = Vec::new();
    let mut all = Vec::new();
    let mut owner = Vec::new();
    for (i, (name, pats)) in map.iter().enumerate() {
        names.push(name.clone());
        for p in pats {
            all.push(p.clone());
            owner.push(i);
        }
    }
    Ok(NamedLists {
        names,
        set: set(&all, true)?,
        owner,
    })
}

fn is_acronym(alias: &str) -> bool {
    alias.len() <= 6 && alias.chars().all(|c| c.is_ascii_uppercase() || c == '.')
}

/// The id the next compiled rules get (0 is no rules).
static NEXT_RULES_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

fn compile(file: RulesFile) -> Result<Rules, Error> {
    let mut ci = Vec::new();
    let mut ci_target = Vec::new();
    let mut cs = Vec::new();
    let mut cs_target = Vec::new();
    let mut domain_to_agency = HashMap::new();
    for (i, agency) in file.agencies.iter().enumerate() {
        let names = std::iter::once(&agency.name).chain(agency.aliases.iter());
        for alias in names {
            if is_acronym(alias) {
                cs.push(alias.clone());
                cs_target.push(i);
            } else {
                ci.push(alias.clone());
                ci_target.push(i);
            }
        }
        for d in &agency.domains {
            domain_to_agency.insert(d.to_ascii_lowercase(), i);
        }
    }
    let build = |pats: &[String], insensitive: bool| {
        AhoCorasickBuilder::new()
            .ascii_case_insensitive(insensitive)
            .match_kind(MatchKind::LeftmostLongest)
            // Every message's text goes through the gazetteer: a DFA reads it fastest.
            .kind(Some(AhoCorasickKind::DFA))
            .build(pats)
            .map_err(|e| Error::Rules(format!("gazetteer: {e}")))
    };
    let alias_ci = build(&ci, true)?;
    let alias_cs = build(&cs, false)?;

    let place = r"(?:[A-Z][A-Za-z'.]*|[A-Z]{2,}|St\.)(?:[ -](?:[A-Z][a-z'.]+|[A-Z]{2,}|de|del|la|los|las))*";
    let states = file
        .states
        .iter()
        .map(|s| regex::escape(s))
        .collect::<Vec<_>>()
        .join("|");
    let state = format!("(?:{states})");
    let expanded: Vec<String> = file
        .agency_patterns
        .iter()
        .map(|p| {
            p.pattern
                .replace("{PLACE}", place)
                .replace("{STATE}", &state)
        })
        .collect();
    let any_pattern = set(&expanded, false)?;
    let patterns = file
        .agency_patterns
        .iter()
        .zip(&expanded)
        .map(|(p, expanded)| {
            Ok(CompiledPattern {
                regex: RegexBuilder::new(&prepare(expanded, false))
                    .dfa_size_limit(LAZY_DFA_CACHE)
                    .build()
                    .map_err(|e| Error::Rules(format!("agency pattern {:?}: {e}", p.pattern)))?,
                template: p.template.clone(),
                kind: Name::from(p.kind.as_str()),
            })
        })
        .collect::<Result<Vec<_>, Error>>()?;

    let identifiers = file
        .identifiers
        .iter()
        .map(|(k, p)| Ok((k.clone(), regex(p, false)?)))
        .collect::<Result<Vec<_>, Error>>()?;
    let id_patterns: Vec<String> = file
        .identifiers
        .iter()
        .filter(|(k, _)| k.as_str() != "case")
        .map(|(_, p)| p.clone())
        .collect();
    let any_identifier = set(&id_patterns, false)?;

    Ok(Rules {
        alias_ci,
        alias_ci_target: ci_target,
        alias_cs,
        alias_cs_target: cs_target,
        domain_to_agency,
        id: NEXT_RULES_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
        gazetteer: file
            .agencies
            .iter()
            .map(|a| Agency {
                name: Name::from(a.name.as_str()),
                kind: Name::from(a.kind.as_str()),
            })
            .collect(),
        patterns,
        any_pattern,
        place_stopwords: file.place_stopwords.clone(),
        not_agencies: file
            .not_agencies
            .iter()
            .map(|s| s.to_ascii_lowercase())
            .collect(),
        request: phrases(&file.request_phrases)?,
        fulfilment: phrases(&file.fulfilment_phrases)?,
        data_types: named(&file.data_types)?,
        no_data: phrases(&file.no_data_topics)?,
        notices: phrases(&file.notice_phrases)?,
        formal: named(&file.formal_channels)?,
        bypass: phrases(&file.bypass_phrases)?,
        negations: phrases(&file.negations)?,
        offers: phrases(&file.offer_phrases)?,
        recounted: phrases(&file.recounted_request_phrases)?,
        prior_ask: phrases(&file.prior_ask_phrases)?,
        identifiers,
        any_identifier,
        file,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_rules_compile() {
        let rules = Rules::default_rules().unwrap();
        assert!(rules.domain_to_agency.contains_key("ice.dhs.gov"));
        assert!(!rules.request.patterns.is_empty());
    }

    #[test]
    fn user_lists_extend_defaults_and_scalars_replace() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("rules.json");
        std::fs::write(
            &path,
            r#"{"agencies": [{"name": "Springfield Water Board", "kind": "utility", "aliases": ["SWB"], "domains": ["swb.example.org"]}],
                "scoring": {"flag_threshold": 0.5}}"#,
        )
        .unwrap();
        let rules = Rules::with_user_file(&path).unwrap();
        assert!(rules.domain_to_agency.contains_key("swb.example.org"));
        assert!(rules.domain_to_agency.contains_key("ice.dhs.gov"));
        assert_eq!(rules.file.scoring.flag_threshold, 0.5);
        assert_eq!(rules.file.scoring.request_act, 0.35);
    }
}
