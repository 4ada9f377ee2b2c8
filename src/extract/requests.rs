//! Requests: takes a message body (OCR-repaired) and gives, sentence by sentence, the
//! signals the flag stage weighs: a request act ("could you check"), its negation ("I'm
//! not asking you to run anything"), a fulfilment ("here's what came back"), the data
//! types named, formal channels (legal process, portal, agreement, public records, a
//! query under one's own access), bypass phrases ("in the meantime", "between us") and
//! topics that ask for no data (equipment, meetings, training).

use std::cell::RefCell;

use crate::memo::{remembered, Memo};
use crate::rules::Rules;
use crate::text::sentences;

/// The signals of one sentence.
#[derive(Debug, Clone, Default)]
pub struct Sentence {
    pub text: String,
    pub request: bool,
    pub negated: bool,
    pub fulfilment: bool,
    pub data_types: Vec<String>,
    pub no_data: bool,
    pub formal: Vec<String>,
    pub bypass: bool,
    pub self_query: bool,
    /// A plate, VIN or phone number stands in the sentence.
    pub identifier: bool,
    /// A request that someone else made, told by the writer ("he asked if we could pull").
    pub recounted: bool,
    /// Points back to an ask made by phone or in person ("per our call").
    pub prior_ask: bool,
}

impl Sentence {
    /// A request for data that the sentence really makes.
    pub fn asks_for_data(&self) -> bool {
        self.request
            && !self.negated
            && (!self.data_types.is_empty() || self.identifier)
            && !self.no_data
    }
    /// Data handed over.
    pub fn gives_data(&self) -> bool {
        self.fulfilment && !self.data_types.is_empty() && !self.no_data
    }
    /// A hand-over whose data type only the rest of the message names.
    pub fn gives_something(&self) -> bool {
        self.fulfilment && !self.no_data
    }
}

/// The signals of every sentence of `body`.
pub fn sentence_signals(body: &str, rules: &Rules) -> Vec<Sentence> {
    sentences(body)
        .into_iter()
        .map(|(a, b)| {
            // A body can be megabytes of text: the time limit is checked sentence by
            // sentence.
            crate::watchdog::check();
            signals(&body[a..b], rules)
        })
        .collect()
}

/// The signals of one sentence (or of a subject line).
pub fn signals(raw: &str, rules: &Rules) -> Sentence {
    let text = crate::text::squash(raw);
    remembered(&SIGNALS, rules.id, &text, || {
        signals_of(text.clone(), rules)
    })
}

thread_local! {
    static SIGNALS: RefCell<Memo<Sentence>> = RefCell::default();
}

/// The signals of a sentence with its whitespace squashed.
fn signals_of(text: String, rules: &Rules) -> Sentence {
    let recounted_at = rules.recounted.first(&text);
    let request_at = rules.request.first(&text);
    // A recounted ask ("he asked if we could pull...") is a request act of its own.
    let first_request = [request_at, recounted_at]
        .into_iter()
        .flatten()
        .min_by_key(|m| m.start());
    let offered = first_request.is_some() && rules.offers.is_match(&text);
    let negated = offered || first_request.is_some_and(|m| negated_before(&text, m.start(), rules));
    // What is asked for follows the request act closely ("could we borrow your trailer");
    // an equipment word further on ("the car we talked about after the meeting") is not
    // the object of the request.
    let object = match first_request {
        Some(m) => &text[m.start()..floor_char(&text, m.end() + 40)],
        None => text.as_str(),
    };
    // A handling notice ("may be exempt from public release under the Freedom of
    // Information Act") names channels the data does not move through.
    let mut formal = match rules.notices.is_match(&text) {
        true => Vec::new(),
        false => rules.formal.matching(&text),
    };
    let self_query = formal.iter().any(|f| f == "self_query");
    formal.retain(|f| f != "self_query");
    Sentence {
        request: first_request.is_some(),
        negated,
        fulfilment: rules.fulfilment.is_match(&text),
        data_types: rules.data_types.matching(&text),
        no_data: rules.no_data.is_match(object),
        formal,
        bypass: rules.bypass.is_match(&text),
        self_query,
        identifier: rules.any_identifier.is_match(&text),
        recounted: recounted_at.is_some(),
        prior_ask: rules.prior_ask.is_match(&text),
        text,
    }
}

fn floor_char(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// A negation before the request act in the same clause ("I'm not asking you to run
/// anything") cancels it; one followed by "but" ("not asking for anything official --
/// but could you") does not.
fn negated_before(text: &str, request_at: usize, rules: &Rules) -> bool {
    rules.negations.is_match(text)
        && rules.negations.patterns.iter().any(|n| {
            n.find_iter(text).any(|m| {
                if m.start() > request_at {
                    return false;
                }
                let between = text[m.start()..request_at].to_ascii_lowercase();
                !between.contains(" but ") && !between.contains("--") && !between.contains(';')
            })
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(text: &str) -> Sentence {
        let rules = Rules::default_rules().unwrap();
        signals(text, &rules)
    }

    #[test]
    fn plain_request_for_plate_reads() {
        let s = one(
            "Would you be able to check CA plate 7TUW558 in your LPR system and send me any hits?",
        );
        assert!(s.asks_for_data());
        assert!(s.data_types.contains(&"alpr".to_string()));
    }

    #[test]
    fn handing_over_a_persons_record_is_a_fulfilment() {
        let s = one("Here's his criminal history from our RMS: 20 arrests, mostly theft.");
        assert!(s.gives_data(), "{s:?}");
    }

    #[test]
    fn negated_request_is_not_a_request() {
        let s =
            one("To be clear up front: I'm not asking you or your folks to run anything for us.");
        assert!(!s.asks_for_data());
    }

    #[test]
    fn negation_then_but_keeps_the_request() {
        let s = one("I'm not asking for anything official -- but could you check if plate 6RFT091 has popped on any of the SO's LPRs this month?");
        assert!(s.asks_for_data());
        assert!(s.bypass);
    }

    #[test]
    fn equipment_loan_asks_for_no_data() {
        let s = one("any chance we could borrow one of your mobile plate reader trailers for the operation?");
        assert!(!s.asks_for_data());
    }

    #[test]
    fn formal_channels_and_self_queries() {
        assert_eq!(
            one("We served a grand jury subpoena for the booking records.").formal,
            vec!["legal_process"]
        );
        assert!(
            one("I queried the target vehicle in LEARN this afternoon using our ERO account.")
                .self_query
        );
    }

    #[test]
    fn an_offer_is_not_a_request() {
        let s = one(
            "I can pull the hits for the last couple of weeks and send them over if that helps.",
        );
        assert!(!s.asks_for_data());
        let s = one("Appreciate the offer, but please don't send me the Flock hits directly.");
        assert!(!s.asks_for_data());
    }

    #[test]
    fn recounted_request() {
        let s = one("He asked if we could pull everything we have in our RMS on him and just email it to him.");
        assert!(s.recounted);
    }

    #[test]
    fn fulfilment() {
        assert!(one("Here's what came back on that one. 7 reads total").gives_data());
    }
}
