//! Rules as data. Takes the default rules file compiled into the binary (and, optionally, a
//! user's file whose lists extend the defaults and whose scalars replace them) and gives
//! [`Rules`]: every gazetteer, pattern and phrase list compiled once into automata and
//! regular expressions that the extract and flag stages share read-only across threads.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use regex::Regex;
use serde::Deserialize;
use serde_json::Value;

use crate::error::Error;

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

/// The rules file as written.
#[derive(Debug, Clone, Deserialize)]
pub struct RulesFile {
    pub agencies: Vec<AgencyEntry>,
    pub agency_patterns: Vec<AgencyPattern>,
    pub place_stopwords: Vec<String>,
    pub states: Vec<String>,
    pub not_agencies: Vec<String>,
    pub webmail_domains: Vec<String>,
    pub government_domain_hints: Vec<String>,
    pub systems: Vec<String>,
    pub request_phrases: Vec<String>,
    pub fulfilment_phrases: Vec<String>,
    pub data_types: BTreeMap<String, Vec<String>>,
    pub no_data_topics: Vec<String>,
    pub formal_channels: BTreeMap<String, Vec<String>>,
    pub bypass_phrases: Vec<String>,
    pub negations: Vec<String>,
    pub offer_phrases: Vec<String>,
    pub recounted_request_phrases: Vec<String>,
    pub identifiers: BTreeMap<String, String>,
    pub scoring: Scoring,
}

/// A named list of compiled patterns (a data type, a formal channel kind...).
#[derive(Debug)]
pub struct NamedPatterns {
    pub name: String,
    pub patterns: Vec<Regex>,
}

impl NamedPatterns {
    pub fn is_match(&self, text: &str) -> bool {
        self.patterns.iter().any(|p| p.is_match(text))
    }
    pub fn find<'t>(&self, text: &'t str) -> Option<regex::Match<'t>> {
        self.patterns.iter().find_map(|p| p.find(text))
    }
}

#[derive(Debug)]
pub struct CompiledPattern {
    pub regex: Regex,
    pub template: String,
    pub kind: AgencyKind,
}

/// Compiled rules, shared by every stage.
#[derive(Debug)]
pub struct Rules {
    pub file: RulesFile,
    /// Gazetteer aliases matched case-insensitively (names of more than one word or mixed case).
    pub alias_ci: AhoCorasick,
    pub alias_ci_target: Vec<usize>,
    /// Acronym aliases (all capitals) matched case-sensitively: "ICE" is an agency, "ice" is not.
    pub alias_cs: AhoCorasick,
    pub alias_cs_target: Vec<usize>,
    pub domain_to_agency: HashMap<String, usize>,
    pub patterns: Vec<CompiledPattern>,
    pub place_stopwords: Vec<String>,
    pub not_agencies: Vec<String>,
    pub request: Vec<Regex>,
    pub fulfilment: Vec<Regex>,
    pub data_types: Vec<NamedPatterns>,
    pub no_data: Vec<Regex>,
    pub formal: Vec<NamedPatterns>,
    pub bypass: Vec<Regex>,
    pub negations: Vec<Regex>,
    pub offers: Vec<Regex>,
    pub recounted: Vec<Regex>,
    pub identifiers: Vec<(String, Regex)>,
}

impl Rules {
    /// The default rules.
    pub fn default_rules() -> Result<Rules, Error> {
        let value: Value = serde_json::from_str(DEFAULT_RULES)
            .map_err(|e| Error::Rules(format!("default rules: {e}")))?;
        Self::from_value(value)
    }

    /// The default rules extended by a user's rules file.
    pub fn with_user_file(path: &Path) -> Result<Rules, Error> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::Rules(format!("{}: {e}", path.display())))?;
        let user: Value = serde_json::from_str(&text)
            .map_err(|e| Error::Rules(format!("{}: {e}", path.display())))?;
        let mut base: Value = serde_json::from_str(DEFAULT_RULES)
            .map_err(|e| Error::Rules(format!("default rules: {e}")))?;
        merge(&mut base, user);
        Self::from_value(base)
    }

    fn from_value(value: Value) -> Result<Rules, Error> {
        let file: RulesFile =
            serde_json::from_value(value).map_err(|e| Error::Rules(e.to_string()))?;
        compile(file)
    }

    pub fn agency(&self, index: usize) -> &AgencyEntry {
        &self.file.agencies[index]
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

fn regex(pattern: &str, case_insensitive: bool) -> Result<Regex, Error> {
    let full = if case_insensitive {
        format!("(?i){pattern}")
    } else {
        pattern.to_string()
    };
    Regex::new(&full).map_err(|e| Error::Rules(format!("pattern {pattern:?}: {e}")))
}

fn regexes(patterns: &[String]) -> Result<Vec<Regex>, Error> {
    patterns.iter().map(|p| regex(p, true)).collect()
}

fn named(map: &BTreeMap<String, Vec<String>>) -> Result<Vec<NamedPatterns>, Error> {
    map.iter()
        .map(|(name, pats)| {
            Ok(NamedPatterns {
                name: name.clone(),
                patterns: regexes(pats)?,
            })
        })
        .collect()
}

fn is_acronym(alias: &str) -> bool {
    alias.len() <= 6 && alias.chars().all(|c| c.is_ascii_uppercase() || c == '.')
}

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
    let patterns = file
        .agency_patterns
        .iter()
        .map(|p| {
            let expanded = p
                .pattern
                .replace("{PLACE}", place)
                .replace("{STATE}", &state);
            Ok(CompiledPattern {
                regex: Regex::new(&expanded)
                    .map_err(|e| Error::Rules(format!("agency pattern {:?}: {e}", p.pattern)))?,
                template: p.template.clone(),
                kind: p.kind.clone(),
            })
        })
        .collect::<Result<Vec<_>, Error>>()?;

    let identifiers = file
        .identifiers
        .iter()
        .map(|(k, p)| Ok((k.clone(), regex(p, false)?)))
        .collect::<Result<Vec<_>, Error>>()?;

    Ok(Rules {
        alias_ci,
        alias_ci_target: ci_target,
        alias_cs,
        alias_cs_target: cs_target,
        domain_to_agency,
        patterns,
        place_stopwords: file.place_stopwords.clone(),
        not_agencies: file
            .not_agencies
            .iter()
            .map(|s| s.to_ascii_lowercase())
            .collect(),
        request: regexes(&file.request_phrases)?,
        fulfilment: regexes(&file.fulfilment_phrases)?,
        data_types: named(&file.data_types)?,
        no_data: regexes(&file.no_data_topics)?,
        formal: named(&file.formal_channels)?,
        bypass: regexes(&file.bypass_phrases)?,
        negations: regexes(&file.negations)?,
        offers: regexes(&file.offer_phrases)?,
        recounted: regexes(&file.recounted_request_phrases)?,
        identifiers,
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
        assert!(!rules.request.is_empty());
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
