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
            // Every neighbour in the chain is of the sender's own agency: an exchange
            // inside one agency, whatever other agencies the text goes on to name.
            if recipients.is_empty() {
                if let Some(own) = chain_of_one_agency(i, messages, &senders) {
                    recipients.push(own);
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
                let mut matches = self
                    .named
                    .iter()
                    .filter(|a| domain_matches(domain, a, self.rules));
                let first = matches.next()?;
                // Two agencies of one place and no way to choose: say nothing.
                matches.next().is_none().then(|| first.clone())
            })
            .or_else(|| {
                self.acronyms
                    .iter()
                    .filter(|(_, d)| d == domain)
                    .find_map(|(a, _)| expand_acronym(a, domain, self.rules))
            })
            .or_else(|| agency_of_domain_parts(domain, self.rules))
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
                && !is_umbrella_domain(domain, self.rules);
            named.then(|| Agency {
                name: domain.into(),
                kind: "government".into(),
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
            is_abbreviation_of(acronym, &initials(&a.name))
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

/// Whether `acronym` abbreviates a name with these initials: same first and last letter,
/// its letters in order (`KCPD` for Kansas City Missouri Police Department, `KCMPD`).
fn is_abbreviation_of(acronym: &str, initials: &str) -> bool {
    let (a, i) = (acronym.as_bytes(), initials.as_bytes());
    if a.is_empty() || i.is_empty() || a[0] != i[0] || a[a.len() - 1] != i[i.len() - 1] {
        return false;
    }
    let mut rest = i.iter();
    a.iter().all(|c| rest.any(|x| x == c))
}

/// In a chain the same two parties alternate: a message whose sender is unknown was sent
/// by whoever sent the message two steps older (or newer) in the same chain. Inferred
/// senders lend themselves on in turn, until nothing changes.
fn infer_from_chain(messages: &[Message], mut senders: Vec<Party>) -> Vec<Party> {
    loop {
        let mut changed = false;
        for i in 0..messages.len() {
            if senders[i] != Party::Unknown {
                continue;
            }
            let chain = messages[i].chain;
            let found = [i + 2, i.wrapping_sub(2)].into_iter().find_map(|j| {
                let same_chain = messages.get(j).is_some_and(|m| m.chain == chain);
                match senders.get(j) {
                    Some(Party::Agency(a)) if same_chain => Some(a.clone()),
                    _ => None,
                }
            });
            if let Some(a) = found {
                senders[i] = Party::Agency(a);
                changed = true;
            }
        }
        if !changed {
            return senders;
        }
    }
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
    // A withheld `To:` with a colleague in `Cc:` says nothing of who the message went to.
    let only_own_side_copied =
        e.to_domains == 0 && out.iter().all(|a| Some(a) == sender_agency(&senders[i]));
    if !out.is_empty() && !only_own_side_copied {
        return out;
    }
    out.clear();
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

/// The sender's agency, when the message has neighbours in its chain and every one of
/// them whose agency is known is of that same agency.
fn chain_of_one_agency(i: usize, messages: &[Message], senders: &[Party]) -> Option<Agency> {
    let own = sender_agency(&senders[i])?;
    let chain = messages[i].chain;
    let neighbours: Vec<&Agency> = [i + 1, i.wrapping_sub(1)]
        .into_iter()
        .filter(|&j| messages.get(j).is_some_and(|m| m.chain == chain))
        .filter_map(|j| sender_agency(&senders[j]))
        .collect();
    (!neighbours.is_empty() && neighbours.iter().all(|a| *a == own)).then(|| own.clone())
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
                name: acronym.as_str().into(),
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
/// Gives the flag and the data types the act seeks or hands over.
fn verdict(
    e: &Extracted,
    sender: &Party,
    recipients: &[Agency],
    mentioned: &[Agency],
    rules: &Rules,
) -> (Flag, Vec<String>) {
    let w = &rules.file.scoring;
    let Some((act, acts)) = data_act(e) else {
        return (Flag::default(), Vec::new());
    };
    let types = sought_types(e, &acts);
    let mut score = w.data_type
        + match act {
            Act::Fulfilment => w.fulfilment,
            Act::Request | Act::Recounted => w.request_act,
        };
    let mut reasons = vec![
        act.reason().to_string(),
        format!("data_type:{}", types.join(",")),
    ];
    let mut flag = Flag {
        evidence: acts.iter().map(|s| s.text.clone()).collect(),
        ..Flag::default()
    };
    let Party::Agency(sender_agency) = sender else {
        reasons.push(match sender {
            Party::Outsider => "sender_not_an_agency".into(),
            _ => "sender_agency_unknown".into(),
        });
        flag.score = round(score);
        flag.reasons = reasons;
        return (flag, types);
    };
    let other = other_side(act, sender_agency, recipients, mentioned);
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
    score += channel_score(e, rules, &mut reasons);
    flag.score = round(score.clamp(0.0, 1.0));
    flag.flagged = flag.score >= w.flag_threshold && other.is_some();
    flag.reasons = reasons;
    if flag.flagged {
        let sender = Some(sender_agency.clone());
        (flag.requester, flag.holder) = match act {
            Act::Request => (sender, other),
            Act::Recounted | Act::Fulfilment => (other, sender),
        };
    }
    (flag, types)
}

/// What the message does with data, and the sentences that do it. A message that both
/// asks and hands over answers an ask it quotes ("pasting your text here: ... Current
/// employer is ...") when the hand-over comes after the last ask.
fn data_act(e: &Extracted) -> Option<(Act, Vec<&Sentence>)> {
    let asks: Vec<usize> = (0..e.sentences.len())
        .filter(|&i| e.sentences[i].asks_for_data())
        .collect();
    let gives: Vec<usize> = (0..e.sentences.len())
        .filter(|&i| hands_over(e, i))
        .collect();
    let pick = |idx: &[usize]| idx.iter().map(|&i| &e.sentences[i]).collect::<Vec<_>>();
    if asks.is_empty() && gives.is_empty() {
        // "Subject: can you run 8JWD552 for me", body "thx": the subject carries the ask.
        if e.subject.asks_for_data() {
            return Some((Act::Request, vec![&e.subject]));
        }
        // "Per our call, info below." under "Subject: Wage history": the ask was made by
        // phone and this short message carries it on. The data must be named in the
        // sentence itself, or in the subject of a message of a few lines.
        let short = e.sentences.len() <= 4;
        let prior: Vec<&Sentence> = e
            .sentences
            .iter()
            .filter(|s| s.prior_ask && !s.no_data)
            .filter(|s| {
                !s.data_types.is_empty()
                    || s.identifier
                    || (short && !e.subject.data_types.is_empty())
            })
            .collect();
        if !prior.is_empty() {
            return Some((Act::Request, prior));
        }
    }
    match (asks.last(), gives.last()) {
        (Some(&last_ask), Some(&last_give)) if last_give > last_ask && gives[0] > last_ask => {
            Some((Act::Fulfilment, pick(&gives)))
        }
        (Some(_), _) => {
            let recounted = asks.iter().any(|&i| e.sentences[i].recounted);
            let act = if recounted {
                Act::Recounted
            } else {
                Act::Request
            };
            Some((act, pick(&asks)))
        }
        (None, Some(_)) => Some((Act::Fulfilment, pick(&gives))),
        (None, None) => None,
    }
}

/// "Here's what came back:" hands over what the next lines hold (a table of reads, an
/// address): a hand-over names its data itself or in the two sentences after it.
fn hands_over(e: &Extracted, i: usize) -> bool {
    let s = &e.sentences[i];
    s.gives_data()
        || (s.gives_something()
            && e.sentences[i + 1..]
                .iter()
                .take(2)
                .any(|n| (!n.data_types.is_empty() || n.identifier) && !n.no_data))
}

/// The data types an act names; where it names only an identifier ("Could you run CA
/// 8JWS116 for me?"), the subject's or the rest of the message's, else `other`.
fn sought_types(e: &Extracted, acts: &[&Sentence]) -> Vec<String> {
    let mut types: Vec<String> = acts
        .iter()
        .flat_map(|s| s.data_types.iter().cloned())
        .collect();
    if types.is_empty() {
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
    types
}

/// The other agency of the act: the recipient's; for a recipient no one could name, the
/// government agency the message talks about; for a recounted ask, the agency that asked
/// (named in the message), since the writer's own colleague is the recipient.
fn other_side(
    act: Act,
    sender: &Agency,
    recipients: &[Agency],
    mentioned: &[Agency],
) -> Option<Agency> {
    let is_other = |a: &&Agency| a.name != sender.name && a.kind != "vendor";
    let talked_about = || mentioned.iter().find(is_other).cloned();
    match act {
        Act::Recounted => talked_about(),
        _ => recipients
            .iter()
            .find(is_other)
            .cloned()
            .or_else(|| recipients.is_empty().then(talked_about).flatten()),
    }
}

/// The weight of the channels the message names, with the reasons: a formal channel or
/// a query under one's own access counts against, a bypass for; a bypass cancels the
/// formal channel it goes around, unless the writer insists on that channel.
fn channel_score(e: &Extracted, rules: &Rules, reasons: &mut Vec<String>) -> f64 {
    let w = &rules.file.scoring;
    let formal = formal_channels(e);
    let insisted = formal.iter().any(|f| f == "insisted");
    let bypass = !insisted && e.sentences.iter().any(|s| s.bypass);
    let self_query = formal.iter().any(|f| f == "self_query");
    let channels: Vec<&str> = formal
        .iter()
        .map(String::as_str)
        .filter(|f| *f != "self_query")
        .collect();
    let mut score = 0.0;
    if bypass {
        score += w.bypass;
        reasons.push("bypass".into());
        if !channels.is_empty() {
            reasons.push(format!("formal_channel_bypassed:{}", channels.join(",")));
        }
        return score;
    }
    if !channels.is_empty() {
        score += w.formal_channel;
        reasons.extend(channels.iter().map(|f| format!("formal:{f}")));
    }
    if self_query {
        score += w.self_query;
        reasons.push("self_query".into());
    }
    score
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

impl Act {
    fn reason(self) -> &'static str {
        match self {
            Act::Request => "request_act",
            Act::Recounted => "recounted_request",
            Act::Fulfilment => "fulfilment",
        }
    }
}

fn round(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::extract;
    use crate::model::Origin;

    fn message(from: &str, to: &str, subject: &str, body: &str) -> Message {
        Message {
            origin: Some(Origin::Header),
            from: from.into(),
            to: vec![to.into()],
            subject: subject.into(),
            body: body.into(),
            ..Message::default()
        }
    }

    fn flag_one(m: Message) -> Findings {
        let rules = Rules::default_rules().unwrap();
        let messages = vec![m];
        let extracted: Vec<Extracted> = messages.iter().map(|m| extract(m, &rules)).collect();
        flag_file(&messages, &extracted, None, &rules).remove(0)
    }

    const ICE: &str = "A Agent <a.agent@ice.dhs.gov>";
    const PD: &str = "D Det <d.det@springfieldpd.gov>";

    #[test]
    fn cross_agency_ask_for_plate_reads_is_flagged_with_its_sides() {
        let f = flag_one(message(ICE, PD, "plate", "Could you run plate ABC1234 in your LPR system and send me any hits?\n\nA Agent\nHomeland Security Investigations"));
        assert!(f.flag.flagged, "{:?}", f.flag);
        assert_eq!(
            f.flag.requester.unwrap().name,
            "U.S. Immigration and Customs Enforcement"
        );
        assert_eq!(f.flag.holder.unwrap().name, "springfieldpd.gov");
        assert!(f.flag.reasons.contains(&"cross_agency".to_string()));
        assert_eq!(f.flag.evidence.len(), 1);
    }

    #[test]
    fn a_handling_notice_in_the_signature_is_not_a_formal_channel() {
        // DHS mail closes with a FOUO warning that names the Freedom of Information Act:
        // it says how the message is handled, not how the data moves.
        let f = flag_one(message(ICE, PD, "plate", "Could you run plate ABC1234 in your LPR system and send me any hits?\n\nA Agent\nHomeland Security Investigations\nWARNING: This document is UNCLASSIFIED//FOR OFFICIAL USE ONLY (U//FOUO). It contains information that may be exempt from public release under the Freedom of Information Act (5 U.S.C. 552)."));
        assert!(f.flag.flagged, "{:?}", f.flag);
        assert!(f.formal_channels.is_empty(), "{:?}", f.formal_channels);
        // A public-records request in the text is still one.
        let f = flag_one(message(ICE, PD, "plate", "Could you send me the plate reads for ABC1234? I can file a public records request if you need one."));
        assert!(f.formal_channels.contains(&"public_records".to_string()));
    }

    #[test]
    fn same_agency_ask_is_not_flagged() {
        let f = flag_one(message(
            ICE,
            "B Boss <b.boss@ice.dhs.gov>",
            "plate",
            "Could you run plate ABC1234 in LEARN and send me the hits?",
        ));
        assert!(!f.flag.flagged);
        assert!(f.flag.reasons.contains(&"same_agency".to_string()));
    }

    #[test]
    fn legal_process_suppresses_and_a_bypass_restores() {
        let formal = flag_one(message(
            ICE,
            PD,
            "subpoena",
            "Pursuant to the attached subpoena, could you send the plate reads for ABC1234?",
        ));
        assert!(!formal.flag.flagged);
        assert!(formal
            .flag
            .reasons
            .contains(&"formal:legal_process".to_string()));
        let bypassed = flag_one(message(ICE, PD, "plate", "The subpoena is weeks out. In the meantime, could you just send me the plate reads for ABC1234?"));
        assert!(bypassed.flag.flagged, "{:?}", bypassed.flag);
        assert!(bypassed
            .flag
            .reasons
            .contains(&"formal_channel_bypassed:legal_process".to_string()));
    }

    #[test]
    fn a_hand_over_is_flagged_in_the_right_direction() {
        let f = flag_one(message(PD, ICE, "RE: plate", "Here's what came back on that plate. 7 reads total, mostly overnight.\n\nD Det\nSpringfield Police Department"));
        assert!(f.flag.flagged, "{:?}", f.flag);
        assert_eq!(
            f.flag.requester.unwrap().name,
            "U.S. Immigration and Customs Enforcement"
        );
        assert_eq!(f.flag.holder.unwrap().name, "Springfield Police Department");
    }

    #[test]
    fn an_ask_made_by_phone_is_carried_on_by_email() {
        let f = flag_one(message(
            ICE,
            PD,
            "Wage history",
            "Per our call, info below. Thanks!",
        ));
        assert!(f.flag.flagged, "{:?}", f.flag);
        assert_eq!(
            f.flag.requester.unwrap().name,
            "U.S. Immigration and Customs Enforcement"
        );
        let answer = flag_one(message(PD, ICE, "Info you asked for", "Per our phone call this morning, here's what I found. His last two bookings list 418 N. Harrison St.\n\nD Det\nSpringfield Police Department"));
        assert!(answer.flag.flagged, "{:?}", answer.flag);
        assert_eq!(
            answer.flag.holder.unwrap().name,
            "Springfield Police Department"
        );
    }

    #[test]
    fn outsiders_are_never_requesters() {
        let f = flag_one(message(
            "Reporter <r@dailynews.com>",
            PD,
            "story",
            "Could you send me the plate reads your cameras logged last month?",
        ));
        assert!(!f.flag.flagged);
        assert!(f.flag.reasons.contains(&"sender_not_an_agency".to_string()));
    }

    #[test]
    fn a_self_run_query_is_not_informal() {
        let f = flag_one(message(ICE, PD, "fyi", "I queried the plate in LEARN under our own account. 9 detections total; I did not contact your office."));
        assert!(!f.flag.flagged, "{:?}", f.flag);
    }
}
