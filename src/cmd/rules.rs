//! `backchannel rules`: prints the default rules file, or (`--patterns`) the regular
//! expressions a line-oriented search tool needs to look for the same things.

use std::collections::HashSet;
use std::io::Write;

use anyhow::Context;

use backchannel::rules::Rules;

/// Print the default rules file, to copy and extend.
///
/// The rules hold the agency gazetteer (names, aliases, email domains), the patterns that
/// name agencies no list holds, and the phrase lists that find requests, data types,
/// formal channels and bypasses. Lists in a file given to `analyze --rules` are added to
/// these; scalar settings (the scoring weights) replace them.
///
/// Examples:
///   backchannel rules > my-rules.json
///   rg -f <(backchannel rules --patterns) releases/
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Print instead, one per line, regular expressions for what the rules look for, to
    /// search a production with ripgrep: the phrases that find a request (request,
    /// recounted-request and prior-ask phrases, case-insensitive), every agency name,
    /// alias (acronyms case-sensitive) and email domain of the gazetteer, the patterns
    /// that name agencies no list holds, and FOIA exemption codes as redactions print
    /// them ((b)(6), (b) (7)(C), B6, B7(C), b7c). Names are regex-escaped and matched as
    /// whole words. The lines are in ripgrep's (Rust regex) syntax, with no named groups
    /// and every flag inside its own group, as ripgrep joins the lines of `-f` into one
    /// expression. A line search finds where these appear, not which message asks whom:
    /// it does not decode MIME, read PDFs or repair OCR noise as analyze does.
    /// Example: `rg -c -f <(backchannel rules --patterns) releases/`
    #[arg(long)]
    pub patterns: bool,

    /// With --patterns: a rules file extending the defaults, as for `analyze --rules`.
    /// Example: `backchannel rules --patterns --rules my-rules.json > patterns.txt`
    #[arg(long, value_name = "FILE", requires = "patterns")]
    pub rules: Option<std::path::PathBuf>,
}

pub fn run(args: Args) -> anyhow::Result<()> {
    let text = if args.patterns {
        let rules = match &args.rules {
            Some(path) => Rules::with_user_file(path)
                .with_context(|| format!("loading rules from {}", path.display()))?,
            None => Rules::default_rules().context("loading the default rules")?,
        };
        let mut lines = search_patterns(&rules).join("\n");
        lines.push('\n');
        lines
    } else {
        backchannel::rules::DEFAULT_RULES.to_string()
    };
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        // `backchannel rules | head` closes the pipe early: not an error.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        written => written.context("writing to standard output"),
    }
}

/// An ASCII word boundary, as the rules read `\b` (see `rules.rs`).
const WORD_EDGE: &str = r"(?-u:\b)";

/// Exemption codes as the redaction reader (`extract/redactions.rs`) takes them: the
/// federal form with an optional subsection, `(b)(6)`, `(b) (7)(C)`, and the short forms
/// of release stamps and margins, `B6`, `B 6`, `B7(C)`, `B7C`, `b6`, `b7c`.
const EXEMPTION_PATTERNS: [&str; 2] = [
    r"\(\s*[bB]\s*\)\s*\(\s*[1-9]\s*\)(?:\s*\(\s*[A-Fa-f]\s*\))?",
    r"(?-u:\b)(?:B\s?[1-9](?:\s?\([A-Fa-f]\)|[A-Fa-f]?(?-u:\b))|b[1-9][A-Fa-f]?(?-u:\b))",
];

/// The patterns, in order (request phrases, agencies, exemption codes), each once.
fn search_patterns(rules: &Rules) -> Vec<String> {
    let file = &rules.file;
    let mut lines = Vec::new();
    let phrases = file
        .request_phrases
        .iter()
        .chain(&file.recounted_request_phrases)
        .chain(&file.prior_ask_phrases);
    for phrase in phrases {
        lines.push(format!("(?i:{})", phrase.replace(r"\b", WORD_EDGE)));
    }
    for agency in &file.agencies {
        for name in std::iter::once(&agency.name).chain(&agency.aliases) {
            lines.push(literal_words(name, !is_acronym(name)));
        }
        for domain in &agency.domains {
            lines.push(literal_words(domain, true));
        }
    }
    for pattern in &rules.patterns {
        lines.push(format!(
            "(?:{})",
            without_group_names(pattern.regex.as_str())
        ));
    }
    lines.extend(EXEMPTION_PATTERNS.iter().map(|p| p.to_string()));
    let mut seen = HashSet::new();
    lines.retain(|l| !l.is_empty() && seen.insert(l.clone()));
    lines
}

/// An all-capitals alias (`ICE`, `D.P.S.`) is matched with its case, as analyze does.
fn is_acronym(alias: &str) -> bool {
    alias.len() <= 6 && alias.chars().all(|c| c.is_ascii_uppercase() || c == '.')
}

/// A name matched as whole words: escaped, any run of white space between its words,
/// and a word boundary at each end that is a word character.
fn literal_words(name: &str, case_insensitive: bool) -> String {
    let words: Vec<String> = name.split_whitespace().map(regex::escape).collect();
    if words.is_empty() {
        return String::new();
    }
    let is_word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
    let mut out = String::new();
    if is_word(name.trim().chars().next()) {
        out.push_str(WORD_EDGE);
    }
    out.push_str(&words.join(r"\s+"));
    if is_word(name.trim().chars().next_back()) {
        out.push_str(WORD_EDGE);
    }
    match case_insensitive {
        true => format!("(?i:{out})"),
        false => out,
    }
}

/// `(?P<place>...)` and `(?<place>...)` as `(?:...)`: ripgrep joins its patterns into one
/// expression, in which a group name may appear only once.
fn without_group_names(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len());
    let mut rest = pattern;
    while let Some(at) = rest.find("(?") {
        let (before, from) = rest.split_at(at);
        let escaped = before.chars().rev().take_while(|&c| c == '\\').count() % 2 == 1;
        out.push_str(before);
        let name_start = ["(?P<", "(?<"]
            .iter()
            .find(|p| from.starts_with(**p) && !escaped && !from[p.len()..].starts_with(['=', '!']))
            .map(|p| p.len());
        match name_start.and_then(|n| from[n..].find('>').map(|close| n + close + 1)) {
            Some(end) => {
                out.push_str("(?:");
                rest = &from[end..];
            }
            None => {
                out.push_str("(?");
                rest = &from[2..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_names_are_taken_out() {
        assert_eq!(
            without_group_names(r"(?P<place>[A-Z]\w+) (?<suffix>Office|Dept\.?)\(?P<x>"),
            r"(?:[A-Z]\w+) (?:Office|Dept\.?)\(?P<x>"
        );
        assert_eq!(
            without_group_names(r"(?i)a(?:b)(?<=c)"),
            r"(?i)a(?:b)(?<=c)"
        );
    }

    #[test]
    fn literal_names_are_escaped_whole_words() {
        assert_eq!(
            literal_words("Kern Co. Sheriff's  Office", true),
            r"(?i:(?-u:\b)Kern\s+Co\.\s+Sheriff's\s+Office(?-u:\b))"
        );
        assert_eq!(literal_words("D.P.S.", false), r"(?-u:\b)D\.P\.S\.");
        assert_eq!(
            literal_words("ice.dhs.gov", true),
            r"(?i:(?-u:\b)ice\.dhs\.gov(?-u:\b))"
        );
    }
}
