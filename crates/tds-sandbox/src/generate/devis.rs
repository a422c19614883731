//! Quotes and their invoices, generated as one deterministic stream and numbered in two passes.

use rusqlite::{Connection, Statement, params};

use super::clients::ClientInfo;
use super::{
    Day, FIRST_YEAR, REF_DAY, Rng, STREAM_DEVIS, STREAM_STANDALONE, TICKS_PER_SEC, cents, devis_per_day, div_round,
    push_datetime, push_padded, with_tva,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Statut {
    Brouillon,
    Valide,
    Envoye,
    Accepte,
    Refuse,
}

impl Statut {
    fn as_str(self) -> &'static str {
        match self {
            Self::Brouillon => "BROUILLON",
            Self::Valide => "VALIDE",
            Self::Envoye => "ENVOYE",
            Self::Accepte => "ACCEPTE",
            Self::Refuse => "REFUSE",
        }
    }

    fn committed(self) -> bool {
        matches!(self, Self::Valide | Self::Accepte)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reglement {
    NonRegle,
    Partiel,
    Regle,
}

impl Reglement {
    fn as_str(self) -> &'static str {
        match self {
            Self::NonRegle => "NON_REGLE",
            Self::Partiel => "PARTIELLEMENT_REGLE",
            Self::Regle => "REGLE",
        }
    }
}

const RESPONSABLES: [&str; 6] =
    ["Jean-Luc Martin", "Sophie Bérard", "Karim Benali", "Élodie Fournier", "Thierry Gauthier", "Anaïs Le Gall"];

/// One quote as generated (amounts in cents, dates as day indexes, times as 100 ns ticks).
struct Devis {
    client: u32,
    day: u32,
    ticks: u64,
    validation: Option<(u32, u64)>,
    statut: Statut,
    ht: i64,
    ttc: i64,
    tva_bp: i64,
    /// `TAUX_MARGE` in hundredths of a percent.
    marge: i64,
    responsable: Option<&'static str>,
    /// Year and number of the affaire.
    affaire: Option<(u16, u64)>,
}

/// One invoice or credit note as generated.
struct Facture {
    client: u32,
    day: u32,
    due: u32,
    ht: i64,
    ttc: i64,
    reglement: Reglement,
    regle: Option<i64>,
    avoir: bool,
}

/// What a quote's successor needs to know to be a variant of it.
#[derive(Clone, Copy)]
struct Previous {
    client: u32,
    affaire: Option<(u16, u64)>,
    statut: Statut,
}

/// What the walk produces, in order: each quote, followed by its invoices; then the invoices
/// without a quote.
enum Event<'a> {
    Devis(&'a Devis),
    Facture(&'a Facture, bool),
}

/// Everything the walk needs that does not change between passes.
struct Plan<'a> {
    n: u64,
    seed: u64,
    days: &'a [Day],
    per_day: Vec<u64>,
    clients: &'a [ClientInfo],
    companies: Vec<u32>,
}

/// Status forced at a few evenly spread positions so that small datasets (N ≥ 5) show them all,
/// oldest first: an accepted quote, then refused, validated, sent, and a recent draft.
fn forced_statut(i: u64, n: u64) -> Option<Statut> {
    const ORDER: [Statut; 5] = [Statut::Accepte, Statut::Refuse, Statut::Valide, Statut::Envoye, Statut::Brouillon];
    if n < 5 {
        return None;
    }
    (0..5u64).find(|&k| i == k * n / 5).map(|k| ORDER[k as usize])
}

impl Plan<'_> {
    /// Generates the whole dataset as a stream of events. Both passes (numbering, then writing)
    /// run this same code with the same streams, so they see identical data.
    fn walk(&self, mut emit: impl FnMut(Event) -> rusqlite::Result<()>) -> rusqlite::Result<()> {
        let mut rng = Rng::new(self.seed, STREAM_DEVIS);
        let mut times: Vec<u64> = Vec::new();
        let mut factures: Vec<Facture> = Vec::new();
        let mut affaires = [0u64; 3];
        let mut previous: Option<Previous> = None;
        let mut i: u64 = 0;
        let small = self.n >= 10;
        for (day_index, &count) in self.per_day.iter().enumerate() {
            let day = day_index as u32;
            times.clear();
            for _ in 0..count {
                let secs = rng.range(7 * 3600 + 30 * 60, 19 * 3600) as u64;
                // Half the rows were typed in (whole seconds), half stamped by the application.
                let frac = if rng.chance(500) { rng.range(1, 9_999_999) as u64 } else { 0 };
                times.push(secs * TICKS_PER_SEC + frac);
            }
            times.sort_unstable();
            for &ticks in &times {
                let devis = self.make_devis(&mut rng, i, day, ticks, &mut affaires, previous, small);
                previous = Some(Previous { client: devis.client, affaire: devis.affaire, statut: devis.statut });
                emit(Event::Devis(&devis))?;
                factures.clear();
                let invoiced = match devis.statut {
                    Statut::Accepte => (small && i == 0) || rng.chance(920),
                    Statut::Valide => rng.chance(750),
                    _ => false,
                };
                if invoiced {
                    self.invoice(&mut rng, &devis, small && i == 0, &mut factures);
                }
                for f in &factures {
                    emit(Event::Facture(f, true))?;
                }
                i += 1;
            }
        }
        self.standalone(&mut emit)
    }

    #[allow(clippy::too_many_arguments)]
    fn make_devis(
        &self,
        rng: &mut Rng,
        i: u64,
        day: u32,
        ticks: u64,
        affaires: &mut [u64; 3],
        previous: Option<Previous>,
        small: bool,
    ) -> Devis {
        let year = self.days[day as usize].year;
        // A variant (or revised quote) of the previous one: same client, same affaire.
        let variant = match previous {
            Some(Previous { client, affaire: Some(affaire), statut }) if (small && i == 1) || rng.chance(40) => {
                Some((client, affaire, statut))
            }
            _ => None,
        };
        let client = match variant {
            Some((client, _, _)) => client,
            // Firms and public bodies come back often: a third of the quotes go to them.
            None if !self.companies.is_empty() && rng.chance(330) => *rng.pick(&self.companies),
            None => rng.below(self.clients.len() as u64) as u32,
        };
        let info = &self.clients[client as usize];
        let affaire = match variant {
            Some((_, affaire, _)) => Some(affaire),
            None if (small && i == 0) || rng.chance(850) => {
                let slot = usize::from(year - FIRST_YEAR);
                affaires[slot] += 1;
                Some((year, affaires[slot]))
            }
            None => None,
        };
        let age = REF_DAY - day;
        let statut = forced_statut(i, self.n).unwrap_or_else(|| {
            // Recent quotes are still drafts or awaiting an answer; old ones have been decided.
            let weights: [(Statut, u64); 5] = if age < 30 {
                [
                    (Statut::Brouillon, 300),
                    (Statut::Envoye, 400),
                    (Statut::Valide, 100),
                    (Statut::Accepte, 150),
                    (Statut::Refuse, 50),
                ]
            } else if age < 90 {
                [
                    (Statut::Brouillon, 150),
                    (Statut::Envoye, 300),
                    (Statut::Valide, 130),
                    (Statut::Accepte, 300),
                    (Statut::Refuse, 120),
                ]
            } else {
                [
                    (Statut::Brouillon, 100),
                    (Statut::Envoye, 180),
                    (Statut::Valide, 120),
                    (Statut::Accepte, 400),
                    (Statut::Refuse, 200),
                ]
            };
            let mut r = rng.below(1000);
            weights
                .iter()
                .find(|&&(_, w)| {
                    let hit = r < w;
                    r = r.saturating_sub(w);
                    hit
                })
                .map_or(Statut::Envoye, |&(s, _)| s)
        });
        // Of two variants, only one is ever signed.
        let statut = match variant {
            Some((_, _, prev)) if prev.committed() && statut.committed() => Statut::Refuse,
            _ => statut,
        };
        // Amount brackets in euros, with their shares (per mille); firms order bigger jobs.
        let brackets: [(i64, i64, u64); 5] = if info.company {
            [(300, 1_500, 150), (1_500, 5_000, 300), (5_000, 15_000, 330), (15_000, 40_000, 170), (40_000, 90_000, 50)]
        } else {
            [(300, 1_500, 250), (1_500, 5_000, 370), (5_000, 15_000, 290), (15_000, 40_000, 80), (40_000, 90_000, 10)]
        };
        let mut r = rng.below(1000);
        let &(lo, hi, _) = brackets
            .iter()
            .find(|&&(_, _, w)| {
                let hit = r < w;
                r = r.saturating_sub(w);
                hit
            })
            .unwrap_or(&brackets[1]);
        let ht = rng.range(lo * 100, hi * 100);
        // VAT: 20 % for firms and new builds, 10 % for renovation, 5.5 % for energy renovation.
        let tva_bp = if info.company {
            if rng.chance(900) { 2000 } else { 1000 }
        } else {
            match rng.below(100) {
                0..=54 => 1000,
                55..=84 => 550,
                _ => 2000,
            }
        };
        // Mean of two draws: margins cluster around 31 % rather than spread evenly.
        let marge = i64::midpoint(rng.range(1800, 4500), rng.range(1800, 4500));
        let validation = statut.committed().then(|| {
            let delay = rng.range(0, 45).min(rng.range(0, 60)) as u32;
            let vday = (day + delay).min(REF_DAY);
            let vsecs = rng.range(8 * 3600, 18 * 3600) as u64;
            let mut vticks = vsecs * TICKS_PER_SEC + if rng.chance(500) { rng.range(1, 9_999_999) as u64 } else { 0 };
            if vday == day && vticks <= ticks {
                // Validated the same day: an hour after creation, before midnight.
                vticks = (ticks + 3600 * TICKS_PER_SEC).min(86_399 * TICKS_PER_SEC);
            }
            (vday, vticks)
        });
        let responsable = if rng.chance(70) { None } else { Some(*rng.pick(&RESPONSABLES)) };
        Devis {
            client,
            day,
            ticks,
            validation,
            statut,
            ht,
            ttc: with_tva(ht, tva_bp),
            tva_bp,
            marge,
            responsable,
            affaire,
        }
    }

    fn due_date(&self, client: u32, day: u32) -> u32 {
        match self.clients[client as usize].terms {
            0 => day + 30,
            1 => day + 45,
            _ => self.days[day as usize].end_of_month,
        }
    }

    /// Payment status at the reference date: the older the due date, the likelier it is paid;
    /// deposits are paid before work starts.
    fn settle(rng: &mut Rng, day: u32, due: u32, ttc: i64, deposit: bool) -> (Reglement, Option<i64>) {
        let overdue = i64::from(REF_DAY) - i64::from(due);
        let (paid, partial) = if deposit && REF_DAY - day > 15 {
            (970, 10)
        } else {
            match overdue {
                ..0 => (200, 50),
                0..=30 => (550, 100),
                31..=90 => (800, 80),
                91..=365 => (950, 20),
                _ => (985, 7),
            }
        };
        let r = rng.below(1000);
        if r < paid {
            (Reglement::Regle, Some(ttc))
        } else if r < paid + partial && ttc >= 100 {
            (Reglement::Partiel, Some(div_round(ttc * rng.range(15, 85), 100)))
        } else {
            // Unpaid shows up both as NULL and as 0, as in real databases.
            (Reglement::NonRegle, if rng.chance(500) { None } else { Some(0) })
        }
    }

    /// The invoices of a committed quote: a single invoice for small jobs, otherwise a 30 %
    /// deposit, progress invoices and a final invoice; the total drifts from the quote (extra
    /// work, discounts); sometimes a credit note. Only what is dated by the reference date exists.
    fn invoice(&self, rng: &mut Rng, devis: &Devis, force_avoir: bool, out: &mut Vec<Facture>) {
        let start = devis.validation.map_or(devis.day, |(d, _)| d);
        let factor = match rng.below(100) {
            0..=64 => 10_000,
            65..=84 => rng.range(10_000, 11_200),
            _ => rng.range(9_000, 9_999),
        };
        let target = div_round(devis.ht * factor, 10_000);
        // (day, amount HT, is deposit)
        let mut parts: [(u32, i64, bool); 8] = [(0, 0, false); 8];
        let count = if devis.ht < 150_000 && rng.chance(600) {
            parts[0] = (start + rng.range(10, 60) as u32, target, false);
            1
        } else {
            let deposit = div_round(devis.ht * 30, 100);
            parts[0] = (start + rng.range(0, 7) as u32, deposit, true);
            let situations = match devis.ht {
                ..150_000 => 0,
                150_000..500_000 => rng.range(0, 1),
                500_000..1_500_000 => rng.range(1, 2),
                1_500_000..4_000_000 => rng.range(2, 4),
                _ => rng.range(3, 6),
            } as usize;
            let remaining = target - deposit;
            let mut weights = [0i64; 7];
            for w in weights.iter_mut().take(situations + 1) {
                *w = rng.range(60, 140);
            }
            let total: i64 = weights.iter().sum();
            let mut day = start + rng.range(20, 75) as u32;
            let mut invoiced = 0;
            for (j, &w) in weights.iter().enumerate().take(situations) {
                let amount = remaining * w / total;
                parts[1 + j] = (day, amount, false);
                invoiced += amount;
                day += rng.range(20, 35) as u32;
            }
            let final_day = if situations == 0 { day } else { day - 20 + rng.range(10, 40) as u32 };
            parts[1 + situations] = (final_day, remaining - invoiced, false);
            2 + situations
        };
        for &(day, ht, deposit) in &parts[..count] {
            if day > REF_DAY {
                break;
            }
            let ttc = with_tva(ht, devis.tva_bp);
            let due = self.due_date(devis.client, day);
            let (reglement, regle) = Self::settle(rng, day, due, ttc, deposit);
            out.push(Facture { client: devis.client, day, due, ht, ttc, reglement, regle, avoir: false });
        }
        let Some(last) = out.last() else { return };
        if force_avoir || rng.chance(25) {
            // A commercial gesture, or the cancellation of the last invoice.
            let ht = if rng.chance(300) { -last.ht } else { -div_round(devis.ht * rng.range(3, 15), 100) };
            let day = last.day + rng.range(3, 40) as u32;
            if day <= REF_DAY {
                let ttc = with_tva(ht, devis.tva_bp);
                let (reglement, regle) =
                    if rng.chance(700) { (Reglement::Regle, Some(ttc)) } else { (Reglement::NonRegle, None) };
                out.push(Facture { client: devis.client, day, due: day, ht, ttc, reglement, regle, avoir: true });
            }
        }
    }

    /// Invoices without a quote (call-outs, small repairs). With N ≥ 10 the first four are
    /// pinned so that every payment situation exists: very late, partly paid, paid, not yet due.
    fn standalone(&self, emit: &mut impl FnMut(Event) -> rusqlite::Result<()>) -> rusqlite::Result<()> {
        let mut rng = Rng::new(self.seed, STREAM_STANDALONE);
        let count = (self.n / 50).max(4);
        for s in 0..count {
            let client = rng.below(self.clients.len() as u64) as u32;
            let ht = rng.range(8_000, 150_000);
            let tva_bp = if rng.chance(600) { 1000 } else { 2000 };
            let ttc = with_tva(ht, tva_bp);
            let pinned = if self.n >= 10 { s } else { u64::MAX };
            let day = match pinned {
                0 => REF_DAY - 200,
                1 => REF_DAY - 60,
                2 => REF_DAY - 300,
                3 => REF_DAY - 3,
                _ => rng.range(0, i64::from(REF_DAY)) as u32,
            };
            // The not-yet-due one must fall due after the reference date whatever the terms.
            let due = if pinned == 3 { day + 30 } else { self.due_date(client, day) };
            let (reglement, regle) = match pinned {
                0 => (Reglement::NonRegle, None),
                1 => (Reglement::Partiel, Some(div_round(ttc * 40, 100))),
                2 => (Reglement::Regle, Some(ttc)),
                3 => (Reglement::NonRegle, Some(0)),
                _ => Self::settle(&mut rng, day, due, ttc, false),
            };
            let f = Facture { client, day, due, ht, ttc, reglement, regle, avoir: false };
            emit(Event::Facture(&f, false))?;
        }
        Ok(())
    }
}

/// Per-day invoice numbering, computed by a first pass: invoice numbers run per year in date
/// order, but invoices are generated quote by quote.
struct Numbering {
    /// Global rank (0-based) of the first invoice or credit note of each day.
    id_base: Vec<u64>,
    /// Rank within the year of the first invoice (resp. credit note) of each day.
    fa_base: Vec<u64>,
    av_base: Vec<u64>,
    /// How many of each day's were already written in the second pass.
    id_next: Vec<u64>,
    fa_next: Vec<u64>,
    av_next: Vec<u64>,
}

impl Numbering {
    fn new(plan: &Plan) -> rusqlite::Result<Self> {
        let days = REF_DAY as usize + 1;
        let mut fa = vec![0u64; days];
        let mut av = vec![0u64; days];
        plan.walk(|event| {
            if let Event::Facture(f, _) = event {
                let counts = if f.avoir { &mut av } else { &mut fa };
                counts[f.day as usize] += 1;
            }
            Ok(())
        })?;
        let mut id_base = vec![0; days];
        let mut fa_base = vec![0; days];
        let mut av_base = vec![0; days];
        let (mut all, mut in_year_fa, mut in_year_av) = (0, 0, 0);
        for d in 0..days {
            if d > 0 && plan.days[d].year != plan.days[d - 1].year {
                in_year_fa = 0;
                in_year_av = 0;
            }
            id_base[d] = all;
            fa_base[d] = in_year_fa;
            av_base[d] = in_year_av;
            all += fa[d] + av[d];
            in_year_fa += fa[d];
            in_year_av += av[d];
        }
        Ok(Self { id_base, fa_base, av_base, id_next: vec![0; days], fa_next: vec![0; days], av_next: vec![0; days] })
    }

    /// The (1-based) id and number within its year of the next invoice of `day`.
    fn next(&mut self, day: u32, avoir: bool) -> (u64, u64) {
        let d = day as usize;
        let id = self.id_base[d] + self.id_next[d] + 1;
        self.id_next[d] += 1;
        let (base, next) =
            if avoir { (self.av_base[d], &mut self.av_next[d]) } else { (self.fa_base[d], &mut self.fa_next[d]) };
        let number = base + *next + 1;
        *next += 1;
        (id, number)
    }
}

pub(super) fn insert_devis_and_factures(
    conn: &Connection,
    days: &[Day],
    clients: &[ClientInfo],
    n: u64,
    seed: u64,
) -> rusqlite::Result<(u64, u64)> {
    let companies = clients.iter().enumerate().filter(|(_, c)| c.company).map(|(i, _)| i as u32).collect();
    let plan = Plan { n, seed, days, per_day: devis_per_day(n, days, seed), clients, companies };
    let mut numbering = Numbering::new(&plan)?;
    let mut writer = Writer {
        days,
        devis_stmt: conn.prepare(
            "INSERT INTO DEVIS (ID, NUMERO_DEVIS, REFERENCE_AFFAIRE, CLIENT_ID, MONTANT_HT, MONTANT_TTC, TAUX_MARGE,
               DATE_CREATION, DATE_VALIDATION, STATUT, RESPONSABLE)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        )?,
        facture_stmt: conn.prepare(
            "INSERT INTO FACTURES (ID, NUMERO_FACTURE, NUMERO_DEVIS, CLIENT_ID, MONTANT_HT, MONTANT_TTC,
               DATE_FACTURE, DATE_ECHEANCE, STATUT_REGLEMENT, MONTANT_REGLE)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        )?,
        devis_count: 0,
        facture_count: 0,
        seq_in_year: [0; 3],
        numero_devis: String::with_capacity(32),
        affaire: String::with_capacity(32),
        created: String::with_capacity(32),
        validated: String::with_capacity(32),
        numero_facture: String::with_capacity(32),
    };
    plan.walk(|event| match event {
        Event::Devis(d) => writer.devis(d),
        Event::Facture(f, with_devis) => writer.facture(f, with_devis, &mut numbering),
    })?;
    Ok((writer.devis_count, writer.facture_count))
}

/// The second pass: formats rows into reused buffers and inserts them.
struct Writer<'c> {
    days: &'c [Day],
    devis_stmt: Statement<'c>,
    facture_stmt: Statement<'c>,
    devis_count: u64,
    facture_count: u64,
    seq_in_year: [u64; 3],
    /// Number of the last quote written: its invoices follow it.
    numero_devis: String,
    affaire: String,
    created: String,
    validated: String,
    numero_facture: String,
}

impl Writer<'_> {
    fn devis(&mut self, d: &Devis) -> rusqlite::Result<()> {
        self.devis_count += 1;
        let day = &self.days[d.day as usize];
        let slot = usize::from(day.year - FIRST_YEAR);
        self.seq_in_year[slot] += 1;
        self.numero_devis.clear();
        self.numero_devis.push_str("DEVIS-");
        push_padded(&mut self.numero_devis, u64::from(day.year), 4);
        self.numero_devis.push('-');
        push_padded(&mut self.numero_devis, self.seq_in_year[slot], 3);
        self.affaire.clear();
        if let Some((year, number)) = d.affaire {
            self.affaire.push_str("AFF-");
            push_padded(&mut self.affaire, u64::from(year), 4);
            self.affaire.push('-');
            push_padded(&mut self.affaire, number, 4);
        }
        self.created.clear();
        push_datetime(&mut self.created, day, d.ticks);
        self.validated.clear();
        if let Some((vday, vticks)) = d.validation {
            push_datetime(&mut self.validated, &self.days[vday as usize], vticks);
        }
        self.devis_stmt.execute(params![
            self.devis_count,
            self.numero_devis,
            d.affaire.map(|_| self.affaire.as_str()),
            d.client + 1,
            cents(d.ht),
            cents(d.ttc),
            cents(d.marge),
            self.created,
            d.validation.map(|_| self.validated.as_str()),
            d.statut.as_str(),
            d.responsable,
        ])?;
        Ok(())
    }

    fn facture(&mut self, f: &Facture, with_devis: bool, numbering: &mut Numbering) -> rusqlite::Result<()> {
        self.facture_count += 1;
        let (id, number) = numbering.next(f.day, f.avoir);
        let day = &self.days[f.day as usize];
        self.numero_facture.clear();
        self.numero_facture.push_str(if f.avoir { "AV-" } else { "FA-" });
        push_padded(&mut self.numero_facture, u64::from(day.year), 4);
        self.numero_facture.push('-');
        push_padded(&mut self.numero_facture, number, 6);
        self.facture_stmt.execute(params![
            id,
            self.numero_facture,
            with_devis.then_some(self.numero_devis.as_str()),
            f.client + 1,
            cents(f.ht),
            cents(f.ttc),
            day.ymd,
            self.days[f.due as usize].ymd,
            f.reglement.as_str(),
            f.regle.map(cents),
        ])?;
        Ok(())
    }
}
