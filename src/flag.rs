//! Flag stage: takes the messages of one file with what extract found in each, and gives
//! each message its [`Findings`]: the sender's agency and the recipients' (from domains,
//! signatures, domains learnt from other messages of the file, and the chain: a reply goes
//! to the sender of the message it quotes), and the informal-request verdict with its
//! score, the rules that fired and the evidence sentences.

use std::collections::HashMap;

use crate::extract::agencies::{
    agency_of_domain, agency_of_domain_parts, domain_kind, domain_matches, expand_acronym,
    initials, is_umbrella_domain, DomainKind,
};
use crate::extract::{Extracted, Sentence};
use crate::model::{Agency, Findings, Flag, Message};
use crate::rules::Rules;

/// Who a message's sender is, as far as can be told.
#[derive(Debug, Clone, PartialEq)]
enum Party {
    Agency(Agency),
    /// Someone outside government (a newspaper, an NGO, a private investigator, a vendor's
    /// marketing address).
    Outsider,
    Unknown,
}

/// Builds the findings of every message of one file, in order.
///
/// `custodian` is the agency that released the file, when its page banners name one: a
/// party to every message in it, so the recipient of last resort.
pub fn flag_file(
    messages: &[Message],
    extracted: &[Extracted],
    custodian: Option<&Agency>,
    rules: &Rules,
) -> Vec<Findings> {
    let mut resolver = Resolver::new(extracted, rules);
    if let Some(c) = custodian {
        if !resolver.named.contains(c) {
            resolver.named.push(c.clone());
        }
    }
    let senders: Vec<Party> = extracted.iter().map(|e| resolver.sender(e)).collect();
    let senders = infer_from_chain(messages, senders);
    (0..messages.len())
        .map(|i| {
            let mut recipients = recipient_agencies(i, messages, extracted, &senders, &resolver);
            if let Some(c) = custodian {
                if recipients.is_empty() && sender_agency(&senders[i]) != Some(c) {
                    recipients.push(c.clone());
                }
            }
            let mut findings = findings_for(i, extracted, &senders, recipients, &resolver, rules);
            if resolver.names_state_motor_vehicles() {
                findings
                    .agencies
                    .retain(|a| a.name != GENERIC_MOTOR_VEHICLES);
            }
            if let Some(c) = custodian {
                if i == 0 && !findings.agencies.contains(c) {
                    findings.agencies.push(c.clone());
                }
            }
            findings
        })
        .collect()
}

/// The name the rules give a "DMV" whose state the text does not say.
const GENERIC_MOTOR_VEHICLES: &str = "Department of Motor Vehicles (DMV)";

/// Tells which agency an email domain belongs to, using what the whole file says.
struct Resolver<'r> {
    rules: &'r Rules,
    /// Domains whose senders sign with an agency's name.
    learnt: HashMap<String, Agency>,
    /// Every agency the file names, for matching domains by place or initials.
    named: Vec<Agency>,
    /// Agency acronyms the file writes beside addresses (`WCSO`), with their domains.
    acronyms: Vec<(String, String)>,
    /// Agency acronyms the file writes that no named agency accounts for (`KCSO` where
    /// no Kern or King County Sheriff's Office is named): agencies known only so.
    bare_acronyms: Vec<String>,
}

impl<'r> Resolver<'r> {
    fn new(extracted: &[Extracted], rules: &'r Rules) -> Self {
        let mut learnt = HashMap::new();
        let mut named: Vec<Agency> = Vec::new();
        let mut acronyms: Vec<(String, String)> = Vec::new();
        for e in extracted {
            for a in &e.acronyms {
                if !acronyms.contains(a) {
                    acronyms.push(a.clone());
                }
            }
            if let (Some(d), None, Some(a)) = (
                &e.sender_domain,
                &e.sender_domain_agency,
                &e.signature_agency,
            ) {
                learnt.entry(d.clone()).or_insert_with(|| a.clone());
            }
            for a in &e.agencies {
                if !named.contains(a) {
                    named.push(a.clone());
                }
            }
        }
        let bare_acronyms = bare_acronyms(extracted, &named, rules);
        Resolver {
            rules,
            learnt,
            named,
            acronyms,
            bare_acronyms,
        }
    }

    /// The agency of a domain: the gazetteer, then what this file taught, then an agency
    /// the file names whose place or initials the domain spells.
    fn agency(&self, domain: &str) -> Option<Agency> {
        agency_of_domain(domain, self.rules)
            .or_else(|| self.learnt.get(domain).cloned())
            .or_else(|| {
                let mut matches = self.named.iter().filter(|a| domain_matches(domain, a));
                let first = matches.next()?;
                // Two agencies of one place and no way to choose: say nothing.
                matches.next().is_none().then(|| first.clone())
            })
            .or_else(|| {
                self.acronyms
                    .iter()
                    .filter(|(_, d)| d == domain)
                    .find_map(|(a, _)| expand_acronym(a, domain))
            })
            .or_else(|| agency_of_domain_parts(domain))
    }

    /// Whether the file names a state's own motor-vehicle agency, which a bare "DMV" in
    /// the same file means.
    fn names_state_motor_vehicles(&self) -> bool {
        self.named.iter().any(|a| {
            a.name != GENERIC_MOTOR_VEHICLES
                && (a.name.contains("Motor Vehicle") || a.name.contains("Department of Licensing"))
        })
    }

    /// A government domain no agency could be tied to is reported under its own name, so
    /// that the reader sees that an agency is there.
    fn agency_or_domain(&self, domain: &str) -> Option<Agency> {
        self.agency(domain).or_else(|| {
            let named = domain_kind(domain, self.rules) == DomainKind::Government
                && !is_umbrella_domain(domain);
            named.then(|| Agency {
                name: domain.to_string(),
                kind: "government".to_string(),
            })
        })
    }

    fn sender(&self, e: &Extracted) -> Party {
        let as_party = |a: Agency| {
            if a.kind == "vendor" {
                Party::Outsider
            } else {
                Party::Agency(a)
            }
        };
        if let Some(a) = &e.sender_domain_agency {
            return as_party(a.clone());
        }
        if let Some(a) = &e.signature_agency {
            return as_party(a.clone());
        }
        let Some(domain) = e.sender_domain.as_deref() else {
            return Party::Unknown;
        };
        match domain_kind(domain, self.rules) {
            DomainKind::Webmail => Party::Unknown,
            DomainKind::Government => self
                .agency_or_domain(domain)
                .map_or(Party::Unknown, as_party),
            DomainKind::Other => self.agency(domain).map_or(Party::Outsider, as_party),
        }
    }
}

/// Acronyms no agency of the file accounts for: not a gazetteer alias (those are named
/// already), not the initials of a named agency, not the first label of a domain.
fn bare_acronyms(extracted: &[Extracted], named: &[Agency], rules: &Rules) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for acronym in extracted.iter().flat_map(|e| e.text_acronyms.iter()) {
        let accounted = named.iter().any(|a| {
            initials(&a.name) == *acronym
                || a.name
                    .split('.')
                    .next()
                    .is_some_and(|l| l.eq_ignore_ascii_case(acronym))
        }) || !crate::extract::agencies::agencies_in(acronym, rules).is_empty();
        if !accounted && !out.contains(acronym) {
            out.push(acronym.clone());
        }
    }
    out
}

/// In a chain the same two parties alternate: a message whose sender is unknown was sent
/// by whoever sent the message two steps older (or newer) in the same chain.
fn infer_from_chain(messages: &[Message], mut senders: Vec<Party>) -> Vec<Party> {
    let snapshot = senders.clone();
    for i in 0..messages.len() {
        if snapshot[i] != Party::Unknown {
            continue;
        }
        let chain = messages[i].chain;
        for j in [i + 2, i.wrapping_sub(2)] {
            if j < messages.len() && messages[j].chain == chain {
                if let Party::Agency(a) = &snapshot[j] {
                    senders[i] = Party::Agency(a.clone());
                    break;
                }
            }
        }
    }
    senders
}

fn recipient_agencies(
    i: usize,
    messages: &[Message],
    extracted: &[Extracted],
    senders: &[Party],
    resolver: &Resolver,
) -> Vec<Agency> {
    let mut out: Vec<Agency> = Vec::new();
    let e = &extracted[i];
    for d in &e.recipient_domains {
        let a = if Some(d) == e.sender_domain.as_ref() {
            sender_agency(&senders[i]).cloned()
        } else {
            resolver.agency_or_domain(d)
        };
        if let Some(a) = a {
            if !out.contains(&a) {
                out.push(a);
            }
        }
    }
    if !out.is_empty() {
        return out;
    }
    // The message it quotes (one step older) and the reply to it (one step newer) were
    // most likely written by its recipient.
    let chain = messages[i].chain;
    for j in [i + 1, i.wrapping_sub(1)] {
        if j < messages.len() && messages[j].chain == chain {
            // A run of nudges from one side says nothing about the other side.
            if let Party::Agency(a) = &senders[j] {
                if Some(a) != sender_agency(&senders[i]) {
                    return vec![a.clone()];
                }
            }
        }
    }
    out
}

fn sender_agency(p: &Party) -> Option<&Agency> {
    match p {
        Party::Agency(a) => Some(a),
        _ => None,
    }
}

fn findings_for(
    i: usize,
    extracted: &[Extracted],
    senders: &[Party],
    recipients: Vec<Agency>,
    resolver: &Resolver,
    rules: &Rules,
) -> Findings {
    let e = &extracted[i];
    let mut agencies = e.agencies.clone();
    for acronym in &e.text_acronyms {
        if resolver.bare_acronyms.contains(acronym) {
            agencies.push(Agency {
                name: acronym.clone(),
                kind: "local_police".into(),
            });
        }
    }
    for a in sender_agency(&senders[i])
        .into_iter()
        .chain(recipients.iter())
    {
        if !agencies.contains(a) {
            agencies.push(a.clone());
        }
    }
    let mut data_types = data_types(&e.sentences);
    let formal_channels = formal_channels(e);
    let (flag, sought) = verdict(e, &senders[i], &recipients, &agencies, rules);
    for t in sought {
        if !data_types.contains(&t) {
            data_types.push(t);
        }
    }
    data_types.sort();
    Findings {
        sender_agency: sender_agency(&senders[i]).cloned(),
        recipient_agencies: recipients,
        agencies,
        redactions: e.redactions.clone(),
        exemptions: e.exemptions.clone(),
        data_types,
        identifiers: e.identifiers.clone(),
        formal_channels,
        flag,
    }
}

/// Data sought or given through any channel: data types named in sentences that ask,
/// hand over, or invoke a formal channel.
fn data_types(sentences: &[Sentence]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for s in sentences {
        let relevant = s.asks_for_data()
            || s.gives_data()
            || (!s.formal.is_empty() && !s.no_data)
            || s.self_query;
        if !relevant {
            continue;
        }
        for d in &s.data_types {
            if !out.contains(d) {
                out.push(d.clone());
            }
        }
    }
    out.sort();
    out
}

/// Formal channels named in the subject or the body.
fn formal_channels(e: &Extracted) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for s in std::iter::once(&e.subject).chain(e.sentences.iter()) {
        for f in s
            .formal
            .iter()
            .cloned()
            .chain(s.self_query.then(|| "self_query".to_string()))
        {
            if !out.contains(&f) {
                out.push(f);
            }
        }
    }
    out
}

/// The informal-request verdict: a request for (or a hand-over of) data, across two
/// government agencies, with no formal channel unless the message says it goes around it.
fn verdict(
    e: &Extracted,
    sender: &Party,
    recipients: &[Agency],
    mentioned: &[Agency],
    rules: &Rules,
) -> (Flag, Vec<String>) {
    let w = &rules.file.scoring;
    let mut flag = Flag::default();
    let asks: Vec<&Sentence> = e.sentences.iter().filter(|s| s.asks_for_data()).collect();
    // "Here's what came back:" hands over what the next lines hold (a table of reads, an
    // address): a hand-over names its data itself or in the two sentences after it.
    let gives: Vec<&Sentence> = e
        .sentences
        .iter()
        .enumerate()
        .filter(|(i, s)| {
            s.gives_data()
                || (s.gives_something()
                    && e.sentences[i + 1..]
                        .iter()
                        .take(2)
                        .any(|n| (!n.data_types.is_empty() || n.identifier) && !n.no_data))
        })
        .map(|(_, s)| s)
        .collect();
    let (acts, act) = if !asks.is_empty() {
        let recounted = asks.iter().any(|s| s.recounted);
        (
            asks,
            if recounted {
                Act::Recounted
            } else {
                Act::Request
            },
        )
    } else if !gives.is_empty() {
        (gives, Act::Fulfilment)
    } else {
        return (flag, Vec::new());
    };
    let fulfilment = act != Act::Request;
    let mut score = 0.0;
    let mut reasons = Vec::new();
    if act == Act::Recounted {
        score += w.request_act;
        reasons.push("recounted_request".to_string());
    } else if fulfilment {
        score += w.fulfilment;
        reasons.push("fulfilment".to_string());
    } else {
        score += w.request_act;
        reasons.push("request_act".to_string());
    }
    let mut types: Vec<String> = acts
        .iter()
        .flat_map(|s| s.data_types.iter().cloned())
        .collect();
    if types.is_empty() {
        // "Could you run CA 8JWS116 for me?": the identifier says data is sought; the
        // subject or the rest of the message says which.
        types = e.subject.data_types.clone();
    }
    if types.is_empty() {
        types = e
            .sentences
            .iter()
            .flat_map(|s| s.data_types.iter().cloned())
            .collect();
    }
    if types.is_empty() {
        types.push("other".into());
    }
    types.sort();
    types.dedup();
    score += w.data_type;
    reasons.push(format!("data_type:{}", types.join(",")));

    let Party::Agency(sender_agency) = sender else {
        reasons.push(match sender {
            Party::Outsider => "sender_not_an_agency".into(),
            _ => "sender_agency_unknown".into(),
        });
        flag.score = round(score);
        flag.reasons = reasons;
        flag.evidence = acts.iter().map(|s| s.text.clone()).collect();
        return (flag, types);
    };
    let mentioned_other = || {
        mentioned
            .iter()
            .find(|a| a.name != sender_agency.name && a.kind != "vendor")
            .cloned()
    };
    let other = if act == Act::Recounted {
        // The writer tells of someone else's ask: that someone is the other side.
        mentioned_other()
    } else {
        recipients
            .iter()
            .find(|a| a.name != sender_agency.name && a.kind != "vendor")
            .cloned()
            .or_else(|| {
                // Recipient unknown: the government agency the message talks about.
                recipients.is_empty().then(|| {
                    mentioned
                        .iter()
                        .find(|a| a.name != sender_agency.name && a.kind != "vendor")
                        .cloned()
                })?
            })
    };
    match &other {
        Some(_) => {
            score += w.cross_agency;
            reasons.push("cross_agency".into());
        }
        None if recipients.iter().any(|a| a.name == sender_agency.name) => {
            reasons.push("same_agency".into())
        }
        None => reasons.push("recipient_agency_unknown".into()),
    }
    let formal = formal_channels(e);
    // "It must come back under the subpoena, rather than informally": the writer insists
    // on the formal channel, and no phrase elsewhere in the message undoes that.
    let insisted = formal.iter().any(|f| f == "insisted");
    let bypass = !insisted && e.sentences.iter().any(|s| s.bypass);
    let self_query = formal.iter().any(|f| f == "self_query");
    let formal_only: Vec<&String> = formal.iter().filter(|f| *f != "self_query").collect();
    if bypass {
        score += w.bypass;
        reasons.push("bypass".into());
    }
    if !formal_only.is_empty() {
        if bypass {
            reasons.push(format!(
                "formal_channel_bypassed:{}",
                formal_only
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(",")
            ));
        } else {
            score += w.formal_channel;
            for f in formal_only {
                reasons.push(format!("formal:{f}"));
            }
        }
    }
    if self_query && !bypass {
        score += w.self_query;
        reasons.push("self_query".into());
    }
    flag.score = round(score.clamp(0.0, 1.0));
    flag.flagged = flag.score >= w.flag_threshold && other.is_some();
    flag.reasons = reasons;
    flag.evidence = acts.iter().map(|s| s.text.clone()).collect();
    if flag.flagged {
        if fulfilment {
            flag.requester = other;
            flag.holder = Some(sender_agency.clone());
        } else {
            flag.requester = Some(sender_agency.clone());
            flag.holder = other;
        }
    }
    (flag, types)
}

/// What the message does with the data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Act {
    /// Asks for it.
    Request,
    /// Tells of someone else's ask for the writer's agency's data.
    Recounted,
    /// Hands it over.
    Fulfilment,
}

fn round(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}
