//! The cash-in forecast (`tresorerie`): where the reste dû of the open invoices is expected, by
//! due date, week by week or month by month from the report date; what is already late; credit
//! notes apart; and, apart again, what committed devis still have to invoice.
//!
//! Rules (README « Prévision de trésorerie ») :
//! - an open invoice (DESIGN §5.3) is expected on its due date; one due before the report date is
//!   « en retard », in its ageing bucket; one due after the horizon is « au-delà »;
//! - a credit note (negative TTC) is never placed in time: it is money owed to the customer, on its
//!   own line;
//! - the lines add up to the reste dû of every open invoice, to the cent;
//! - to invoice on a committed devis = its HT − the HT of its invoices dated by the report date
//!   (credit notes included), when positive; its TTC at the devis' own TTC/HT ratio, rounded to the
//!   cent per devis, unknown when the devis has no TTC.

use chrono::{Datelike, Days, Months, NaiveDate};
use rust_decimal::Decimal;

use super::factures::{AgeingBucket, OpenFacture};
use super::numbers::round_money;
use crate::model::Engage;

/// How far and in what steps the forecast looks ahead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Week,
    Month,
}

/// `13s` (13 weeks) or `6m` (6 months): the report date's week or month counts as the first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Horizon {
    pub count: u32,
    pub step: Step,
}

impl Horizon {
    /// The last day the horizon covers.
    pub fn end(self, au: NaiveDate) -> NaiveDate {
        period_starts(au, self.step).nth(self.count as usize).and_then(|next| next.pred_opt()).unwrap_or(NaiveDate::MAX)
    }
}

/// The first day of each period from `au`: `au` itself, then each following Monday (weeks) or
/// first of the month (months), as far as the calendar goes.
fn period_starts(au: NaiveDate, step: Step) -> impl Iterator<Item = NaiveDate> {
    std::iter::successors(Some(au), move |start| match step {
        Step::Week => {
            let monday = *start - Days::new(u64::from(start.weekday().num_days_from_monday()));
            monday.checked_add_days(Days::new(7))
        }
        Step::Month => start.with_day(1).and_then(|first| first.checked_add_months(Months::new(1))),
    })
}

/// One line of the forecast.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// Stable key: `en_retard_1-30` …, `2026-S49`, `2026-12`, `au_dela`, `avoirs`.
    pub key: String,
    pub libelle: String,
    /// The period's first and last day; none for late invoices and credit notes.
    pub du: Option<NaiveDate>,
    pub au: Option<NaiveDate>,
    pub nombre: u64,
    /// Σ reste dû TTC.
    pub montant: Decimal,
}

/// Where an open invoice goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    Late(AgeingBucket),
    Period(usize),
    Beyond,
    CreditNote,
}

/// The forecast, built from the open invoices one at a time.
#[derive(Debug, Clone)]
pub struct Forecast {
    au: NaiveDate,
    starts: Vec<NaiveDate>,
    end: NaiveDate,
    step: Step,
    late: [(u64, Decimal); 4],
    periods: Vec<(u64, Decimal)>,
    beyond: (u64, Decimal),
    credit_notes: (u64, Decimal),
}

impl Forecast {
    /// Periods of `step` from `au` up to the horizon's last day.
    pub fn new(au: NaiveDate, horizon: Horizon, step: Step) -> Self {
        let end = horizon.end(au);
        let starts: Vec<NaiveDate> = period_starts(au, step).take_while(|start| *start <= end).collect();
        let periods = vec![(0, Decimal::ZERO); starts.len()];
        Self {
            au,
            starts,
            end,
            step,
            late: [(0, Decimal::ZERO); 4],
            periods,
            beyond: (0, Decimal::ZERO),
            credit_notes: (0, Decimal::ZERO),
        }
    }

    /// Where `open` belongs.
    pub fn slot(&self, open: &OpenFacture<'_>) -> Slot {
        if open.owed_to_customer() {
            return Slot::CreditNote;
        }
        let due = open.facture.date_echeance;
        if due < self.au {
            return Slot::Late(open.bucket());
        }
        if due > self.end {
            return Slot::Beyond;
        }
        Slot::Period(self.starts.partition_point(|start| *start <= due) - 1)
    }

    /// Counts `open` in its line; returns the line's key.
    pub fn add(&mut self, open: &OpenFacture<'_>) -> Slot {
        let slot = self.slot(open);
        let cell = match slot {
            Slot::Late(bucket) => &mut self.late[late_index(bucket)],
            Slot::Period(index) => &mut self.periods[index],
            Slot::Beyond => &mut self.beyond,
            Slot::CreditNote => &mut self.credit_notes,
        };
        cell.0 += 1;
        cell.1 += open.reste_du;
        slot
    }

    /// The key of a slot's line.
    pub fn key(&self, slot: Slot) -> String {
        match slot {
            Slot::Late(bucket) => format!("en_retard_{}", bucket.label()),
            Slot::Period(index) => self.period_key(index),
            Slot::Beyond => "au_dela".to_owned(),
            Slot::CreditNote => "avoirs".to_owned(),
        }
    }

    fn period_key(&self, index: usize) -> String {
        let start = self.starts[index];
        match self.step {
            Step::Week => {
                let week = start.iso_week();
                format!("{}-S{:02}", week.year(), week.week())
            }
            Step::Month => format!("{}-{:02}", start.year(), start.month()),
        }
    }

    fn period_end(&self, index: usize) -> NaiveDate {
        self.starts.get(index + 1).and_then(NaiveDate::pred_opt).unwrap_or(self.end)
    }

    /// Every line, late ones first, then the periods, beyond the horizon, and credit notes.
    pub fn lines(&self) -> Vec<Line> {
        let mut lines = Vec::new();
        for (bucket, (nombre, montant)) in LATE.iter().zip(self.late) {
            lines.push(Line {
                key: self.key(Slot::Late(*bucket)),
                libelle: format!("en retard de {}", bucket.libelle()),
                du: None,
                au: None,
                nombre,
                montant,
            });
        }
        for (index, (nombre, montant)) in self.periods.iter().enumerate() {
            let (du, au) = (self.starts[index], self.period_end(index));
            let libelle = match self.step {
                Step::Week => format!("semaine {}", du.iso_week().week()),
                Step::Month => MOIS[du.month0() as usize].to_owned(),
            };
            lines.push(Line {
                key: self.period_key(index),
                libelle,
                du: Some(du),
                au: Some(au),
                nombre: *nombre,
                montant: *montant,
            });
        }
        lines.push(Line {
            key: "au_dela".to_owned(),
            libelle: "échéance après l'horizon".to_owned(),
            du: self.end.succ_opt(),
            au: None,
            nombre: self.beyond.0,
            montant: self.beyond.1,
        });
        lines.push(Line {
            key: "avoirs".to_owned(),
            libelle: "avoirs non imputés et trop-perçus (dus aux clients)".to_owned(),
            du: None,
            au: None,
            nombre: self.credit_notes.0,
            montant: self.credit_notes.1,
        });
        lines
    }

    /// Σ reste dû of every open invoice: what the lines add up to.
    pub fn total(&self) -> (u64, Decimal) {
        let cells = self.late.iter().chain(&self.periods).chain([&self.beyond, &self.credit_notes]);
        cells.fold((0, Decimal::ZERO), |(n, sum), (count, amount)| (n + count, sum + amount))
    }
}

const LATE: [AgeingBucket; 4] =
    [AgeingBucket::Days1To30, AgeingBucket::Days31To60, AgeingBucket::Days61To90, AgeingBucket::Over90];

fn late_index(bucket: AgeingBucket) -> usize {
    LATE.iter().position(|b| *b == bucket).unwrap_or(0)
}

const MOIS: [&str; 12] = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
];

/// What remains to invoice on a committed devis: HT, and TTC at the devis' own ratio (none when
/// the devis has no TTC or no HT). `None` when nothing remains.
pub fn a_facturer(engage: &Engage) -> Option<(Decimal, Option<Decimal>)> {
    let reste_ht = engage.montant_ht - engage.facture_ht;
    if reste_ht <= Decimal::ZERO {
        return None;
    }
    let ttc = engage
        .montant_ttc
        .filter(|_| !engage.montant_ht.is_zero())
        .and_then(|ttc| reste_ht.checked_mul(ttc)?.checked_div(engage.montant_ht))
        .map(round_money);
    Some((reste_ht, ttc))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> Decimal {
        text.parse().expect("decimal")
    }

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("date")
    }

    fn facture(ttc: &str, regle: Option<&str>, echeance: &str) -> crate::model::Facture {
        crate::report::factures::fixtures::ouverte("CLI001", ttc, regle, echeance)
    }

    #[test]
    fn weeks_start_on_the_report_date_then_on_mondays() {
        // Thursday 3 December 2026.
        let au = day("2026-12-03");
        let horizon = Horizon { count: 13, step: Step::Week };
        let forecast = Forecast::new(au, horizon, Step::Week);
        let lines = forecast.lines();
        let weeks: Vec<&Line> = lines.iter().filter(|line| line.key.contains("-S")).collect();
        assert_eq!(weeks.len(), 13);
        assert_eq!((weeks[0].du, weeks[0].au), (Some(au), Some(day("2026-12-06"))));
        assert_eq!((weeks[1].du, weeks[1].au), (Some(day("2026-12-07")), Some(day("2026-12-13"))));
        assert_eq!(weeks[0].key, "2026-S49");
        // The ISO year of the first days of January 2027 is still 2026 (week 53).
        assert_eq!(weeks[4].key, "2026-S53");
        // 13 weeks: the rest of this one, then twelve whole weeks.
        assert_eq!(weeks[12].au, Some(day("2027-02-28")));
        assert_eq!(horizon.end(au), day("2027-02-28"));
    }

    #[test]
    fn months_clip_to_the_report_date_and_the_horizon() {
        let au = day("2026-01-31");
        let forecast = Forecast::new(au, Horizon { count: 6, step: Step::Month }, Step::Month);
        let lines = forecast.lines();
        let months: Vec<&Line> = lines.iter().filter(|line| line.du.is_some() && line.au.is_some()).collect();
        assert_eq!(months.len(), 6);
        assert_eq!((months[0].du, months[0].au), (Some(au), Some(day("2026-01-31"))));
        assert_eq!((months[1].du, months[1].au), (Some(day("2026-02-01")), Some(day("2026-02-28"))));
        assert_eq!(months[5].au, Some(day("2026-06-30")));
        assert_eq!(months[1].key, "2026-02");
        // Months up to a 13-week horizon end in the middle of a month: Saturday 31 January, Sunday
        // 1 February, then twelve weeks to Sunday 26 April.
        let mixed = Forecast::new(au, Horizon { count: 13, step: Step::Week }, Step::Month);
        let last = mixed.lines().into_iter().rfind(|line| line.au.is_some()).expect("a period");
        assert_eq!((last.du, last.au), (Some(day("2026-04-01")), Some(day("2026-04-26"))));
    }

    #[test]
    fn each_invoice_lands_on_one_line_and_the_lines_add_up() {
        let au = day("2026-12-03");
        let invoices = [
            facture("100.00", None, "2026-12-03"), // due on the report date: week 1, not late
            facture("200.00", Some("50.50"), "2026-12-06"), // Sunday: still week 1, 149.50 left
            facture("300.00", None, "2026-12-07"), // Monday: week 2
            facture("400.00", None, "2026-12-02"), // 1 day late
            facture("500.00", None, "2026-08-01"), // 124 days late
            facture("-60.00", None, "2026-11-01"), // credit note: never late, never in time
            facture("700.00", None, "2027-03-01"), // the day after the horizon
        ];
        let mut forecast = Forecast::new(au, Horizon { count: 13, step: Step::Week }, Step::Week);
        let mut keys = Vec::new();
        for facture in &invoices {
            let open = OpenFacture::new(facture, au).expect("open");
            let slot = forecast.add(&open);
            keys.push(forecast.key(slot));
        }
        assert_eq!(keys, ["2026-S49", "2026-S49", "2026-S50", "en_retard_1-30", "en_retard_90+", "avoirs", "au_dela"]);
        let lines = forecast.lines();
        let line = |key: &str| lines.iter().find(|line| line.key == key).expect(key).clone();
        assert_eq!((line("2026-S49").nombre, line("2026-S49").montant), (2, d("249.50")));
        assert_eq!(line("avoirs").montant, d("-60.00"));
        // 100 + 149,50 + 300 + 400 + 500 − 60 + 700.
        assert_eq!(forecast.total(), (7, d("2089.50")));
        assert_eq!(lines.iter().map(|line| line.montant).sum::<Decimal>(), d("2089.50"));
        let not_yet_due: Decimal = lines.iter().filter(|line| line.du.is_some()).map(|line| line.montant).sum();
        assert_eq!(not_yet_due, d("1249.50"), "the weeks and beyond: the invoices not yet due");
    }

    #[test]
    fn what_remains_to_invoice_keeps_the_devis_ratio() {
        let engage = |ht: &str, ttc: Option<&str>, facture: &str| Engage {
            numero: "DEVIS".to_owned(),
            montant_ht: d(ht),
            montant_ttc: ttc.map(d),
            facture_ht: d(facture),
        };
        // 10 % VAT: 1 000 HT, 300 invoiced → 700 HT, 770 TTC.
        assert_eq!(a_facturer(&engage("1000.00", Some("1100.00"), "300.00")), Some((d("700.00"), Some(d("770.00")))));
        // Mixed rates: 1 234,56 HT / 1 416,36 TTC, 1 000 invoiced → 234,56 × 1 416,36 / 1 234,56 = 269,1010… → 269,10.
        assert_eq!(a_facturer(&engage("1234.56", Some("1416.36"), "1000")), Some((d("234.56"), Some(d("269.10")))));
        assert_eq!(a_facturer(&engage("1000", None, "0")), Some((d("1000"), None)), "no TTC: not guessed");
        assert_eq!(a_facturer(&engage("1000", Some("1200"), "1000")), None, "fully invoiced");
        assert_eq!(a_facturer(&engage("1000", Some("1200"), "1100")), None, "over-invoiced: nothing to come");
    }
}
