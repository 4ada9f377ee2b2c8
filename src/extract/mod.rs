//! Extract stage: takes one [`Message`] and gives what it names: agencies (text, email
//! domains, signature), redacted spans and exemption codes, identifiers (plates, VINs,
//! case and phone numbers), and the sentence signals the flag stage weighs. Extraction
//! reads only the message itself; relations between messages are the flag stage's.

pub mod agencies;
pub mod redactions;
pub mod requests;

use crate::model::{Agency, Message, Redaction};
use crate::rules::Rules;
use crate::text::repair_ocr;

pub use requests::Sentence;

/// What one message names.
#[derive(Debug, Clone, Default)]
pub struct Extracted {
    /// Agencies named in the text, headers and addresses, in order of appearance.
    pub agencies: Vec<Agency>,
    /// The sender's domain, if an address shows one.
    pub sender_domain: Option<String>,
    /// The agency of the sender's domain (gazetteer).
    pub sender_domain_agency: Option<Agency>,
    /// The agency the signature block names.
    pub signature_agency: Option<Agency>,
    /// Recipients' domains (To, then Cc).
    pub recipient_domains: Vec<String>,
    /// How many of `recipient_domains` (the first ones) come from `To:`; the rest from `Cc:`.
    pub to_domains: usize,
    pub redactions: Vec<Redaction>,
    /// Where the body's redacted spans stand in `message.body` (byte ranges): the
    /// duplicate signature leaves them out without looking for them again.
    pub body_spans: Vec<(usize, usize)>,
    pub exemptions: Vec<String>,
    pub identifiers: Vec<String>,
    pub sentences: Vec<Sentence>,
    /// Agency acronyms in address display names, with their address's domain.
    pub acronyms: Vec<(String, String)>,
    /// Agency acronyms anywhere in the headers or body (`KCSO`, `FPD`).
    pub text_acronyms: Vec<String>,
    /// The subject line's signals (a subject often names the channel: "court order").
    pub subject: Sentence,
}

/// Extracts everything a message names.
pub fn extract(message: &Message, rules: &Rules) -> Extracted {
    let body = repair_ocr(&message.body);
    let header_text = format!(
        "{}\n{}\n{}\n{}",
        message.from,
        message.to.join("; "),
        message.cc.join("; "),
        message.subject
    );
    let mut found = agencies::agencies_in(&repair_ocr(&header_text), rules);
    for a in agencies::agencies_in(&body, rules) {
        if !found.iter().any(|f| f.name == a.name) {
            found.push(a);
        }
    }
    let sender_domain = agencies::domain_of(&message.from);
    let sender_domain_agency = sender_domain
        .as_deref()
        .and_then(|d| agencies::agency_of_domain(d, rules));
    let recipient_domains: Vec<String> = message
        .to
        .iter()
        .chain(message.cc.iter())
        .filter_map(|a| agencies::domain_of(a))
        .collect();
    let to_domains = message
        .to
        .iter()
        .filter(|a| agencies::domain_of(a).is_some())
        .count();
    for domain in sender_domain.iter().chain(recipient_domains.iter()) {
        if let Some(a) = agencies::agency_of_domain(domain, rules) {
            if !found.iter().any(|f| f.name == a.name) {
                found.push(a);
            }
        }
    }
    let mut redactions = redactions::redactions_in(&header_text);
    // A printed `Attachments:` line is redacted like the rest of the header.
    let names: Vec<&str> = message
        .attachments
        .iter()
        .map(|a| a.name.as_str())
        .collect();
    redactions.extend(redactions::redactions_in(&names.join("; ")));
    let mut body_spans = Vec::new();
    for span in redactions::located_redactions(&message.body) {
        body_spans.push((span.start, span.end));
        redactions.push(span.redaction);
    }
    let mut exemptions: Vec<String> = Vec::new();
    for code in redactions.iter().flat_map(|r| r.codes.iter()) {
        if !exemptions.contains(code) {
            exemptions.push(code.clone());
        }
    }
    exemptions.sort();
    Extracted {
        agencies: found,
        signature_agency: agencies::signature_agency(&body, rules),
        sender_domain,
        sender_domain_agency,
        recipient_domains,
        to_domains,
        redactions,
        body_spans,
        exemptions,
        identifiers: identifiers(&format!("{}\n{}", message.subject, message.body), rules),
        sentences: requests::sentence_signals(&body, rules),
        subject: requests::signals(&repair_ocr(&message.subject), rules),
        text_acronyms: agencies::acronyms_in(&format!("{header_text}\n{body}")),
        acronyms: agencies::address_acronyms(
            &std::iter::once(message.from.as_str())
                .chain(message.to.iter().map(String::as_str))
                .chain(message.cc.iter().map(String::as_str))
                .collect::<Vec<_>>(),
        ),
    }
}

/// Plates, VINs, case and phone numbers, each as `kind:value`, once each.
fn identifiers(text: &str, rules: &Rules) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (kind, regex) in &rules.identifiers {
        for caps in regex.captures_iter(text) {
            let value = caps
                .iter()
                .skip(1)
                .flatten()
                .next()
                .or_else(|| caps.get(0))
                .map(|m| m.as_str().trim().to_string());
            let Some(value) = value else { continue };
            // A VIN or a plate has both letters and digits; "plate reader" and a 17-digit
            // number are something else.
            let mixed = value.chars().any(|c| c.is_ascii_digit())
                && value.chars().any(|c| c.is_ascii_alphabetic());
            if (kind == "vin" || kind == "plate") && !mixed {
                continue;
            }
            let item = format!("{kind}:{value}");
            if !out.contains(&item) {
                out.push(item);
            }
        }
    }
    out
}
