//! Synthetic government email productions, at any size, for speed benchmarks.
//!
//! `generate(out, target_bytes, seed)` writes a production shaped like a real FOIA or
//! public-records release of law-enforcement email, so that a benchmark measures the
//! tool on the mix it meets in practice rather than on copies of one small sample:
//!
//! - `eml/NNNN/*.eml` (~45 % of bytes): RFC 5322 mail from Outlook and Gmail, plain (7bit
//!   or quoted-printable), multipart/alternative with HTML, and multipart/mixed with 1-3
//!   base64 attachments (random bytes, log-normal sizes 10 KB-2 MB, median ~80 KB).
//!   Replies quote 0-4 earlier messages, Outlook (`-----Original Message-----` and a
//!   header block) or Gmail (`On <date>, <name> wrote:` and `> ` lines) style.
//! - `mbox/*.mbox` (~15 %): one long thread (20-200 messages) per file, mboxrd escaping.
//! - `maildir/<custodian>/{cur,new}/` (~10 %): one message per file, the custodian's mail.
//! - `printed/NNNN/*.txt` (~30 %): the text layer of printed email chains (2-8 messages,
//!   newest first, Outlook header blocks) with page banners, Bates numbers, `Page N of M`,
//!   form feeds or blank-line page breaks, exemption codes standing for withheld names,
//!   phones, plates and techniques, and mild OCR noise.
//!
//! Mail is mostly routine (meetings, training, operations, bookings, cases, fleet, budget,
//! IT, personnel); about 3-4 % of messages are informal data requests between agencies,
//! with their answers, and about 2-3 % formal ones (subpoenas, portals, MOUs, self-run
//! queries). About a tenth of the occurrences repeat a message: an earlier message of a
//! thread as its own `.eml` besides its quote in the next file, a printed chain printed
//! again from one reply down, and `.eml` threads re-produced, redacted, as printed chains.
//!
//! Everything in a file depends only on (seed, kind, index): files are made in parallel
//! in small batches and written in index order, so the same size and seed give the same
//! bytes on any machine. Only the current batch is held in memory. std only.

use std::fmt::Write as _;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

use vocab::*;

// ------------------------------------------------------------------ the manifest

macro_rules! manifest {
    ($($(#[$doc:meta])* $field:ident,)*) => {
        /// What a run wrote. `messages` counts every occurrence a reader recovers:
        /// top-level, quoted (with a header block or attribution line) and printed;
        /// `distinct_messages` + `duplicate_messages` = `messages`. Request counts are of
        /// distinct messages.
        #[derive(Debug, Clone, Default)]
        pub struct Manifest { $($(#[$doc])* pub $field: u64,)* }

        impl Manifest {
            fn add(&mut self, o: &Manifest) {
                $(self.$field += o.$field;)*
            }

            /// The manifest as a JSON object, one field a line.
            #[allow(dead_code)] // a benchmark that includes this module may not print it
            pub fn to_json(&self) -> String {
                let fields = [$(format!("  \"{}\": {}", stringify!($field), self.$field),)*];
                format!("{{\n{}\n}}\n", fields.join(",\n"))
            }
        }
    };
}

manifest! {
    seed, target_bytes, files, bytes,
    messages, top_level_messages, quoted_messages, printed_messages,
    distinct_messages, duplicate_messages,
    /// Asks for another agency's data, person to person.
    informal_requests,
    /// Replies that hand the data over (refusals are not counted).
    informal_answers,
    formal_requests,
    eml_files, mbox_files, maildir_files, printed_files,
    eml_bytes, mbox_bytes, maildir_bytes, printed_bytes,
    printed_pages,
    /// Spans withheld in printed files (each code standing for a name, phone...).
    redactions,
    attachments,
    /// Attachment bytes as written (base64), not decoded.
    attachment_bytes,
}

#[derive(Clone, Copy)]
enum Origin {
    Top,
    Quoted,
    Printed,
}

impl Manifest {
    fn tally(&mut self, msg: &Msg, origin: Origin, dup: bool) {
        self.messages += 1;
        match origin {
            Origin::Top => self.top_level_messages += 1,
            Origin::Quoted => self.quoted_messages += 1,
            Origin::Printed => self.printed_messages += 1,
        }
        if dup {
            self.duplicate_messages += 1;
            return;
        }
        self.distinct_messages += 1;
        match msg.role {
            Role::Ask => self.informal_requests += 1,
            Role::Answer => self.informal_answers += 1,
            Role::FormalAsk => self.formal_requests += 1,
            _ => {}
        }
    }
}

// ------------------------------------------------------------------ randomness

/// xoshiro256**, seeded through splitmix64 from a list of stream keys.
struct Rng([u64; 4]);

fn splitmix(x: &mut u64) -> u64 {
    *x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *x;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl Rng {
    fn new(keys: &[u64]) -> Rng {
        let mut h = 0x243F_6A88_85A3_08D3u64;
        for &k in keys {
            let mut s = h ^ k;
            h = splitmix(&mut s);
        }
        let mut s = || splitmix(&mut h);
        Rng([s(), s(), s(), s()])
    }
    fn next(&mut self) -> u64 {
        let s = &mut self.0;
        let out = s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        out
    }
    fn below(&mut self, n: usize) -> usize {
        (((self.next() >> 32) * n as u64) >> 32) as usize
    }
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo + 1)
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
    fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.below(xs.len())]
    }
    fn log_normal(&mut self, median: f64, sigma: f64, lo: f64, hi: f64) -> f64 {
        let (u1, u2) = (self.unit().max(1e-12), self.unit());
        let z = (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos();
        (median * (sigma * z).exp()).clamp(lo, hi)
    }
}

// ------------------------------------------------------------------ base64, QP

fn base64(out: &mut Vec<u8>, data: &[u8]) {
    const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for c in data.chunks(3) {
        let byte = |k: usize| *c.get(k).unwrap_or(&0) as u32;
        let n = byte(0) << 16 | byte(1) << 8 | byte(2);
        for k in 0..4 {
            let b64 = B64[(n >> (18 - 6 * k)) as usize & 63];
            out.push(if k <= c.len() { b64 } else { b'=' });
        }
    }
}

/// `size` random bytes after a file-type magic, as base64 in 76-column lines.
fn random_base64(out: &mut Vec<u8>, rng: &mut Rng, magic: &[u8], size: usize, nl: &str) {
    let mut buf = [0u8; 57];
    let mut done = 0;
    while done < size {
        let n = (size - done).min(57);
        for w in buf.chunks_mut(8) {
            w.copy_from_slice(&rng.next().to_le_bytes()[..w.len()]);
        }
        if done == 0 {
            let m = magic.len().min(n);
            buf[..m].copy_from_slice(&magic[..m]);
        }
        base64(out, &buf[..n]);
        out.extend_from_slice(nl.as_bytes());
        done += n;
    }
}

/// Quoted-printable, with soft line breaks at 76 columns.
fn quoted_printable(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 11 / 10);
    for (n, line) in text.split('\n').enumerate() {
        if n > 0 {
            out.push('\n');
        }
        let mut col = 0;
        for (i, &b) in line.as_bytes().iter().enumerate() {
            let last = i + 1 == line.len();
            let plain = (b == b' ' && !last) || (b'!'..=b'~').contains(&b) && b != b'=';
            if col + if plain { 1 } else { 3 } > 75 {
                out.push_str("=\n");
                col = 0;
            }
            if plain {
                out.push(b as char);
                col += 1;
            } else {
                let _ = write!(out, "={b:02X}");
                col += 3;
            }
        }
    }
    out
}

// ------------------------------------------------------------------ vocabulary

/// Agencies, names and sentence templates. Template slots: `{n}` `{dob}` `{ph}` `{addr}`
/// `{plate}` `{st}` `{veh}` `{vin}` `{case}` `{last}` are the conversation's facts; the
/// others (`{date}` `{day}` `{time}` `{num}` `{street}` `{place}` `{crime}` `{alpr}` `{op}`
/// `{sys}` `{emp}` `{amt}` `{pct}` `{ticket}` `{fy}` `{unitno}`) are drawn each time.
#[rustfmt::skip]
mod vocab {
    pub struct Agency {
        pub name: &'static str, pub short: &'static str, pub domain: &'static str,
        pub fed: bool, pub city: &'static str, pub st: &'static str, pub area: u16,
        /// Standard UTC offset in hours, and whether daylight time applies.
        pub tz: i32, pub dst: bool,
        /// 0: First.Last@, 1: flast@, 2: first.last@.
        pub mail: u8,
        /// FOIA office code of a federal agency.
        pub code: &'static str,
        pub titles: &'static [&'static str], pub units: &'static [&'static str],
    }
    #[allow(clippy::too_many_arguments)]
    const fn ag(name: &'static str, short: &'static str, domain: &'static str, city: &'static str, st: &'static str, area: u16, tz: i32, dst: bool, mail: u8, code: &'static str, titles: &'static [&'static str], units: &'static [&'static str]) -> Agency {
        Agency { name, short, domain, fed: area == 0, city, st, area, tz, dst, mail, code, titles, units }
    }
    const ICE_T: &[&str] = &["Special Agent", "Deportation Officer", "Supervisory Detention and Deportation Officer", "Intelligence Research Specialist", "Criminal Analyst"];
    const ICE_U: &[&str] = &["Homeland Security Investigations", "Enforcement and Removal Operations", "ERO Fugitive Operations"];
    const CBP_T: &[&str] = &["CBP Officer", "Border Patrol Agent", "Supervisory CBP Officer", "Intelligence Analyst"];
    const CBP_U: &[&str] = &["Office of Field Operations", "U.S. Border Patrol", "Air and Marine Operations"];
    const USMS_T: &[&str] = &["Deputy U.S. Marshal", "Supervisory Deputy U.S. Marshal", "Criminal Investigator"];
    const FED_T: &[&str] = &["Special Agent", "Supervisory Special Agent", "Intelligence Analyst", "Task Force Officer"];
    const FED_U: &[&str] = &["Field Office", "Violent Crimes Task Force", "Field Intelligence Group", "Resident Office"];
    const PD_T: &[&str] = &["Detective", "Sergeant", "Crime Analyst", "Records Specialist", "Lieutenant", "Police Officer", "Fleet Coordinator", "IT Analyst"];
    const PD_U: &[&str] = &["Real Time Crime Center", "Records Section", "Major Crimes Unit", "Auto Theft Unit", "Narcotics Unit", "Gang Unit", "Patrol Division", "Fleet Services", "Training Academy"];
    const SO_T: &[&str] = &["Deputy", "Detective", "Sergeant", "Crime Analyst", "Records Technician", "Jail Records Supervisor", "Lieutenant"];
    const SO_U: &[&str] = &["Jail Records", "Detention Services", "Criminal Investigations Division", "Intelligence Unit", "Classification", "Patrol Bureau"];
    const ST_T: &[&str] = &["Trooper", "Sergeant", "Investigator", "Intelligence Analyst", "Records Supervisor"];
    const ST_U: &[&str] = &["Criminal Investigations Bureau", "Records Division", "Fusion Center", "Investigations Unit"];
    /// Federal agencies first (`FEDS` of them), then state and local ones.
    pub const AGENCIES: &[Agency] = &[
        ag("U.S. Immigration and Customs Enforcement", "ICE", "ice.dhs.gov", "", "", 0, -5, true, 0, "ICFO", ICE_T, ICE_U),
        ag("U.S. Customs and Border Protection", "CBP", "cbp.dhs.gov", "", "", 0, -5, true, 0, "CBFO", CBP_T, CBP_U),
        ag("Federal Bureau of Investigation", "FBI", "fbi.gov", "", "", 0, -5, true, 2, "FBFO", FED_T, FED_U),
        ag("Drug Enforcement Administration", "DEA", "dea.gov", "", "", 0, -5, true, 0, "DEFO", FED_T, FED_U),
        ag("U.S. Marshals Service", "USMS", "usms.doj.gov", "", "", 0, -5, true, 2, "USFO", USMS_T, FED_U),
        ag("Bureau of Alcohol, Tobacco, Firearms and Explosives", "ATF", "atf.gov", "", "", 0, -5, true, 0, "ATFO", FED_T, FED_U),
        ag("Denver Police Department", "DPD", "denvergov.org", "Denver", "CO", 303, -7, true, 0, "", PD_T, PD_U),
        ag("Aurora Police Department", "APD", "aurora-il.org", "Aurora", "IL", 630, -6, true, 1, "", PD_T, PD_U),
        ag("Long Beach Police Department", "LBPD", "lbpd.org", "Long Beach", "CA", 562, -8, true, 2, "", PD_T, PD_U),
        ag("Tucson Police Department", "TPD", "tucsonaz.gov", "Tucson", "AZ", 520, -7, false, 0, "", PD_T, PD_U),
        ag("Mesa Police Department", "MPD", "mesaaz.gov", "Mesa", "AZ", 480, -7, false, 2, "", PD_T, PD_U),
        ag("Phoenix Police Department", "PPD", "phoenix.gov", "Phoenix", "AZ", 602, -7, false, 2, "", PD_T, PD_U),
        ag("Salem Police Department", "SPD", "cityofsalem.net", "Salem", "OR", 503, -8, true, 1, "", PD_T, PD_U),
        ag("Aurora Police Department", "APD", "auroragov.org", "Aurora", "CO", 720, -7, true, 1, "", PD_T, PD_U),
        ag("San Diego Police Department", "SDPD", "pd.sandiego.gov", "San Diego", "CA", 619, -8, true, 1, "", PD_T, PD_U),
        ag("Houston Police Department", "HPD", "houstontx.gov", "Houston", "TX", 713, -6, true, 0, "", PD_T, PD_U),
        ag("Las Vegas Metropolitan Police Department", "LVMPD", "lvmpd.com", "Las Vegas", "NV", 702, -8, true, 1, "", PD_T, PD_U),
        ag("Maricopa County Sheriff's Office", "MCSO", "mcso.maricopa.gov", "Phoenix", "AZ", 602, -7, false, 1, "", SO_T, SO_U),
        ag("King County Sheriff's Office", "KCSO", "kingcounty.gov", "Seattle", "WA", 206, -8, true, 2, "", SO_T, SO_U),
        ag("Washoe County Sheriff's Office", "WCSO", "washoecounty.gov", "Reno", "NV", 775, -8, true, 1, "", SO_T, SO_U),
        ag("Harris County Sheriff's Office", "HCSO", "sheriff.hctx.net", "Houston", "TX", 832, -6, true, 0, "", SO_T, SO_U),
        ag("Cook County Sheriff's Office", "CCSO", "ccsheriff.org", "Chicago", "IL", 312, -6, true, 2, "", SO_T, SO_U),
        ag("Los Angeles County Sheriff's Department", "LASD", "lasd.org", "Los Angeles", "CA", 213, -8, true, 1, "", SO_T, SO_U),
        ag("Arizona Department of Public Safety", "AZDPS", "azdps.gov", "Phoenix", "AZ", 602, -7, false, 1, "", ST_T, ST_U),
        ag("California Highway Patrol", "CHP", "chp.ca.gov", "Sacramento", "CA", 916, -8, true, 1, "", ST_T, ST_U),
        ag("Washington State Department of Licensing", "DOL", "dol.wa.gov", "Olympia", "WA", 360, -8, true, 1, "", ST_T, ST_U),
    ];
    pub const FEDS: usize = 6;

    pub fn records_act(st: &str) -> &'static str {
        match st { "CO" => "CORA", "CA" => "CPRA", "TX" => "TPIA", "NV" => "NPRA", "IL" => "FOIA", _ => "PRR" }
    }

    pub const FIRST: &str = "James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara Richard Susan Joseph Jessica Thomas Sarah Christopher Karen Charles Lisa Daniel Nancy Matthew Betty Anthony Sandra Mark Margaret Donald Ashley Steven Kimberly Andrew Emily Paul Donna Joshua Michelle Kenneth Carol Kevin Amanda Brian Melissa George Deborah Timothy Stephanie Ronald Dorothy Jason Rebecca Edward Sharon Jeffrey Laura Ryan Cynthia Jacob Amy Gary Kathleen Nicholas Angela Eric Shirley Jonathan Brenda Stephen Emma Larry Anna Justin Pamela Scott Nicole Brandon Samantha Benjamin Katherine Samuel Christine Gregory Debra Alexander Rachel Patrick Carolyn Frank Janet Raymond Maria Jack Olivia Dennis Heather Jerry Helen Tyler Catherine Aaron Diane Jose Julie Adam Victoria Nathan Joyce Henry Lauren Zachary Kelly Douglas Christina Peter Ruth Kyle Joan Noah Virginia Ethan Judith Jeremy Evelyn Christian Hannah Walter Andrea Keith Megan Austin Cheryl Roger Jacqueline Terry Madison Sean Teresa Gerald Abigail Carl Sophia Dylan Martha Harold Sara Jordan Gloria Jesse Janice Bryan Kathryn Lawrence Arthur Isabella Gabriel Judy Bruce Charlotte Logan Julia Billy Grace Alan Alice Juan Denise Albert Danielle Wayne Marilyn Randy Natalie Vincent Diana Liam Brittany Roy Theresa Bobby Kayla Caleb Alexis Bradley Russell Lori Lucas Tiffany Luis Carlos Miguel Rosa Alejandro Guadalupe Javier Marisol Ricardo Yolanda Hector Veronica Trent Karina Dana Marcus Tanya Darnell Keisha Hiroshi Mei Tuan Linh Priya Rahul José Iñaki";
    pub const LAST: &str = "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts Gomez Phillips Evans Turner Diaz Parker Cruz Edwards Collins Reyes Stewart Morris Morales Murphy Cook Rogers Gutierrez Ortiz Morgan Cooper Peterson Bailey Reed Kelly Howard Ramos Kim Cox Ward Richardson Watson Brooks Chavez Wood James Bennett Gray Mendoza Ruiz Hughes Price Alvarez Castillo Sanders Patel Myers Long Ross Foster Jimenez Powell Jenkins Perry Russell Sullivan Bell Coleman Butler Henderson Barnes Gonzales Fisher Vasquez Simmons Romero Jordan Patterson Alexander Hamilton Graham Reynolds Griffin Wallace Moreno West Cole Hayes Bryant Herrera Gibson Ellis Tran Medina Aguilar Stevens Murray Ford Castro Marshall Owens Harrison Fernandez McDonald Woods Washington Kennedy Wells Vargas Henry Chen Freeman Webb Tucker Guzman Burns Crawford Olson Simpson Porter Hunter Gordon Mendez Silva Shaw Snyder Mason Dixon Munoz Hunt Hicks Holmes Palmer Wagner Black Robertson Boyd Rose Stone Salazar Fox Warren Mills Meyer Rice Schmidt Garza Daniels Ferguson Nichols Stephens Soto Weaver Ryan Gardner Payne Grant Dunn Kowalczyk Lindqvist Baptiste Whitfield Velez Pryor Amundsen Villalobos-Ruiz Vargas-Leon Okafor Nakamura Petrov Haddad Peña Muñoz Ibáñez";
    pub const STREETS: &[&str] = &["Colfax Ave", "Havana St", "Peoria St", "Valencia Rd", "Oracle Rd", "Grant Rd", "Lancaster Dr NE", "Main St", "Broadway", "Central Ave", "Van Buren St", "Indian School Rd", "Pacific Coast Hwy", "Atlantic Ave", "Federal Blvd", "Mississippi Ave", "Chambers Rd", "Alameda Ave", "University Dr", "Baseline Rd", "Rainier Ave S", "Aurora Ave N", "Lake Mead Blvd", "Kietzke Ln", "Westheimer Rd", "Cicero Ave", "Halsted St", "Western Ave", "Irvington Rd", "Speedway Blvd", "Florence Ave", "Lake St"];
    pub const CRIMES: &[&str] = &["human smuggling", "auto theft", "burglary", "narcotics distribution", "fraud", "aggravated assault", "robbery", "hit-and-run", "identity theft", "firearms trafficking", "domestic violence", "catalytic converter theft"];
    pub const MODELS: &[&str] = &["Toyota Tacoma", "Honda Accord", "Nissan Altima", "Chevy Malibu", "Ford F-150", "Dodge Ram 1500", "Toyota Camry", "Honda Civic", "Jeep Grand Cherokee", "Chevy Silverado", "Hyundai Elantra", "Kia Optima", "Ford Explorer", "GMC Yukon"];
    pub const COLORS: &[&str] = &["grey", "white", "black", "silver", "blue", "red", "maroon", "green"];
    pub const ALPR: &[&str] = &["Vigilant", "LEARN", "Flock", "Rekor", "the LPR system"];
    pub const SYSTEMS: &[&str] = &["CAD", "RMS", "Outlook", "the evidence system", "Axon Evidence", "Spillman", "the jail management system", "the MDTs"];
    pub const OPS: &[&str] = &["Sandstorm", "Cross Check", "Night Owl", "Blue Heron", "Iron Gate", "Desert Wind", "Safe Harbor", "Clean Sweep", "Long Haul", "Silver Line"];
    pub const MONTHS: [&str; 12] = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
    pub const DAYS: [&str; 7] = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

    /// Routine mail by topic: meetings, training, operations, bookings, cases, fleet,
    /// budget, IT, personnel.
    pub const ROUTINE: &[&[&str]] = &[
        &["The monthly task force meeting has been moved to {day} at {time} in the second floor conference room.", "Please review the draft agenda before we meet; I added an item on the {op} after-action notes.", "Parking is limited, so carpool from the {place} office if you can.", "If you can't make it in person, the Teams link is in the calendar invite.", "We'll cover the staffing plan for next quarter and the new overtime rules.", "Lunch will be provided, so let me know about dietary restrictions by {day}.", "Minutes from the last meeting went out on {date} for anyone who missed it.", "{emp} asked that each unit bring a one-page update on open cases."],
        &["Reminder that the Crisis Intervention Team course starts {date} at the {place} training center.", "The class runs from 0800 to 1600 and counts for {num} hours of POST credit.", "Please bring your duty belt, eye protection and a laptop.", "Seats are limited to {num}, so confirm through your supervisor by {day}.", "The instructor will cover legal updates and recent case law on vehicle stops.", "Range qualification is moved to {date} because of the weather forecast.", "Anyone who missed the annual use-of-force refresher needs to sign up for the make-up session.", "Certificates from the spring session are in your inbox."],
        &["Operation {op} is set for {date}, staging at {time} in the lot behind {street}.", "We need two marked units, a K9 unit and one supervisor on standby.", "Please read the safety section of the ops plan before the briefing.", "Radio traffic will be on the tactical channel for the duration of the operation.", "The target location is a two-story residence with a detached garage off {street}.", "Arrest teams will report back to the command post when their addresses are clear.", "Overtime is approved for up to {num} hours per officer for the operation.", "Four subjects were taken into custody without incident and one warrant was cleared."],
        &["The detainer on {n} was lodged with the jail on {date}.", "Classification moved him to housing unit {num} after the hearing.", "His next court date is {date} in Division {num}.", "Transport is scheduled for {day} morning and the van leaves at {time}.", "Release paperwork was signed by the watch commander at {time}.", "The hold was cleared after the judge set bond at ${amt}.", "Intake was slow on {day} because of the system outage, so some bookings were entered late.", "Medical cleared him for transfer on {date}."],
        &["I'm updating the case file for {case} and will have the supplement in by {day}.", "The victim interview is scheduled for {date} at {time}.", "Evidence from the scene was logged under item numbers {num} through {num2}.", "The lab said results on the latent prints should be back in about {num} weeks.", "{emp} is taking the lead while I'm out next week.", "Witness statements are in the shared drive under the case folder.", "The prosecutor wants a status update before the charging conference on {date}.", "From what I can see the timeline holds up, but we still need the second witness.", "The vehicle, a {veh} (VIN {vin}), was towed to the {place} impound lot."],
        &["Unit {unitno} is due for its 30,000-mile service at the fleet shop on {date}.", "The front brakes on {unitno} were replaced and it's back in service.", "Please turn in fuel card receipts for last month by the end of the week.", "Two of the new Tahoes still need the MDT mounts installed.", "Any unit with a check-engine light needs to go to the shop before the weekend.", "The take-home vehicle memo was updated on {date}; please sign and return it."],
        &["The FY{fy} overtime budget is at {pct} percent of allocation with {num} weeks left.", "Please hold non-essential purchases until the mid-year review.", "Grant reimbursement for the Byrne JAG award was submitted on {date}.", "Finance needs the equipment request list by {day}.", "The radio maintenance invoice for ${amt} was approved and sent to accounts payable.", "We are {pct} percent over on training travel, mostly from the spring conference."],
        &["Ticket {ticket} has been opened for the {sys} outage on the third floor.", "The MDT update will be pushed to patrol cars overnight on {day}.", "Please reboot your workstation before {time} so the patch can install.", "Password resets for {sys} now require a call to the help desk.", "The printer in the squad room is back online.", "VPN access for remote staff will be down from {time} to 0600 on {day}."],
        &["Please submit your leave requests for the holiday period by {day}.", "Congratulations to {emp} on the promotion to sergeant.", "The shift bid results are posted on the intranet.", "Annual evaluations are due to supervisors by {date}.", "Reminder that the office will be closed on {date} for the holiday.", "Timesheets for the pay period ending {date} are due by noon {day}."],
        // Said in any mail, when a topic runs out of sentences.
        &["Let me know if you have any questions.", "I'll follow up once I hear back.", "Call my cell if anything changes.", "Copying {emp} so they're in the loop.", "I'm out of the office {day} but checking email.", "Sorry for the delay on this, it's been a busy week.", "We can talk about it at the next briefing if that's easier.", "Thanks again for your help on this."],
    ];
    pub const GENERAL: usize = 9;
    pub const ROUTINE_SUBJECTS: &[&[&str]] = &[
        &["Task force meeting", "Agenda for {day}", "Meeting moved to {day}"], &["CIT course {date}", "Training reminder", "Range qualification"],
        &["Operation {op}", "Ops plan - {op}", "{op} staffing"], &["Detainer status - {last}", "{last} court date", "Transport {day}"],
        &["Case {case}", "{case} supplement", "Lab results {case}"], &["Unit {unitno} service", "Fleet reminder", "Fuel card receipts"],
        &["FY{fy} overtime", "Budget update", "Purchase hold"], &["Ticket {ticket}", "{sys} outage", "MDT update {day}"],
        &["Holiday leave", "Shift bid results", "Evaluations due"],
    ];

    // Informal requests, by the data sought: plate reads, DMV, booking, phone and
    // address, criminal history.
    pub const ASK_SUBJECTS: &[&[&str]] = &[&["plate {plate}", "quick LPR check", "{st} {plate}"], &["DL photo?", "quick DMV lookup", "{last}"], &["Booking info - {last}", "release date?", "inmate {last}"], &["{last} - current address?", "quick question", "phone for {last}"], &["priors on {last}", "{last}", "quick favor"]];
    pub const OPENERS: &[&str] = &["I'm working a {crime} case out of {place} and could use a hand.", "We have a {crime} investigation that's moving faster than our paperwork.", "Thanks for taking my call earlier.", "Hope things are good over there.", "Our target on {case} has gone quiet and I'm trying to figure out where he's staying."];
    pub const ASKS: &[&[&str]] = &[
        &["Can you run {st} plate {plate} for me and see if there are any LPR hits in the last 30 days?", "I don't have access to {alpr} anymore, could you check {plate} and send me whatever comes back?", "Would you be able to look up {st} {plate} on your plate readers and email me the reads?"],
        &["Could you pull the DMV photo and current address for {n}, DOB {dob}?", "Would you mind grabbing the DL photo for {n} and sending it over?", "Can you check who {st} {plate} comes back to and send me the registration?"],
        &["Any chance you could send me the booking sheet and jail release date for {n}?", "Can you tell me when {n} is getting released and what address he gave at booking?", "Could you check if {n} is still in custody and send me his booking photo?"],
        &["Would you mind looking up {n} in your RMS and emailing me any phone numbers or addresses you have?", "Do you have a current address or phone number for {n}? Anything from your calls for service would help."],
        &["Could you run {n} through your system and let me know what arrests you have on him?", "Can you send me whatever priors you have on {n}, DOB {dob}?"],
    ];
    pub const BYPASS: &[&str] = &["Just between us, I'd rather not wait two weeks on the portal for this one.", "No need to go through the portal on this, a screenshot is fine.", "I know I should put in a formal request, but the case is moving fast.", "Our records people are slammed, so I figured I'd ask you directly.", "We can paper it later if it turns into something.", "My {alpr} login has been locked since Friday, so this would really help.", "Happy to keep this informal for now."];
    pub const ANSWERS: &[&str] = &["Here's what our plate readers have on {plate} for the last 30 days, {num} reads total:", "The DL comes back to {n}, {addr}. Photo is attached. VIN on the registration is {vin}.", "{n} was booked into our jail on {date} for {crime} and released on {date2}. Address given at booking was {addr}, phone {ph}.", "Our RMS has a cell phone number of {ph} for {n}, from a report on {date}. Last known address in a report was {addr}.", "Here's his criminal history from our RMS: {num} arrests, the most recent on {date} for {crime}. DOB in our system is {dob}."];
    pub const ANSWER_TAILS: &[&str] = &["Sent this from my desk, so please don't cite us as the source.", "Let me know if you need more.", "Please keep where this came from between us.", "Hope that helps with your case."];
    pub const REFUSALS: &[&str] = &["I can't send that without a subpoena or a request through our records unit, sorry. Everything goes through the portal now.", "I'll have to say no on this one; our policy requires a court order before we release anything."];
    pub const THANKS: &[&str] = &["Perfect, thanks. That's our guy.", "Got it, much appreciated.", "Thanks, this helps a lot. I'll let you know if it turns into anything.", "Received, thank you."];
    // Formal requests (the near misses), again by data sought.
    pub const FORMAL_SUBJECTS: &[&str] = &["Subpoena - {case}", "Records request {ticket}", "LPR audit", "{plate}", "Court order - {case}"];
    pub const FORMAL: &[&str] = &["Attached is the subpoena for subscriber and call detail records on {ph} (case {case}).", "I submitted a request through your records portal this morning for the booking records on {n}, tracking number {ticket}.", "Per the MOU between our agencies, please send the quarterly plate reader audit through the fusion center.", "I ran {plate} myself in NCIC and through our own LEARN account and nothing came back, so no need to check on your end.", "We have a signed court order for the DMV records on {n}; a copy is attached."];
    pub const FORMAL_REPLIES: &[&str] = &["Received, thank you. Records will process it within ten business days.", "Please submit the request through the records portal so it gets logged; I can't send anything by email.", "Our legal unit reviewed the paperwork and the records are attached.", "Understood. We'll wait for the portal request before we pull anything."];

    pub const GREETINGS: &[&str] = &["Hi {to},", "{to},", "Good morning {to},", "{rank} {tolast},", "All,", "Hello,"];
    pub const CLOSINGS: &[&str] = &["Thanks,", "Thank you,", "Regards,", "Respectfully,", "v/r,", "Best,"];
    pub const FED_WARNING: &str = "WARNING: This document is UNCLASSIFIED//FOR OFFICIAL USE ONLY (U//FOUO). It contains information that may be exempt from public release under the Freedom of Information Act (5 U.S.C. 552). It is to be controlled, stored, handled, transmitted, distributed, and disposed of in accordance with agency policy relating to FOUO information.";
    pub const NOTICE: &str = "CONFIDENTIALITY NOTICE: This e-mail, including any attachments, is for the sole use of the intended recipient(s) and may contain confidential law enforcement information. Any unauthorized review, use, disclosure or distribution is prohibited.";
    /// (names, phones, techniques) as each style of federal release codes them.
    pub const CODES: &[(&str, &str, &str)] = &[("(b)(6), (b)(7)(C)", "(b)(6)", "(b)(7)(E)"), ("(b)(6); (b)(7)(C)", "(b)(6); (b)(7)(C)", "(b)(7)(E)"), ("B6", "B6", "B7E"), ("b7C", "b6", "b7E"), ("(b)(6)", "(b)(6)", "(b)(7)(E)")];
    pub const PDF: &[u8] = b"%PDF-1.6\n%\xE2\xE3\xCF\xD3\n";
    pub const JPEG: &[u8] = b"\xFF\xD8\xFF\xE0\x00\x10JFIF\x00";
    pub const DOCX: &[u8] = b"PK\x03\x04\x14\x00\x06\x00";
    pub const DOCX_TYPE: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
}

fn names() -> &'static (Vec<&'static str>, Vec<&'static str>) {
    static NAMES: OnceLock<(Vec<&str>, Vec<&str>)> = OnceLock::new();
    NAMES.get_or_init(|| (FIRST.split(' ').collect(), LAST.split(' ').collect()))
}

fn ascii_fold(s: &str) -> String {
    let fold = |c| match c {
        'á' => 'a',
        'é' => 'e',
        'í' => 'i',
        'ó' => 'o',
        'ú' => 'u',
        'ñ' => 'n',
        'Ñ' => 'N',
        'Í' => 'I',
        c => c,
    };
    s.chars().map(fold).collect()
}

// ------------------------------------------------------------------ people and dates

#[derive(Clone)]
struct Person {
    first: &'static str,
    last: &'static str,
    ag: usize,
    title: &'static str,
    unit: String,
    phone: String,
    email: String,
}

/// Phone numbers stay in the 555-01xx range, reserved for fiction.
fn phone(rng: &mut Rng, area: u16) -> String {
    let n = rng.range(100, 199);
    match rng.below(3) {
        0 => format!("({area}) 555-0{n}"),
        1 => format!("{area}-555-0{n}"),
        _ => format!("{area}.555.0{n}"),
    }
}

fn local_agency(rng: &mut Rng) -> &'static Agency {
    &AGENCIES[FEDS + rng.below(AGENCIES.len() - FEDS)]
}

fn person(rng: &mut Rng, ag: usize) -> Person {
    let (first, last) = (rng.pick(&names().0), rng.pick(&names().1));
    let a = &AGENCIES[ag];
    // Federal staff sit in a field office near one of the local agencies.
    let home = if a.fed { local_agency(rng) } else { a };
    let unit = rng.pick(a.units);
    let unit = if a.fed {
        format!("{unit}, {}", home.city)
    } else {
        unit.to_string()
    };
    let (f, l) = (ascii_fold(first), ascii_fold(last));
    let user = match a.mail {
        0 => format!("{f}.{l}"),
        1 => format!("{}{l}", &f[..1]).to_lowercase(),
        _ => format!("{f}.{l}").to_lowercase(),
    };
    let (title, phone) = (rng.pick(a.titles), phone(rng, home.area));
    let email = format!("{user}@{}", a.domain);
    Person {
        first,
        last,
        ag,
        title,
        unit,
        phone,
        email,
    }
}

fn any_person(rng: &mut Rng) -> Person {
    let ag = rng.below(AGENCIES.len());
    person(rng, ag)
}

/// A moment and the writer's UTC offset in minutes.
#[derive(Clone, Copy)]
struct When {
    t: i64,
    off: i32,
}

/// (year, month 1-12, day) of a day count since 1970 (Howard Hinnant's algorithm).
fn civil(days: i64) -> (i64, usize, u32) {
    let z = days + 719_468;
    let (era, doe) = (z.div_euclid(146_097), z.rem_euclid(146_097));
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as usize;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

struct Local {
    y: i64,
    m: usize,
    d: u32,
    wd: usize,
    h: i64,
    mi: i64,
    s: i64,
}

impl When {
    /// `t` as written by someone at agency `ag`, daylight time April to October.
    fn at(t: i64, ag: usize) -> When {
        let a = &AGENCIES[ag];
        let (_, m, _) = civil((t + a.tz as i64 * 3600).div_euclid(86_400));
        let dst = a.dst && (4..=10).contains(&m);
        When {
            t,
            off: (a.tz + i32::from(dst)) * 60,
        }
    }
    fn local(&self) -> Local {
        let l = self.t + self.off as i64 * 60;
        let (days, s) = (l.div_euclid(86_400), l.rem_euclid(86_400));
        let (y, m, d) = civil(days);
        let wd = (days + 4).rem_euclid(7) as usize;
        Local {
            y,
            m,
            d,
            wd,
            h: s / 3600,
            mi: s / 60 % 60,
            s: s % 60,
        }
    }
    /// `Tue, 3 Mar 2020 13:41:55 -0700`
    fn rfc2822(&self) -> String {
        let Local {
            y,
            m,
            d,
            wd,
            h,
            mi,
            s,
        } = self.local();
        let (day, mon) = (&DAYS[wd][..3], &MONTHS[m - 1][..3]);
        let (sign, o) = (if self.off < 0 { '-' } else { '+' }, self.off.abs());
        format!(
            "{day}, {d} {mon} {y} {h:02}:{mi:02}:{s:02} {sign}{:02}{:02}",
            o / 60,
            o % 60
        )
    }
    fn clock(&self) -> String {
        let Local { h, mi, .. } = self.local();
        let ampm = if h < 12 { "AM" } else { "PM" };
        format!("{}:{mi:02} {ampm}", (h + 11) % 12 + 1)
    }
    /// `Tuesday, March 3, 2020 1:41 PM`
    fn printed(&self) -> String {
        let Local { y, m, d, wd, .. } = self.local();
        format!("{}, {} {d}, {y} {}", DAYS[wd], MONTHS[m - 1], self.clock())
    }
    /// `Tue, Mar 3, 2020 at 9:14 AM`
    fn gmail(&self) -> String {
        let Local { y, m, d, wd, .. } = self.local();
        let (day, mon) = (&DAYS[wd][..3], &MONTHS[m - 1][..3]);
        format!("{day}, {mon} {d}, {y} at {}", self.clock())
    }
    /// `Thu Apr  4 10:15:02 2019`, in UTC, for mbox separators.
    fn asctime(&self) -> String {
        let Local {
            y,
            m,
            d,
            wd,
            h,
            mi,
            s,
        } = When { t: self.t, off: 0 }.local();
        let (day, mon) = (&DAYS[wd][..3], &MONTHS[m - 1][..3]);
        format!("{day} {mon} {d:>2} {h:02}:{mi:02}:{s:02} {y}")
    }
    fn mdy(&self) -> String {
        let Local { y, m, d, .. } = self.local();
        format!("{m:02}/{d:02}/{y}")
    }
}

/// A working-hours moment between 2017 and 2022.
fn start_time(rng: &mut Rng, ag: usize) -> When {
    let day = 17_167 + rng.below(2190) as i64;
    let secs = rng.range(7 * 3600, 18 * 3600) as i64;
    When::at(day * 86_400 + secs - AGENCIES[ag].tz as i64 * 3600, ag)
}

// ------------------------------------------------------------------ what is said

#[derive(Clone, Copy, PartialEq)]
enum Role {
    Routine(usize),
    Ask,
    Answer,
    Refusal,
    Thanks,
    FormalAsk,
    FormalReply,
}

/// The facts one conversation is about: a third party, a vehicle, a case.
struct Ctx {
    n: String,
    last: &'static str,
    dob: String,
    ph: String,
    addr: String,
    plate: String,
    st: &'static str,
    veh: String,
    vin: String,
    case: String,
    /// The data an informal or formal request is about (index into `ASKS`).
    kind: usize,
    /// The operation it mentions.
    op: &'static str,
    /// When the conversation starts: dates in the text fall around it.
    t0: i64,
}

fn plate(rng: &mut Rng) -> String {
    let mut s = String::new();
    let form = rng.pick(&["LLLDDDD", "DLLLDDD", "DDD-LLL"]);
    for c in form.chars() {
        let ch = match c {
            'L' => b'A' + rng.below(26) as u8,
            'D' => b'0' + rng.below(10) as u8,
            _ => b'-',
        };
        s.push(ch as char);
    }
    s
}

fn vin(rng: &mut Rng) -> String {
    const A: &[u8] = b"ABCDEFGHJKLMNPRSTUVWXYZ0123456789";
    (0..17).map(|_| A[rng.below(A.len())] as char).collect()
}

impl Ctx {
    /// Facts about someone known to agency `holder`.
    fn new(rng: &mut Rng, holder: usize) -> Ctx {
        let (first, last) = (rng.pick(&names().0), rng.pick(&names().1));
        let h = if AGENCIES[holder].fed {
            local_agency(rng)
        } else {
            &AGENCIES[holder]
        };
        let (month, day, year) = (rng.range(1, 12), rng.range(1, 28), rng.range(1960, 2001));
        let model = rng.pick(MODELS);
        let veh = format!("{} {} {model}", rng.pick(COLORS), rng.range(2006, 2020));
        let street = format!("{} {}", rng.range(100, 9999), rng.pick(STREETS));
        Ctx {
            n: format!("{first} {}", last.to_uppercase()),
            last,
            dob: format!("{month:02}/{day:02}/{year}"),
            ph: phone(rng, h.area),
            addr: format!("{street}, {} {}", h.city, h.st),
            plate: plate(rng),
            st: h.st,
            veh,
            vin: vin(rng),
            case: format!("{}-{:06}", rng.range(17, 22), rng.range(1000, 999_999)),
            kind: rng.below(ASKS.len()),
            op: rng.pick(OPS),
            t0: start_time(rng, holder).t,
        }
    }
}

/// A redactable span: `\x01`, kind (n)ame (p)hone (d)ob (a)ddress p(l)ate (s)ystem, the
/// owner (`0` + agency of the employee named, or `~` for a third party), text, `\x02`.
fn mark(kind: char, owner: Option<usize>, text: &str) -> String {
    let owner = owner.map_or('~', |a| (b'0' + a as u8) as char);
    format!("\x01{kind}{owner}{text}\x02")
}

/// Fills a template's slots; `me` is the writer's agency.
fn expand(rng: &mut Rng, tpl: &str, c: &Ctx, me: usize, out: &mut String) {
    let mut rest = tpl;
    let mut num = 0;
    while let Some(i) = rest.find('{') {
        out.push_str(&rest[..i]);
        let j = i + rest[i..].find('}').unwrap_or(0);
        out.push_str(&slot(rng, &rest[i + 1..j], c, me, &mut num));
        rest = &rest[j + 1..];
    }
    out.push_str(rest);
}

fn slot(rng: &mut Rng, name: &str, c: &Ctx, me: usize, num: &mut u64) -> String {
    let days = |r: &mut Rng| (r.range(0, 60) as i64 - 30) * 86_400;
    match name {
        "n" => mark('n', None, &c.n),
        "dob" => mark('d', None, &c.dob),
        "ph" => mark('p', None, &c.ph),
        "addr" => mark('a', None, &c.addr),
        "plate" => mark('l', None, &c.plate),
        "alpr" => mark('s', None, rng.pick(ALPR)),
        "op" => mark('s', None, c.op),
        "emp" => {
            let (f, l) = (rng.pick(&names().0), rng.pick(&names().1));
            mark('n', Some(me), &format!("{f} {l}"))
        }
        "last" => c.last.to_uppercase(),
        "st" => c.st.into(),
        "veh" => c.veh.clone(),
        "vin" => c.vin.clone(),
        "case" => c.case.clone(),
        "date" | "date2" => When::at(c.t0 + days(rng), me).mdy(),
        "day" => DAYS[rng.range(1, 5) as usize].into(),
        "time" => format!("{:02}{:02}", rng.range(6, 19), 15 * rng.range(0, 3)),
        "num" => {
            *num = rng.range(2, 40);
            num.to_string()
        }
        "num2" => (*num + rng.range(1, 20)).to_string(),
        "street" => rng.pick(STREETS).into(),
        "place" => local_agency(rng).city.into(),
        "crime" => rng.pick(CRIMES).into(),
        "sys" => rng.pick(SYSTEMS).into(),
        "amt" => format!("{},{:03}", rng.range(1, 95), rng.range(0, 999)),
        "pct" => rng.range(40, 115).to_string(),
        "ticket" => format!("INC{:07}", rng.range(100_000, 9_999_999)),
        "fy" => (When::at(c.t0, me).local().y % 100 + 1).to_string(),
        "unitno" => rng.range(1100, 4999).to_string(),
        other => other.into(),
    }
}

/// The rows of a plate-reader answer.
fn alpr_rows(rng: &mut Rng, now: When, out: &mut String) {
    let mut t = now.t - 30 * 86_400;
    for _ in 0..rng.range(2, 8) {
        t += rng.range(20_000, 350_000) as i64;
        let w = When { t, off: now.off };
        let Local { h, mi, .. } = w.local();
        let (a, b) = (rng.pick(STREETS), rng.pick(STREETS));
        let dir = rng.pick(&["NB", "SB", "EB", "WB"]);
        let _ = writeln!(out, "  {} {h:02}:{mi:02}   {a} & {b} ({dir})", w.mdy());
    }
}

fn rank(title: &str) -> &'static str {
    match title.split(' ').next() {
        Some("Sergeant") => "Sgt.",
        Some("Detective") => "Det.",
        Some("Lieutenant") => "Lt.",
        Some("Special") => "SA",
        Some("Deputy") => "Deputy",
        Some("Trooper") => "Trooper",
        _ => "Officer",
    }
}

fn greeting(rng: &mut Rng, to: &Person, out: &mut String) {
    let g = rng
        .pick(GREETINGS)
        .replace("{rank}", rank(to.title))
        .replace("{tolast}", &mark('n', Some(to.ag), to.last))
        .replace("{to}", &mark('n', Some(to.ag), to.first));
    out.push_str(&g);
    out.push_str("\n\n");
}

fn signature(rng: &mut Rng, from: &Person, out: &mut String) {
    let name = |s: &str| mark('n', Some(from.ag), s);
    let _ = write!(out, "{}\n{}\n\n", rng.pick(CLOSINGS), name(from.first));
    if rng.chance(0.25) {
        return;
    }
    let a = &AGENCIES[from.ag];
    let full = name(&format!("{} {}", from.first, from.last));
    let _ = writeln!(out, "{full}\n{}\n{}\n{}", from.title, from.unit, a.name);
    let label = rng.pick(&["", "Office: ", "Desk: ", "Cell: "]);
    let _ = writeln!(out, "{label}{}", mark('p', Some(from.ag), &from.phone));
    if a.fed && rng.chance(0.25) {
        let _ = write!(out, "\n{FED_WARNING}\n");
    } else if rng.chance(0.15) {
        let _ = write!(out, "\n{NOTICE}\n");
    }
}

/// The own text of one message (no quotes), with spans marked. Log-normal length, ~40-400
/// words, median ~110.
fn compose(rng: &mut Rng, c: &Ctx, role: Role, from: &Person, to: &Person, now: When) -> String {
    let mut target = rng.log_normal(110.0, 0.6, 40.0, 400.0) as usize;
    let mut b = String::with_capacity(target * 8);
    greeting(rng, to, &mut b);
    let me = from.ag;
    let say = |rng: &mut Rng, tpls: &[&str], b: &mut String| {
        let tpl = rng.pick(tpls);
        expand(rng, tpl, c, me, b);
        b.push(' ');
    };
    let mut topic = 4;
    match role {
        Role::Routine(t) => topic = t,
        Role::Ask => {
            if rng.chance(0.6) {
                say(rng, OPENERS, &mut b);
            }
            say(rng, ASKS[c.kind], &mut b);
            if rng.chance(0.6) {
                say(rng, BYPASS, &mut b);
            }
            if c.kind == 0 {
                expand(rng, "\n\n  {st} {plate}   {veh}\n\n", c, me, &mut b);
            }
            target = target.min(90);
        }
        Role::Answer => {
            say(rng, &[ANSWERS[c.kind]], &mut b);
            if c.kind == 0 {
                b.push_str("\n\n");
                alpr_rows(rng, now, &mut b);
                b.push('\n');
                say(
                    rng,
                    &["Looks like he parks near {street} most nights."],
                    &mut b,
                );
            }
            say(rng, ANSWER_TAILS, &mut b);
            target = target.min(100);
        }
        Role::Refusal => say(rng, REFUSALS, &mut b),
        Role::Thanks => {
            say(rng, THANKS, &mut b);
            target = 30;
        }
        Role::FormalAsk => say(rng, &[FORMAL[c.kind]], &mut b),
        Role::FormalReply => say(rng, FORMAL_REPLIES, &mut b),
    }
    if b.ends_with(' ') {
        b.push_str("\n\n");
    }
    fill(rng, c, me, topic, target, &mut b);
    signature(rng, from, &mut b);
    b
}

/// Routine sentences on `topic`, then general ones, then others, until the body holds
/// `target` words; each sentence at most once, in paragraphs of a few sentences.
fn fill(rng: &mut Rng, c: &Ctx, me: usize, topic: usize, target: usize, b: &mut String) {
    let mut used = [0u16; 10];
    let mut words = b.split_whitespace().count();
    let (mut t, mut in_para) = (topic, 0);
    for _ in 0..10_000 {
        if words >= target {
            break;
        }
        let pool = ROUTINE[t];
        if used[t].count_ones() as usize >= pool.len() {
            t = if t == GENERAL {
                rng.below(GENERAL)
            } else {
                GENERAL
            };
            continue;
        }
        let k = rng.below(pool.len());
        if used[t] & (1 << k) != 0 {
            continue;
        }
        used[t] |= 1 << k;
        let before = b.len();
        expand(rng, pool[k], c, me, b);
        words += b[before..].split_whitespace().count();
        in_para += 1;
        let end = in_para >= 3 && rng.chance(0.5);
        b.push_str(if end { "\n\n" } else { " " });
        in_para *= usize::from(!end);
    }
    if in_para > 0 {
        b.push_str("\n\n");
    }
}

// ------------------------------------------------------------------ messages and threads

struct Att {
    name: String,
    mime: &'static str,
    size: usize,
    seed: u64,
}

struct Msg {
    from: Person,
    to: Vec<Person>,
    cc: Vec<Person>,
    when: When,
    subject: String,
    /// Text with redactable spans marked (see `mark`).
    body: String,
    id: String,
    role: Role,
    atts: Vec<Att>,
}

struct Thread {
    msgs: Vec<Msg>,
    gmail: bool,
    /// Outlook's `-----Original Message-----` (else a line of underscores).
    dashes: bool,
}

/// The files a message carries, with probability `p` (answers carry more).
fn attachments(rng: &mut Rng, role: Role, c: &Ctx, now: When, p: f64) -> Vec<Att> {
    let carries = rng.chance(p) || role == Role::Answer && rng.chance(0.3);
    if !carries {
        return Vec::new();
    }
    let Local { y, m, .. } = now.local();
    let seed = rng.next();
    let last = ascii_fold(c.last).to_uppercase();
    let op = rng.pick(OPS).replace(' ', "_");
    let count = rng.range(1, 3);
    let mut one = |k: u64| {
        let (name, mime) = match rng.below(6) {
            0 => (format!("LPR_hits_{y}-{m:02}.pdf"), "application/pdf"),
            1 => (format!("booking_sheet_{last}.pdf"), "application/pdf"),
            2 => (format!("IMG_{}.jpg", rng.range(1000, 9999)), "image/jpeg"),
            3 => (format!("Ops_Plan_{op}.docx"), DOCX_TYPE),
            4 => (format!("Case_{}_supplement.pdf", c.case), "application/pdf"),
            _ => (
                format!("scan{:04}.pdf", rng.range(1, 9999)),
                "application/pdf",
            ),
        };
        let size = rng.log_normal(80_000.0, 1.0, 10_000.0, 2_000_000.0) as usize;
        Att {
            name,
            mime,
            size,
            seed: seed ^ k,
        }
    };
    (0..count).map(&mut one).collect()
}

fn message_id(rng: &mut Rng, from: &Person) -> String {
    let mut hex = |n: usize| -> String { (0..n).map(|_| format!("{:X}", rng.below(16))).collect() };
    let tail = hex(26);
    let host = format!(
        "{}PR{:02}MB{}",
        rng.pick(&["BN6", "SN4", "DM5", "CO1", "MW4", "SJ0"]),
        rng.range(1, 19),
        rng.range(1000, 9999)
    );
    if AGENCIES[from.ag].fed || rng.chance(0.6) {
        format!(
            "<{host}{tail}@{host}.namprd{:02}.prod.outlook.com>",
            rng.range(1, 19)
        )
    } else {
        format!(
            "<{}.{}@{}>",
            &tail[..16],
            rng.range(10_000, 99_999),
            AGENCIES[from.ag].domain
        )
    }
}

/// Two correspondents: of different agencies for requests (a federal one writes to a
/// local one), of one agency for most routine mail.
fn parties(rng: &mut Rng, cross: bool, anchor: Option<&Person>) -> (Person, Person) {
    let a = anchor.cloned().unwrap_or_else(|| any_person(rng));
    let mut other = a.ag;
    while cross && AGENCIES[other].domain == AGENCIES[a.ag].domain {
        other = if AGENCIES[a.ag].fed {
            FEDS + rng.below(AGENCIES.len() - FEDS)
        } else {
            rng.below(AGENCIES.len())
        };
    }
    let b = person(rng, other);
    (a, b)
}

#[derive(Clone, Copy)]
enum Scene {
    Routine(usize),
    Informal,
    Formal,
}

/// The kind and length of a thread, cheap to know without making it.
fn shape(seed: u64, ns: u64, id: u64, min: usize, max: usize) -> (Scene, usize) {
    let mut r = Rng::new(&[seed, ns, id, 0x5A9E]);
    let x = r.unit();
    let scene = match x {
        _ if x < 0.13 => Scene::Informal,
        _ if x < 0.23 => Scene::Formal,
        _ => Scene::Routine(r.below(GENERAL)),
    };
    let n = match scene {
        Scene::Informal => r.range(2, 3) as usize,
        Scene::Formal => 2,
        Scene::Routine(_) => r.pick(&[1, 1, 2, 2, 3, 3, 4, 5, 6, 8]),
    };
    (scene, n.clamp(min, max))
}

fn role_at(scene: Scene, k: usize, rng: &mut Rng) -> Role {
    match (scene, k) {
        (Scene::Routine(t), _) => Role::Routine(t),
        (Scene::Informal, 0) => Role::Ask,
        (Scene::Informal, 1) if rng.chance(0.15) => Role::Refusal,
        (Scene::Informal, 1) => Role::Answer,
        (Scene::Formal, 0) => Role::FormalAsk,
        (Scene::Formal, 1) => Role::FormalReply,
        _ => Role::Thanks,
    }
}

fn subject(rng: &mut Rng, scene: Scene, c: &Ctx) -> String {
    let tpl = match scene {
        Scene::Informal => rng.pick(ASK_SUBJECTS[c.kind]),
        Scene::Formal => FORMAL_SUBJECTS[c.kind],
        Scene::Routine(t) => rng.pick(ROUTINE_SUBJECTS[t]),
    };
    let mut s = String::new();
    expand(rng, tpl, c, 0, &mut s);
    strip(&s)
}

/// One conversation of `min..=max` messages, the same every time it is asked for;
/// `anchor` (a custodian) is one of the two correspondents.
fn thread(seed: u64, ns: u64, id: u64, len: (usize, usize), anchor: Option<&Person>) -> Thread {
    let (scene, n) = shape(seed, ns, id, len.0, len.1);
    let mut rng = Rng::new(&[seed, ns, id]);
    let cross = !matches!(scene, Scene::Routine(_)) || rng.chance(0.2);
    let (a, b) = parties(&mut rng, cross, anchor);
    let c = Ctx::new(&mut rng, b.ag);
    let cc = if rng.chance(0.3) {
        vec![person(&mut rng, a.ag)]
    } else {
        Vec::new()
    };
    let base = subject(&mut rng, scene, &c);
    let gmail = rng.chance(0.3);
    let mut t = c.t0;
    let mut msgs: Vec<Msg> = Vec::with_capacity(n);
    for k in 0..n {
        let (from, to) = if k % 2 == 0 { (&a, &b) } else { (&b, &a) };
        if k > 0 {
            let quick = rng.chance(0.75);
            t += if quick {
                rng.range(300, 14_400)
            } else {
                rng.range(64_800, 100_000)
            } as i64;
        }
        let when = When::at(t, from.ag);
        let role = role_at(scene, k, &mut rng);
        let body = compose(&mut rng, &c, role, from, to, when);
        let atts = attachments(&mut rng, role, &c, when, 0.2);
        let prefix = ["", if gmail { "Re: " } else { "RE: " }][usize::from(k > 0)];
        let subject = format!("{prefix}{base}");
        let (from, to, cc, id) = (
            from.clone(),
            vec![to.clone()],
            cc.clone(),
            message_id(&mut rng, from),
        );
        msgs.push(Msg {
            from,
            to,
            cc,
            when,
            subject,
            body,
            id,
            role,
            atts,
        });
    }
    Thread {
        msgs,
        gmail,
        dashes: rng.chance(0.6),
    }
}

// ------------------------------------------------------------------ mail text

/// Removes span marks.
fn strip(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut it = s.chars();
    while let Some(ch) = it.next() {
        match ch {
            '\x01' => {
                it.nth(1);
            }
            '\x02' => {}
            c => out.push(c),
        }
    }
    out
}

/// Breaks long lines at `width`; indented and quoted lines stay as they are.
fn wrap(text: &str, width: usize) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / width);
    for line in text.split('\n') {
        if line.len() <= width || line.starts_with([' ', '>']) {
            out.push_str(line.trim_end());
            out.push('\n');
            continue;
        }
        let mut col = 0;
        for w in line.split(' ').filter(|w| !w.is_empty()) {
            if col > 0 {
                let brk = col + 1 + w.len() > width;
                out.push(if brk { '\n' } else { ' ' });
                col = if brk { 0 } else { col + 1 };
            }
            out.push_str(w);
            col += w.len();
        }
        out.push('\n');
    }
    out
}

fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 20);
    for line in text.trim_end().split('\n') {
        let bare = line.is_empty() || line.starts_with('>');
        let _ = writeln!(out, "{}{line}", if bare { ">" } else { "> " });
    }
    out
}

fn outlook_name(p: &Person) -> String {
    format!("{}, {} <{}>", p.last, p.first, p.email)
}

fn outlook_list(ps: &[Person]) -> String {
    ps.iter().map(outlook_name).collect::<Vec<_>>().join("; ")
}

/// The text/plain a mail client writes for message `k`: its own text, then `depth`
/// earlier messages quoted, Gmail or Outlook style.
fn mail_text(th: &Thread, k: usize, depth: usize) -> String {
    let mut s = wrap(&strip(&th.msgs[k].body), 72);
    if depth == 0 || k == 0 {
        return s;
    }
    let p = &th.msgs[k - 1];
    let inner = mail_text(th, k - 1, depth - 1);
    if th.gmail {
        let who = format!("{} {} <{}>", p.from.first, p.from.last, p.from.email);
        let _ = write!(
            s,
            "\nOn {}, {who} wrote:\n{}",
            p.when.gmail(),
            quote(&inner)
        );
        return s;
    }
    let sep = if th.dashes {
        "-----Original Message-----"
    } else {
        "________________________________"
    };
    let _ = writeln!(
        s,
        "\n{sep}\nFrom: {}\nSent: {}",
        outlook_name(&p.from),
        p.when.printed()
    );
    let _ = writeln!(s, "To: {}", outlook_list(&p.to));
    if !p.cc.is_empty() {
        let _ = writeln!(s, "Cc: {}", outlook_list(&p.cc));
    }
    let _ = write!(s, "Subject: {}\n\n{inner}", p.subject);
    s
}

fn html(text: &str) -> String {
    let mut out = String::from("<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=utf-8\"></head>\n<body lang=\"EN-US\"><div class=\"WordSection1\">\n");
    for para in text.split("\n\n") {
        let esc = para
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;");
        let _ = writeln!(
            out,
            "<p class=\"MsoNormal\">{}</p>",
            esc.replace('\n', "<br>\n")
        );
    }
    out + "</div></body></html>\n"
}

// ------------------------------------------------------------------ RFC 5322

/// RFC 2047 Q-encoding of a header text that is not ASCII.
fn encode_word(text: &str) -> String {
    if text.is_ascii() {
        return text.to_string();
    }
    let mut s = String::from("=?UTF-8?Q?");
    for b in text.bytes() {
        match b {
            b' ' => s.push('_'),
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' => s.push(b as char),
            _ => {
                let _ = write!(s, "={b:02X}");
            }
        }
    }
    s + "?="
}

fn address(p: &Person) -> String {
    let name = format!("{}, {}", p.last, p.first);
    let name = if name.is_ascii() {
        format!("\"{name}\"")
    } else {
        encode_word(&name)
    };
    format!("{name} <{}>", p.email)
}

fn address_list(ps: &[Person]) -> String {
    ps.iter().map(address).collect::<Vec<_>>().join(",\n ")
}

fn headers(th: &Thread, k: usize, rng: &mut Rng, out: &mut String) {
    let m = &th.msgs[k];
    let (dom, date) = (AGENCIES[m.from.ag].domain, m.when.rfc2822());
    let ip = format!(
        "10.{}.{}.{}",
        rng.range(1, 250),
        rng.range(1, 250),
        rng.range(1, 250)
    );
    let server = format!("Microsoft SMTP Server id 15.1.2507.{}", rng.range(1, 40));
    let host = format!("mail{:02}.{dom}", rng.range(1, 12));
    let _ = writeln!(
        out,
        "Received: from {host} ({ip}) by smtp.{dom}\n with {server}; {date}"
    );
    let _ = writeln!(
        out,
        "From: {}\nTo: {}",
        address(&m.from),
        address_list(&m.to)
    );
    if !m.cc.is_empty() {
        let _ = writeln!(out, "CC: {}", address_list(&m.cc));
    }
    let subject = encode_word(&m.subject);
    let _ = writeln!(
        out,
        "Subject: {subject}\nDate: {date}\nMessage-ID: {}",
        m.id
    );
    if k > 0 {
        // The first and the latest few, as clients trim long References.
        let refs = th.msgs[..k]
            .iter()
            .enumerate()
            .filter(|(j, _)| *j == 0 || j + 8 >= k);
        let refs: Vec<&str> = refs.map(|(_, p)| p.id.as_str()).collect();
        let parent = &th.msgs[k - 1].id;
        let _ = writeln!(
            out,
            "References: {}\nIn-Reply-To: {parent}",
            refs.join("\n ")
        );
    }
    if !th.gmail {
        let mut index = Vec::new();
        base64(&mut index, &rng.next().to_le_bytes());
        let topic = encode_word(m.subject.trim_start_matches("RE: "));
        let index = String::from_utf8_lossy(&index);
        let _ = writeln!(out, "Thread-Topic: {topic}\nThread-Index: {index}");
        let has = if m.atts.is_empty() { "" } else { "yes" };
        let _ = writeln!(
            out,
            "Accept-Language: en-US\nContent-Language: en-US\nX-MS-Has-Attach: {has}"
        );
    }
    out.push_str("MIME-Version: 1.0\n");
}

/// A text part: its headers and its body, 7bit or quoted-printable.
fn text_part(text: &str, subtype: &str, qp: bool) -> String {
    if qp || !text.is_ascii() {
        let head = format!("Content-Type: text/{subtype}; charset=\"utf-8\"");
        format!(
            "{head}\nContent-Transfer-Encoding: quoted-printable\n\n{}\n",
            quoted_printable(text)
        )
    } else {
        let head = format!("Content-Type: text/{subtype}; charset=\"us-ascii\"");
        format!("{head}\nContent-Transfer-Encoding: 7bit\n\n{text}\n")
    }
}

fn lines_as(s: &str, crlf: bool) -> Vec<u8> {
    if crlf {
        s.replace('\n', "\r\n").into_bytes()
    } else {
        s.as_bytes().to_vec()
    }
}

/// Message `k` of a thread as RFC 5322, quoting `depth` earlier messages: plain text,
/// or alternative with HTML, inside a mixed part when it carries files. Returns the
/// attachment bytes written.
fn rfc5322(
    th: &Thread,
    k: usize,
    depth: usize,
    rng: &mut Rng,
    crlf: bool,
    out: &mut Vec<u8>,
) -> u64 {
    let m = &th.msgs[k];
    let mut text = mail_text(th, k, depth);
    let qp = rng.chance(0.3);
    if qp {
        text = text.replace('\'', "\u{2019}");
    }
    let mut h = String::new();
    headers(th, k, rng, &mut h);
    let (b1, b2) = (
        format!("_000_{:016X}_", rng.next()),
        format!("_001_{:016X}_", rng.next()),
    );
    let mut body = text_part(&text, "plain", qp);
    if rng.chance(0.45) {
        let html = text_part(&html(&text), "html", true);
        let alt = "Content-Type: multipart/alternative;\n\tboundary=";
        body = format!("{alt}\"{b2}\"\n\n--{b2}\n{body}--{b2}\n{html}--{b2}--\n");
    }
    if m.atts.is_empty() {
        out.extend(lines_as(&(h + &body), crlf));
        return 0;
    }
    let _ = write!(
        h,
        "Content-Type: multipart/mixed;\n\tboundary=\"{b1}\"\n\n--{b1}\n{body}"
    );
    out.extend(lines_as(&h, crlf));
    let mut written = 0;
    for a in &m.atts {
        let (name, size) = (&a.name, a.size);
        let part = format!("\n--{b1}\nContent-Type: {}; name=\"{name}\"\nContent-Description: {name}\nContent-Disposition: attachment; filename=\"{name}\"; size={size}\nContent-Transfer-Encoding: base64\n\n", a.mime);
        out.extend(lines_as(&part, crlf));
        let start = out.len();
        let magic = match a.mime {
            "application/pdf" => PDF,
            "image/jpeg" => JPEG,
            _ => DOCX,
        };
        let nl = if crlf { "\r\n" } else { "\n" };
        random_base64(out, &mut Rng::new(&[a.seed]), magic, size, nl);
        written += (out.len() - start) as u64;
    }
    out.extend(lines_as(&format!("\n--{b1}--\n"), crlf));
    written
}

/// mboxrd: a body line starting with `>*From ` gets one more `>`.
fn escape_from(msg: &[u8], out: &mut Vec<u8>) {
    for line in msg.split_inclusive(|&b| b == b'\n') {
        let body = line.iter().position(|&b| b != b'>').unwrap_or(line.len());
        if line[body..].starts_with(b"From ") {
            out.push(b'>');
        }
        out.extend_from_slice(line);
    }
}

// ------------------------------------------------------------------ printed releases

/// How one release withholds: codes, whose names, plates or techniques, OCR noise.
struct Policy {
    name: &'static str,
    phone: &'static str,
    tech: Option<&'static str>,
    employees: Vec<bool>,
    plates: bool,
    noise: f64,
}

/// Federal releases withhold their own staff and often others' under (b)(6)/(b)(7)(C);
/// local ones mostly third parties, as `[REDACTED]`.
fn policy(rng: &mut Rng, releaser: usize) -> Policy {
    let fed = AGENCIES[releaser].fed;
    let (name, phone, tech) = if fed {
        rng.pick(CODES)
    } else {
        ("[REDACTED]", "[REDACTED]", "")
    };
    let tech = (fed && rng.chance(0.5)).then_some(tech);
    let odds = |a: &Agency| match (a.fed, fed) {
        (true, true) => 1.0,
        (true, false) => 0.3,
        (false, true) => 0.5,
        (false, false) => 0.2,
    };
    let employees = AGENCIES.iter().map(|a| rng.chance(odds(a))).collect();
    let noise = if rng.chance(0.4) {
        0.0
    } else {
        rng.unit() * 0.04
    };
    Policy {
        name,
        phone,
        tech,
        employees,
        plates: rng.chance(0.5),
        noise,
    }
}

/// A word as OCR might misread it.
fn ocr_word(rng: &mut Rng, w: &str) -> String {
    for (from, to) in [
        ("rn", "m"),
        ("m", "rn"),
        ("l", "1"),
        ("O", "0"),
        ("o", "0"),
        ("i", "l"),
    ] {
        if w.contains(from) && rng.chance(0.6) {
            return w.replacen(from, to, 1);
        }
    }
    w.to_string()
}

/// Printed text of a marked body: spans withheld under the policy, OCR noise elsewhere.
fn redact(src: &str, pol: &Policy, rng: &mut Rng, spans: &mut u64) -> String {
    let mut out = String::with_capacity(src.len());
    let mut rest = src;
    while let Some(i) = rest.find('\x01') {
        noisy(&rest[..i], pol, rng, &mut out);
        let (kind, owner) = (rest.as_bytes()[i + 1], rest.as_bytes()[i + 2]);
        let end = i + rest[i..].find('\x02').unwrap_or(0);
        let code = match (kind, owner) {
            (b'l', _) => pol.plates.then_some(pol.name),
            (b's', _) => pol.tech,
            (b'p' | b'd', b'~') => Some(pol.phone),
            (_, b'~') => Some(pol.name),
            (b'p', o) => pol.employees[(o - b'0') as usize].then_some(pol.phone),
            (_, o) => pol.employees[(o - b'0') as usize].then_some(pol.name),
        };
        *spans += u64::from(code.is_some());
        // A code is not broken over two lines: its spaces stay `\x03` until wrapped.
        let code = code.map(|c| c.replace(' ', "\x03"));
        out.push_str(code.as_deref().unwrap_or(&rest[i + 3..end]));
        rest = &rest[end + 1..];
    }
    noisy(rest, pol, rng, &mut out);
    out
}

/// Misread words and dropped spaces, at the policy's rate.
fn noisy(text: &str, pol: &Policy, rng: &mut Rng, out: &mut String) {
    if pol.noise == 0.0 {
        out.push_str(text);
        return;
    }
    for (i, w) in text.split(' ').enumerate() {
        let dropped = rng.chance(pol.noise / 4.0) && !out.ends_with('\n');
        if i > 0 && !dropped {
            out.push(' ');
        }
        if w.len() > 2 && rng.chance(pol.noise) {
            out.push_str(&ocr_word(rng, w));
        } else {
            out.push_str(w);
        }
    }
}

/// A person as a printed header shows them.
fn printed_person(p: &Person, pol: &Policy, rng: &mut Rng, spans: &mut u64) -> String {
    if pol.employees[p.ag] {
        *spans += 1;
        let domain = AGENCIES[p.ag].domain;
        return if rng.chance(0.5) {
            pol.name.into()
        } else {
            format!("{}@{domain}", pol.name)
        };
    }
    match rng.below(3) {
        0 => outlook_name(p),
        1 => format!("{} {}", p.first, p.last),
        _ => format!("{}, {}", p.last, p.first),
    }
}

fn printed_list(ps: &[Person], pol: &Policy, rng: &mut Rng, spans: &mut u64) -> String {
    let names: Vec<String> = ps
        .iter()
        .map(|p| printed_person(p, pol, rng, spans))
        .collect();
    names.join("; ")
}

/// A header line, its label now and then misread.
fn field(
    lines: &mut Vec<String>,
    aligned: bool,
    label: &str,
    value: &str,
    noise: bool,
    rng: &mut Rng,
) {
    let misread = match label {
        "From:" => "Frorn:",
        "Subject:" => "Subiect:",
        "Sent:" => "Sent;",
        _ => label,
    };
    let label = if noise && rng.chance(0.03) {
        misread
    } else {
        label
    };
    lines.push(if aligned {
        format!("{label:<26}{value}")
    } else {
        format!("{label} {value}")
    });
}

/// The printed lines of a chain, newest message (`end`) first.
fn chain_lines(
    th: &Thread,
    end: usize,
    pol: &Policy,
    rng: &mut Rng,
    spans: &mut u64,
) -> Vec<String> {
    let mut lines = Vec::new();
    let width = rng.range(76, 92) as usize;
    let date_label = if rng.chance(0.15) { "Date:" } else { "Sent:" };
    let noise = pol.noise > 0.0;
    for k in (0..=end).rev() {
        let m = &th.msgs[k];
        let aligned = k == end || rng.chance(0.4);
        if k != end {
            lines.extend([String::new(), String::new()]);
            if !aligned {
                let sep = if th.dashes {
                    "-----Original Message-----"
                } else {
                    "________________________________"
                };
                lines.push(sep.into());
            }
        }
        let from = printed_person(&m.from, pol, rng, spans);
        field(&mut lines, aligned, "From:", &from, noise, rng);
        field(
            &mut lines,
            aligned,
            date_label,
            &m.when.printed(),
            noise,
            rng,
        );
        let to = printed_list(&m.to, pol, rng, spans);
        field(&mut lines, aligned, "To:", &to, noise, rng);
        if !m.cc.is_empty() {
            let cc = printed_list(&m.cc, pol, rng, spans);
            field(&mut lines, aligned, "Cc:", &cc, noise, rng);
        }
        field(&mut lines, aligned, "Subject:", &m.subject, noise, rng);
        if !m.atts.is_empty() {
            let names: Vec<&str> = m.atts.iter().map(|a| a.name.as_str()).collect();
            field(
                &mut lines,
                aligned,
                "Attachments:",
                &names.join("; "),
                noise,
                rng,
            );
        }
        lines.push(String::new());
        let text = wrap(&redact(&m.body, pol, rng, spans), width).replace('\x03', " ");
        lines.extend(text.trim_end().split('\n').map(str::to_string));
    }
    lines
}

/// The page furniture of one release: a banner and a Bates series.
struct Release {
    banner: String,
    bates: String,
    first: u64,
    digits: usize,
}

/// Printed files come in releases of 200, each under a FOIA or records-act case number.
fn release(seed: u64, i: u64, ag: usize) -> Release {
    let mut rng = Rng::new(&[seed, 0xBA7E, i / 200, ag as u64]);
    let a = &AGENCIES[ag];
    let y = rng.range(2019, 2024);
    let first = 1 + (i % 200) * 40 + rng.range(0, 120) * 8000;
    if a.fed {
        let case = format!("FOIA {y}-{}-{:05}", a.code, rng.range(100, 99_999));
        let banner = format!("{:<60}{case}", a.name);
        Release {
            banner,
            bates: format!("{}-{y}-", a.short),
            first,
            digits: 7,
        }
    } else {
        let case = format!(
            "{} Request R{}-{:05}",
            records_act(a.st),
            y % 100,
            rng.range(100, 9999)
        );
        let banner = format!("{:<60}{case}", a.name);
        Release {
            banner,
            bates: format!("{}_", a.short),
            first,
            digits: 6,
        }
    }
}

/// Pages with banner, `Page N of M` and Bates number; form feeds or blank lines between.
fn paginate(lines: &[String], rel: &Release, rng: &mut Rng) -> (String, u64) {
    let per = rng.range(46, 58) as usize;
    let ff = rng.chance(0.8);
    let pages = lines.len().div_ceil(per).max(1);
    let mut out = String::with_capacity(lines.len() * 60);
    for (p, chunk) in lines.chunks(per).enumerate() {
        if p > 0 {
            out.push_str(if ff { "\x0c" } else { "\n\n\n" });
        }
        let _ = write!(out, "{}\n\n", rel.banner);
        for l in chunk {
            out.push_str(l);
            out.push('\n');
        }
        let bates = format!("{}{:0w$}", rel.bates, rel.first + p as u64, w = rel.digits);
        let page = format!("Page {} of {pages}", p + 1);
        let _ = write!(out, "\n\n{page:>36}{bates:>40}\n");
    }
    (out, pages as u64)
}

// ------------------------------------------------------------------ the four streams

#[derive(Clone, Copy, PartialEq)]
enum Stream {
    Eml,
    Mbox,
    Maildir,
    Printed,
}

const NS_EML: u64 = 0xE3;
const NS_MAILDIR: u64 = 0x3D;
const NS_PRINTED: u64 = 0x77;
const NS_MBOX: u64 = 0x4B;

struct Gen {
    seed: u64,
    /// How many `.eml` files were written (known once that stream is done).
    n_eml: u64,
}

struct Out {
    path: String,
    data: Vec<u8>,
    m: Manifest,
}

/// What `.eml` file i shows: message `end` of a thread, quoting `depth` earlier ones.
struct EmlPlan {
    thread: u64,
    end: usize,
    depth: usize,
}

impl Gen {
    fn coin(&self, salt: u64, i: u64, p: f64) -> bool {
        Rng::new(&[self.seed, salt, i]).chance(p)
    }

    /// `.eml` file i is an earlier message of file i-1's thread, which file i-1 quotes.
    fn earlier_copy(&self, i: u64) -> bool {
        let coin = |i| self.coin(0xC0, i, 0.12);
        i > 0 && coin(i) && !coin(i - 1) && shape(self.seed, NS_EML, i - 1, 1, 8).1 >= 2
    }

    fn plan(&self, i: u64) -> EmlPlan {
        let copy = self.earlier_copy(i);
        let thread = i - u64::from(copy);
        let end = shape(self.seed, NS_EML, thread, 1, 8).1 - 1 - usize::from(copy);
        let mut r = Rng::new(&[self.seed, 0xDE, i]);
        let depth = if r.chance(0.8) {
            end.min(4)
        } else {
            r.below(end.min(4) + 1)
        };
        EmlPlan { thread, end, depth }
    }

    /// Which messages of `.eml` thread t the `.eml` files before `upto` show.
    fn eml_shown(&self, t: u64, n: usize, upto: u64) -> Vec<bool> {
        let mut shown = vec![false; n];
        for f in [t, t + 1] {
            if f < upto && self.plan(f).thread == t {
                let p = self.plan(f);
                shown[p.end - p.depth..=p.end].fill(true);
            }
        }
        shown
    }

    fn file(&self, kind: Stream, i: u64) -> Out {
        let mut o = match kind {
            Stream::Eml => self.eml(i),
            Stream::Mbox => self.mbox(i),
            Stream::Maildir => self.maildir(i),
            Stream::Printed => self.printed(i),
        };
        let (m, len) = (&mut o.m, o.data.len() as u64);
        m.files = 1;
        m.bytes = len;
        let (count, bytes) = match kind {
            Stream::Eml => (&mut m.eml_files, &mut m.eml_bytes),
            Stream::Mbox => (&mut m.mbox_files, &mut m.mbox_bytes),
            Stream::Maildir => (&mut m.maildir_files, &mut m.maildir_bytes),
            Stream::Printed => (&mut m.printed_files, &mut m.printed_bytes),
        };
        (*count, *bytes) = (1, len);
        o
    }

    /// Message `end` of a thread quoting `depth` earlier ones, as a file's bytes.
    fn mail(
        th: &Thread,
        end: usize,
        depth: usize,
        shown: &[bool],
        rng: &mut Rng,
        crlf: bool,
    ) -> (Vec<u8>, Manifest) {
        let mut m = Manifest::default();
        let shown = th.msgs[..=end].iter().zip(shown).enumerate();
        for (k, (msg, &dup)) in shown.skip(end - depth) {
            let origin = if k == end {
                Origin::Top
            } else {
                Origin::Quoted
            };
            m.tally(msg, origin, dup);
        }
        let mut data = Vec::new();
        m.attachment_bytes = rfc5322(th, end, depth, rng, crlf, &mut data);
        m.attachments = th.msgs[end].atts.len() as u64;
        (data, m)
    }

    fn eml(&self, i: u64) -> Out {
        let p = self.plan(i);
        let th = thread(self.seed, NS_EML, p.thread, (1, 8), None);
        let mut rng = Rng::new(&[self.seed, NS_EML, i, 1]);
        let shown = self.eml_shown(p.thread, th.msgs.len(), i);
        let crlf = rng.chance(0.4);
        let (data, m) = Gen::mail(&th, p.end, p.depth, &shown, &mut rng, crlf);
        Out {
            path: format!("eml/{:04}/{i:07}.eml", i / 1000),
            data,
            m,
        }
    }

    /// Custodians hold 600 files each, so no folder holds more than 1000.
    fn maildir(&self, i: u64) -> Out {
        let c = i / 600;
        let cust = any_person(&mut Rng::new(&[self.seed, NS_MAILDIR, c, 9]));
        let th = thread(self.seed, NS_MAILDIR, i, (1, 5), Some(&cust));
        let mut rng = Rng::new(&[self.seed, NS_MAILDIR, i, 1]);
        let end = th.msgs.len() - 1;
        let depth = end.min(rng.range(0, 4) as usize);
        let (data, m) = Gen::mail(&th, end, depth, &vec![false; end + 1], &mut rng, false);
        let (usec, pid) = (rng.range(0, 999_999), rng.range(1000, 40_000));
        let host = format!("mail{:02},S={}", rng.range(1, 4), data.len());
        let name = format!("{}.M{usec}P{pid}Q{i}.{host}", th.msgs[end].when.t);
        let cur = rng.chance(0.85);
        let (sub, flags) = if cur {
            ("cur", rng.pick(&[":2,S", ":2,RS", ":2,FS"]))
        } else {
            ("new", "")
        };
        let folder = ascii_fold(&format!("{}.{}", cust.first, cust.last)).to_lowercase();
        Out {
            path: format!("maildir/{folder}-{c:03}/{sub}/{name}{flags}"),
            data,
            m,
        }
    }

    /// One long thread among 3-6 people of several agencies; now and then one asks
    /// another agency for data and is answered next, and a reply quotes the last message.
    fn mbox(&self, i: u64) -> Out {
        let mut rng = Rng::new(&[self.seed, NS_MBOX, i]);
        let n = rng.log_normal(70.0, 0.6, 20.0, 200.0) as usize;
        let people: Vec<Person> = (0..rng.range(3, 6)).map(|_| any_person(&mut rng)).collect();
        let topic = rng.below(GENERAL);
        let c = Ctx::new(&mut rng, people[1].ag);
        let base = subject(&mut rng, Scene::Routine(topic), &c);
        let crlf = rng.chance(0.2);
        let mut th = Thread {
            msgs: Vec::with_capacity(n),
            gmail: true,
            dashes: false,
        };
        let (mut t, mut asker) = (c.t0, None);
        let (mut data, mut m) = (Vec::new(), Manifest::default());
        for k in 0..n {
            let (a, b, role) = mbox_turn(&mut rng, &people, topic, &mut asker);
            t += rng.range(600, 60_000) as i64;
            let (from, when) = (people[a].clone(), When::at(t, people[a].ag));
            let body = compose(&mut rng, &c, role, &from, &people[b], when);
            let atts = attachments(&mut rng, role, &c, when, 0.04);
            let subject = if k == 0 {
                base.clone()
            } else {
                format!("Re: {base}")
            };
            let (to, id) = (vec![people[b].clone()], message_id(&mut rng, &from));
            let cc = Vec::new();
            th.msgs.push(Msg {
                from,
                to,
                cc,
                when,
                subject,
                body,
                id,
                role,
                atts,
            });
            let depth = usize::from(k > 0 && rng.chance(0.12));
            // The quoted message is the one just before, written already.
            let mut shown = vec![true; k + 1];
            shown[k] = false;
            let (one, mm) = Gen::mail(&th, k, depth, &shown, &mut rng, crlf);
            let sep = format!("From {} {}\n", th.msgs[k].from.email, when.asctime());
            data.extend(lines_as(&sep, crlf));
            escape_from(&one, &mut data);
            data.extend(lines_as("\n", crlf));
            m.add(&mm);
        }
        let slug: String = base
            .to_lowercase()
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect();
        let dir = if i < 1000 {
            "mbox".to_string()
        } else {
            format!("mbox/{:04}", i / 1000)
        };
        Out {
            path: format!("{dir}/{i:05}-{}.mbox", slug.trim_matches('-')),
            data,
            m,
        }
    }

    /// Every tenth printed file re-produces an `.eml` thread (each at most once).
    fn reprint(&self, i: u64) -> Option<EmlPlan> {
        let j = i / 10;
        (i % 10 == 3 && j < self.n_eml && !self.earlier_copy(j)).then(|| self.plan(j))
    }

    /// Printed file i is file i-1's chain printed again from one reply down, as
    /// releases print each reply of a conversation.
    fn earlier_print(&self, i: u64) -> bool {
        let coin = |i| self.coin(0xC1, i, 0.15);
        let len = |i| {
            self.reprint(i)
                .map_or(shape(self.seed, NS_PRINTED, i, 2, 8).1, |p| p.end + 1)
        };
        i > 0 && coin(i) && !coin(i - 1) && len(i - 1) >= 3
    }

    /// The thread printed file i shows, its newest message shown, and which of its
    /// messages other files show too.
    fn printed_source(&self, i: u64) -> (Thread, usize, Vec<bool>) {
        if self.earlier_print(i) {
            let (th, end, _) = self.printed_source(i - 1);
            let n = th.msgs.len();
            return (th, end - 1, vec![true; n]);
        }
        if let Some(p) = self.reprint(i) {
            let th = thread(self.seed, NS_EML, p.thread, (1, 8), None);
            let shown = self.eml_shown(p.thread, th.msgs.len(), self.n_eml);
            return (th, p.end, shown);
        }
        let th = thread(self.seed, NS_PRINTED, i, (2, 8), None);
        let n = th.msgs.len();
        (th, n - 1, vec![false; n])
    }

    fn printed(&self, i: u64) -> Out {
        let mut rng = Rng::new(&[self.seed, NS_PRINTED, i, 1]);
        let (th, end, shown) = self.printed_source(i);
        // The federal side releases, when there is one (federal agencies come first).
        let releaser = th.msgs[0].from.ag.min(th.msgs[0].to[0].ag);
        let pol = policy(&mut rng, releaser);
        let rel = release(self.seed, i, releaser);
        let mut m = Manifest::default();
        let lines = chain_lines(&th, end, &pol, &mut rng, &mut m.redactions);
        for (msg, &dup) in th.msgs[..=end].iter().zip(&shown) {
            m.tally(msg, Origin::Printed, dup);
        }
        let (text, pages) = paginate(&lines, &rel, &mut rng);
        m.printed_pages = pages;
        let name = rel.bates.trim_end_matches(['-', '_']);
        Out {
            path: format!("printed/{:04}/{name}_{i:07}.txt", i / 1000),
            data: text.into_bytes(),
            m,
        }
    }
}

/// Who writes next in a long thread; an ask to another agency is answered next.
fn mbox_turn(
    rng: &mut Rng,
    people: &[Person],
    topic: usize,
    asker: &mut Option<(usize, usize)>,
) -> (usize, usize, Role) {
    if let Some((a, b)) = asker.take() {
        return (
            b,
            a,
            if rng.chance(0.85) {
                Role::Answer
            } else {
                Role::Refusal
            },
        );
    }
    let a = rng.below(people.len());
    let b = (a + 1 + rng.below(people.len() - 1)) % people.len();
    if AGENCIES[people[a].ag].domain != AGENCIES[people[b].ag].domain && rng.chance(0.05) {
        *asker = Some((a, b));
        return (a, b, Role::Ask);
    }
    (a, b, Role::Routine(topic))
}

// ------------------------------------------------------------------ driver

/// Makes files `start..start + n` of a stream on all cores, in index order.
fn batch(g: &Gen, kind: Stream, start: u64, n: u64) -> Vec<Out> {
    let workers = std::thread::available_parallelism()
        .map_or(2, |w| w.get())
        .min(8);
    let next = AtomicU64::new(start);
    let work = || {
        let mut made = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            if i >= start + n {
                return made;
            }
            made.push((i, g.file(kind, i)));
        }
    };
    let mut all: Vec<(u64, Out)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..workers).map(|_| s.spawn(work)).collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("generator thread panicked"))
            .collect()
    });
    all.sort_by_key(|(i, _)| *i);
    all.into_iter().map(|(_, o)| o).collect()
}

/// Writes a stream's files in index order up to `budget` bytes; returns how many.
fn stream(out: &Path, g: &Gen, kind: Stream, budget: u64, m: &mut Manifest) -> io::Result<u64> {
    let (mut written, mut next) = (0u64, 0u64);
    let mut last_dir = PathBuf::new();
    loop {
        for f in batch(g, kind, next, 16) {
            let len = f.data.len() as u64;
            // Stop at the budget, or before a file that would pass it by over half (so
            // a small production may leave out a stream whose files are large).
            if written >= budget || written + len / 2 > budget {
                return Ok(next);
            }
            let path = out.join(&f.path);
            let dir = path.parent().unwrap_or(out);
            if dir != last_dir {
                std::fs::create_dir_all(dir)?;
                if kind == Stream::Maildir {
                    std::fs::create_dir_all(dir.with_file_name("tmp"))?;
                }
                last_dir = dir.to_path_buf();
            }
            std::fs::write(&path, &f.data)?;
            (written, next) = (written + len, next + 1);
            m.add(&f.m);
        }
    }
}

/// Writes a production of about `target_bytes` into `out` (which should be empty):
/// `.eml` first (45 %), then mbox (15 %), maildir (10 %) and printed text (the rest).
pub fn generate(out: &Path, target_bytes: u64, seed: u64) -> io::Result<Manifest> {
    let mut m = Manifest {
        seed,
        target_bytes,
        ..Default::default()
    };
    let share = |pct: u64| (target_bytes as u128 * pct as u128 / 100) as u64;
    let mut g = Gen { seed, n_eml: 0 };
    g.n_eml = stream(out, &g, Stream::Eml, share(45), &mut m)?;
    stream(out, &g, Stream::Mbox, share(15), &mut m)?;
    stream(out, &g, Stream::Maildir, share(10), &mut m)?;
    stream(
        out,
        &g,
        Stream::Printed,
        target_bytes.saturating_sub(m.bytes),
        &mut m,
    )?;
    Ok(m)
}
