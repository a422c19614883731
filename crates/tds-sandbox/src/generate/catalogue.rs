//! Families, sub-families and the ouvrages catalogue (about 300 joinery items).

use rusqlite::{Connection, params};

use super::{Rng, STREAM_CATALOGUE, cents, div_round, units4};

/// A family: code, label, and its sub-families (code, label).
type FamilyDef = (&'static str, &'static str, &'static [(&'static str, &'static str)]);

const FAMILLES: [FamilyDef; 6] = [
    (
        "MENUISERIE_EXT",
        "Menuiseries extérieures",
        &[
            ("FEN_PVC", "Fenêtres PVC"),
            ("FEN_ALU", "Fenêtres aluminium"),
            ("FEN_BOIS", "Fenêtres bois"),
            ("PORTE_FENETRE", "Portes-fenêtres"),
            ("BAIE_COUL", "Baies coulissantes"),
        ],
    ),
    (
        "PORTES",
        "Portes",
        &[
            ("PORTE_ENTREE", "Portes d'entrée"),
            ("PORTE_INT", "Portes intérieures"),
            ("PORTE_GARAGE", "Portes de garage"),
        ],
    ),
    (
        "FERMETURES",
        "Fermetures et protections solaires",
        &[
            ("VOLET_ROULANT", "Volets roulants"),
            ("VOLET_BATTANT", "Volets battants"),
            ("PERSIENNE", "Persiennes"),
            ("STORE", "Stores"),
        ],
    ),
    (
        "AGENCEMENT",
        "Agencement intérieur",
        &[("PLACARD", "Placards"), ("DRESSING", "Dressings"), ("ESCALIER", "Escaliers"), ("CUISINE", "Cuisines")],
    ),
    ("QUINCAILLERIE", "Quincaillerie", &[("POIGNEE", "Poignées"), ("SERRURE", "Serrures"), ("PAUMELLE", "Paumelles")]),
    ("POSE", "Pose et main d'œuvre", &[("MAIN_OEUVRE", "Main d'œuvre"), ("DEPOSE", "Dépose")]),
];

/// Typical overheads (frais généraux) and profit (bénéfice) rates per family, in hundredths of a
/// percent: trades differ (fitting work carries more overhead than reselling hardware).
const FAMILY_RATES: [(i64, i64); 6] =
    [(2200, 1500), (2400, 1600), (2000, 1400), (2800, 1800), (3000, 2000), (1800, 1200)];

pub(super) fn insert_families(conn: &Connection) -> rusqlite::Result<(u64, u64)> {
    let mut fam = conn.prepare("INSERT INTO FAMILLES (ID, CODE_FAMILLE, LIBELLE) VALUES (?1, ?2, ?3)")?;
    let mut sub =
        conn.prepare("INSERT INTO SOUS_FAMILLES (ID, FAMILLE_ID, CODE_SOUS_FAMILLE, LIBELLE) VALUES (?1, ?2, ?3, ?4)")?;
    let mut sub_id = 0u64;
    for (i, (code, label, subs)) in FAMILLES.iter().enumerate() {
        fam.execute(params![i + 1, code, label])?;
        for (sub_code, sub_label) in *subs {
            sub_id += 1;
            sub.execute(params![sub_id, i + 1, sub_code, sub_label])?;
        }
    }
    Ok((FAMILLES.len() as u64, sub_id))
}

/// A catalogue entry before pricing.
struct Item {
    code: String,
    label: String,
    unit: &'static str,
    /// Base purchase price, cents.
    cost: i64,
    /// Index into [`FAMILLES`], and the sub-family's index within it.
    family: Option<(usize, Option<usize>)>,
}

/// Builds the catalogue (about 300 ouvrages). Its shape does not depend on the seed; prices do.
fn catalogue() -> Vec<Item> {
    let mut items = Vec::with_capacity(320);
    let mut add =
        |family: Option<(usize, Option<usize>)>, code: String, label: String, unit: &'static str, cost: i64| {
            items.push(Item { code, label, unit, cost, family });
        };
    // Price of a framed product: fixed part plus a price per m² (euros), in cents.
    let framed = |fixed: i64, per_m2: i64, w: i64, h: i64| fixed * 100 + per_m2 * w * h / 100;
    let leaves = |w: i64| if w <= 80 { "1 vantail" } else { "2 vantaux" };

    let ext = |sub| Some((0, Some(sub)));
    for w in [60, 80, 100, 120, 140] {
        for h in [75, 95, 115, 135, 155] {
            let label = format!("Fenêtre PVC {} {w}×{h} double vitrage", leaves(w));
            add(ext(0), format!("FEN-PVC-{w}x{h}"), label, "U", framed(120, 180, w, h));
        }
    }
    for w in [60, 90, 120, 150] {
        for h in [95, 115, 135, 155] {
            let label = format!("Fenêtre aluminium {} {w}×{h} à rupture de pont thermique", leaves(w));
            add(ext(1), format!("FEN-ALU-{w}x{h}"), label, "U", framed(200, 320, w, h));
        }
    }
    for (code, wood, fixed, per_m2) in [("CH", "chêne", 180, 300), ("PIN", "pin", 150, 240)] {
        for w in [60, 80, 100, 120] {
            for h in [95, 115, 135] {
                let label = format!("Fenêtre bois {wood} {} {w}×{h} double vitrage", leaves(w));
                add(ext(2), format!("FEN-BOIS-{code}-{w}x{h}"), label, "U", framed(fixed, per_m2, w, h));
            }
        }
    }
    for (code, material, fixed, per_m2) in [("PVC", "PVC", 220, 200), ("ALU", "aluminium", 380, 330)] {
        for w in [80, 120, 140] {
            for h in [205, 215, 225] {
                let label = format!("Porte-fenêtre {material} {} {w}×{h}", leaves(w));
                add(ext(3), format!("PF-{code}-{w}x{h}"), label, "U", framed(fixed, per_m2, w, h));
            }
        }
    }
    for w in [180, 210, 240, 300, 360] {
        for h in [205, 215, 225] {
            let n = if w >= 300 { "3 vantaux" } else { "2 vantaux" };
            let label = format!("Baie coulissante aluminium {n} {w}×{h}");
            add(ext(4), format!("BAIE-ALU-{w}x{h}"), label, "U", framed(600, 350, w, h));
        }
    }

    let doors = |sub| Some((1, Some(sub)));
    for (code, material, fixed) in [
        ("ALU", "aluminium vitrée", 1400),
        ("ACIER", "acier isolante", 900),
        ("BOIS", "bois massif", 1200),
        ("PVC", "PVC", 800),
    ] {
        for w in [90, 100] {
            for h in [215, 225] {
                let label = format!("Porte d'entrée {material} {w}×{h}");
                add(doors(0), format!("PE-{code}-{w}x{h}"), label, "U", framed(fixed, 120, w, h));
            }
        }
    }
    for (code, kind, fixed) in [
        ("ALV", "âme alvéolaire", 90),
        ("PLEINE", "âme pleine", 140),
        ("PHON", "phonique 39 dB", 260),
        ("EI30", "coupe-feu EI30", 380),
        ("GAL", "coulissant à galandage", 420),
    ] {
        for w in [73, 83, 93] {
            let label = format!("Bloc-porte intérieur {kind} {w}×204");
            add(doors(1), format!("PI-{code}-{w}x204"), label, "U", fixed * 100 + w * 40);
        }
    }
    for (code, kind, fixed) in
        [("SECT", "sectionnelle motorisée", 1500), ("BASC", "basculante", 700), ("ENR", "enroulable motorisée", 1300)]
    {
        for w in [240, 300] {
            for h in [200, 212] {
                let label = format!("Porte de garage {kind} {w}×{h}");
                add(doors(2), format!("PG-{code}-{w}x{h}"), label, "U", framed(fixed, 60, w, h));
            }
        }
    }

    let shut = |sub| Some((2, Some(sub)));
    for (code, kind, fixed, per_m2) in [
        ("FIL", "aluminium motorisé filaire", 180, 90),
        ("RADIO", "aluminium motorisé radio", 230, 90),
        ("SOL", "aluminium solaire", 320, 90),
        ("PVC", "PVC manuel à sangle", 70, 60),
    ] {
        for w in [80, 120, 160] {
            for h in [135, 215] {
                let label = format!("Volet roulant {kind} {w}×{h}");
                add(shut(0), format!("VR-{code}-{w}x{h}"), label, "U", framed(fixed, per_m2, w, h));
            }
        }
    }
    for (code, material, fixed) in [("BOIS", "bois", 260), ("ALU", "aluminium", 380), ("PVC", "PVC", 210)] {
        for w in [80, 120, 140] {
            let label = format!("Paire de volets battants {material} {w}×135");
            add(shut(1), format!("VB-{code}-{w}x135"), label, "U", framed(fixed, 80, w, 135));
        }
    }
    for (code, kind, fixed) in
        [("ALU", "aluminium repliables", 420), ("ACIER", "acier repliables", 340), ("BOIS", "bois à lames", 380)]
    {
        for w in [80, 120] {
            let label = format!("Persiennes {kind} {w}×135");
            add(shut(2), format!("PERS-{code}-{w}x135"), label, "U", framed(fixed, 90, w, 135));
        }
    }
    for (code, label, unit, cost) in [
        ("STORE-BANNE-300", "Store banne coffre intégral 3,00 × 2,50 m", "U", 95_000),
        ("STORE-BANNE-400", "Store banne coffre intégral 4,00 × 3,00 m", "U", 125_000),
        ("STORE-BANNE-500", "Store banne coffre intégral 5,00 × 3,00 m", "U", 160_000),
        ("STORE-OCC-100", "Store intérieur occultant 100×160", "U", 9_000),
        ("STORE-VEN-100", "Store vénitien aluminium 100×160", "U", 8_500),
        ("BSO-150x215", "Brise-soleil orientable motorisé 150×215", "U", 110_000),
        ("STORE-VERANDA", "Store de véranda toile acrylique", "M2", 9_000),
        ("STORE-ZIP-180", "Store screen extérieur à zip 180×220", "U", 85_000),
        ("STORE-PLISSE", "Store plissé pour fenêtre de toit", "U", 12_000),
    ] {
        add(shut(3), code.into(), label.into(), unit, cost);
    }

    let fit = |sub| Some((3, Some(sub)));
    for w in [120, 150, 180, 240] {
        let n = if w >= 240 { "3 portes" } else { "2 portes" };
        let label = format!("Façade de placard coulissante {n} {w}×250");
        add(fit(0), format!("PLAC-COUL-{w}"), label, "U", framed(150, 70, w, 250));
    }
    for w in [60, 90, 120] {
        let label = format!("Façade de placard pivotante {w}×250");
        add(fit(0), format!("PLAC-PIV-{w}"), label, "U", framed(110, 80, w, 250));
    }
    for (code, label, unit, cost) in [
        ("PLAC-AMENAG", "Aménagement intérieur de placard (penderie, étagères)", "ML", 14_000),
        ("PLAC-ETAG", "Étagère mélaminé blanc 19 mm", "ML", 2_200),
        ("DRESS-MELA", "Dressing sur mesure mélaminé", "ML", 32_000),
        ("DRESS-CHENE", "Dressing sur mesure chêne massif", "ML", 68_000),
        ("DRESS-PENDERIE", "Penderie coulissante escamotable", "U", 9_500),
        ("DRESS-TIROIR", "Tiroir à l'anglaise avec coulisses amorties", "U", 7_800),
        ("DRESS-LED", "Éclairage LED de dressing avec détecteur", "U", 6_500),
        ("DRESS-MIROIR", "Porte miroir de dressing", "U", 14_500),
    ] {
        let sub = usize::from(!code.starts_with("PLAC"));
        add(fit(sub), code.into(), label.into(), unit, cost);
    }
    for (code, label, unit, cost) in [
        ("ESC-DROIT-HETRE", "Escalier droit hêtre 13 marches", "U", 190_000),
        ("ESC-DROIT-CHENE", "Escalier droit chêne 13 marches", "U", 260_000),
        ("ESC-1-4-HETRE", "Escalier quart tournant hêtre", "U", 250_000),
        ("ESC-1-4-CHENE", "Escalier quart tournant chêne", "U", 330_000),
        ("ESC-2-4-CHENE", "Escalier deux quarts tournants chêne", "U", 410_000),
        ("ESC-HELICO", "Escalier hélicoïdal acier et bois Ø160", "U", 380_000),
        ("ESC-MEUNIER", "Échelle de meunier sapin", "U", 42_000),
        ("GC-BOIS", "Garde-corps bois à barreaux", "ML", 16_000),
        ("GC-VERRE", "Garde-corps verre feuilleté et inox", "ML", 38_000),
        ("MAIN-COURANTE", "Main courante chêne sur platines", "ML", 6_500),
        ("ESC-HABILLAGE", "Rénovation : habillage de marche existante", "U", 9_000),
        ("ESC-VERNIS", "Vitrification d'escalier", "FORFAIT", 35_000),
    ] {
        add(fit(2), code.into(), label.into(), unit, cost);
    }
    for (code, label, unit, cost) in [
        ("CUIS-BAS-60", "Meuble bas de cuisine 60 cm", "U", 18_000),
        ("CUIS-HAUT-60", "Meuble haut de cuisine 60 cm", "U", 14_000),
        ("CUIS-COLONNE", "Colonne four et micro-ondes", "U", 42_000),
        ("CUIS-ANGLE", "Meuble d'angle avec plateaux tournants", "U", 31_000),
        ("CUIS-PDT-STRAT", "Plan de travail stratifié 38 mm", "ML", 9_500),
        ("CUIS-PDT-QUARTZ", "Plan de travail quartz 20 mm", "M2", 38_000),
        ("CUIS-ILOT", "Îlot central avec rangements", "U", 145_000),
        ("CUIS-CREDENCE", "Crédence verre laqué", "M2", 16_000),
        ("CUIS-FACADE-LAQ", "Façade laquée mate sur mesure", "M2", 21_000),
        ("CUIS-PLINTHE", "Plinthe de cuisine aluminium", "ML", 2_400),
    ] {
        add(fit(3), code.into(), label.into(), unit, cost);
    }

    let hw = |sub| Some((4, Some(sub)));
    for (code, finish) in [("BLANC", "blanc"), ("INOX", "inox brossé"), ("NOIR", "noir mat")] {
        add(hw(0), format!("POIG-FEN-CLE-{code}"), format!("Poignée de fenêtre à clé {finish}"), "U", 1_850);
        add(hw(0), format!("BEQ-ROSACE-{code}"), format!("Béquille double sur rosace {finish}"), "U", 2_960);
    }
    for (code, label, cost) in [
        ("POIG-PF-ASYM", "Poignée de porte-fenêtre asymétrique", 2_410),
        ("POIG-TIRAGE-600", "Poignée de tirage inox 600 mm", 8_930),
        ("POIG-TIRAGE-1200", "Poignée de tirage inox 1 200 mm", 14_260),
        ("POIG-PALIERE", "Garniture palière de porte d'entrée", 6_780),
        ("BOUTON-PORTE", "Bouton de porte fixe laiton", 1_530),
        ("POIG-COQUILLE", "Poignée cuvette pour porte coulissante", 1_120),
    ] {
        add(hw(0), code.into(), label.into(), "U", cost);
    }
    for (code, label, cost) in [
        ("SERR-3PT-A2P1", "Serrure 3 points A2P* en applique", 19_800),
        ("SERR-3PT-A2P2", "Serrure 3 points A2P** en applique", 28_900),
        ("SERR-3PT-A2P3", "Serrure 3 points A2P*** à larder", 41_200),
        ("SERR-5PT", "Kit de fermeture 5 points pour porte d'entrée", 36_500),
        ("CYL-30x30", "Cylindre européen haute sécurité 30×30", 6_420),
        ("CYL-30x40", "Cylindre européen haute sécurité 30×40", 6_870),
        ("CYL-40x40", "Cylindre européen haute sécurité 40×40", 7_350),
        ("SERR-LARDER", "Serrure à larder bec-de-cane", 1_890),
        ("VERROU-SUR", "Verrou de sûreté à bouton", 4_150),
        ("GACHE-ELEC", "Gâche électrique à rupture", 8_700),
        ("SERR-WC", "Serrure à condamnation pour WC", 2_140),
    ] {
        add(hw(1), code.into(), label.into(), "U", cost);
    }
    for (code, label, cost) in [
        ("PAUM-110", "Paumelle à visser 110 mm", 312),
        ("PAUM-140", "Paumelle à visser 140 mm", 428),
        ("PAUM-160", "Paumelle à visser 160 mm", 565),
        ("PAUM-3D", "Paumelle réglable 3D pour porte d'entrée", 2_390),
        ("FICHE-BOUTS-RONDS", "Fiche à bouts ronds laiton", 276),
        ("CHARN-INVISIBLE", "Charnière invisible pour porte affleurante", 3_150),
        ("PIVOT-LOURD", "Pivot pour porte lourde jusqu'à 150 kg", 14_800),
    ] {
        add(hw(2), code.into(), label.into(), "U", cost);
    }

    let labour = |sub| Some((5, Some(sub)));
    for (code, label, unit, cost) in [
        ("MO-MENUISIER", "Heure de main d'œuvre menuisier", "H", 3_800),
        ("MO-POSEUR", "Heure de main d'œuvre poseur", "H", 3_400),
        ("MO-APPRENTI", "Heure d'apprenti", "H", 1_600),
        ("MO-ATELIER", "Heure d'atelier (usinage, débit)", "H", 4_200),
        ("POSE-FEN-RENO", "Pose de fenêtre en rénovation", "U", 14_000),
        ("POSE-FEN-NEUF", "Pose de fenêtre en neuf (applique)", "U", 11_000),
        ("POSE-PE", "Pose de porte d'entrée", "U", 26_000),
        ("POSE-BAIE", "Pose de baie coulissante", "U", 32_000),
        ("POSE-VR", "Pose de volet roulant", "U", 9_000),
        ("POSE-PG", "Pose de porte de garage", "U", 38_000),
        ("POSE-ESC", "Pose d'escalier", "FORFAIT", 45_000),
        ("POSE-CUIS", "Pose de cuisine", "ML", 12_000),
        ("POSE-PLACARD", "Pose de façade de placard", "U", 9_500),
        ("REGLAGE-MEN", "Réglage et entretien des menuiseries", "FORFAIT", 8_500),
        ("CALFEUTREMENT", "Calfeutrement et joint silicone", "ML", 450),
        ("HABILLAGE-ALU", "Habillage aluminium extérieur", "ML", 2_600),
    ] {
        add(labour(0), code.into(), label.into(), unit, cost);
    }
    for (code, label, unit, cost) in [
        ("DEP-FEN", "Dépose de fenêtre existante", "U", 4_500),
        ("DEP-TOTALE", "Dépose totale (dormant compris)", "U", 9_000),
        ("DEP-PE", "Dépose de porte d'entrée", "U", 7_500),
        ("DEP-VOLETS", "Dépose de volets", "U", 3_000),
        ("DEP-CUISINE", "Dépose de cuisine existante", "FORFAIT", 28_000),
        ("EVAC-GRAVATS", "Évacuation des gravats et déchets", "FORFAIT", 12_000),
        ("DECHARGE", "Mise en décharge agréée", "FORFAIT", 8_000),
        ("PROTECTION", "Protection du chantier (bâches, sols)", "FORFAIT", 6_000),
    ] {
        add(labour(1), code.into(), label.into(), unit, cost);
    }

    // Filed under a family but no sub-family: they exist in every real catalogue.
    for (family, code, label, unit, cost) in [
        (0, "FEN-TOIT-78x98", "Fenêtre de toit 78×98 à rotation", "U", 42_000),
        (0, "OEIL-BOEUF-60", "Œil-de-bœuf PVC Ø60", "U", 31_000),
        (0, "MEN-SUR-MESURE", "Fourniture de menuiserie sur mesure", "FORFAIT", 85_000),
        (1, "PORTE-SERVICE", "Porte de service PVC 80×200", "U", 52_000),
        (2, "MOUSTIQUAIRE", "Moustiquaire enroulable 100×140", "U", 9_500),
        (2, "MOTOR-VR", "Motorisation de volet roulant existant", "U", 21_000),
        (3, "HABILLAGE-BOIS", "Habillage bois sur mesure", "M2", 12_500),
        (4, "VISSERIE-INOX", "Lot de visserie inox", "U", 1_750),
    ] {
        add(Some((family, None)), code.into(), label.into(), unit, cost);
    }
    // No family at all; the first three cost nothing to buy (the anomalies of DESIGN §5.2).
    for (code, label, unit, cost) in [
        ("FRAIS-DOSSIER", "Frais de dossier", "FORFAIT", 0),
        ("DEPLACEMENT-Z1", "Déplacement zone 1 (moins de 20 km)", "FORFAIT", 0),
        ("PRISE-COTES", "Prise de cotes et métré", "FORFAIT", 0),
        ("DEPLACEMENT-Z2", "Déplacement zone 2 (20 à 50 km)", "FORFAIT", 4_500),
        ("LOC-NACELLE", "Location de nacelle (journée)", "FORFAIT", 28_000),
        ("LOC-ECHAF", "Location d'échafaudage (semaine)", "FORFAIT", 35_000),
    ] {
        add(None, code.into(), label.into(), unit, cost);
    }
    items
}

/// Sale price of a zero-cost ouvrage (cents): those are services priced by hand.
fn zero_cost_sale_price(code: &str) -> i64 {
    match code {
        "FRAIS-DOSSIER" => 4_500,
        "DEPLACEMENT-Z1" => 3_500,
        _ => 6_000,
    }
}

pub(super) fn insert_ouvrages(conn: &Connection, seed: u64) -> rusqlite::Result<u64> {
    let mut rng = Rng::new(seed, STREAM_CATALOGUE);
    let mut stmt = conn.prepare(
        "INSERT INTO OUVRAGES (ID, CODE_OUVRAGE, LIBELLE, UNITE, PRIX_ACHAT_HT, PRIX_VENTE_HT,
           TAUX_FRAIS_GENERAUX, TAUX_BENEFICE, FAMILLE_ID, SOUS_FAMILLE_ID, ACTIF)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?;
    // Global sub-family ids, in FAMILLES order.
    let sub_base: Vec<usize> = FAMILLES
        .iter()
        .scan(0, |acc, (_, _, subs)| {
            let base = *acc;
            *acc += subs.len();
            Some(base)
        })
        .collect();
    let items = catalogue();
    for (i, item) in items.iter().enumerate() {
        let (fg_base, b_base) = item.family.map_or((2500, 1500), |(f, _)| FAMILY_RATES[f]);
        // Rates move by half-points around the family's habit, within the trade's usual bounds.
        let fg = (fg_base + 50 * rng.range(-6, 6)).clamp(1500, 3500);
        let b = (b_base + 50 * rng.range(-6, 6)).clamp(800, 2500);
        // Hardware is bought from price lists at 4 decimals; the rest to the cent.
        let hardware = matches!(item.family, Some((4, _)));
        let cost = if item.cost == 0 {
            0
        } else if hardware {
            div_round(item.cost * 100 * (9500 + rng.range(0, 1000)), 10_000) / 5 * 5
        } else {
            div_round(item.cost * (9500 + rng.range(0, 1000)), 10_000) * 100
        };
        let sale = if cost == 0 {
            zero_cost_sale_price(&item.code) * 100
        } else {
            let theoretical = i128::from(cost) * i128::from(10_000 + fg) * i128::from(10_000 + b) / 100_000_000;
            // Most prices follow the theoretical coefficient closely; some were set by hand.
            let drift_bp = match rng.below(100) {
                0..=11 => 0,
                12..=91 => rng.range(-300, 300),
                _ if rng.chance(500) => rng.range(-2500, -800),
                _ => rng.range(1000, 3000),
            };
            let sale = theoretical as i64 * (10_000 + drift_bp) / 10_000;
            div_round(sale, 100) * 100
        };
        // Old ranges are kept but deactivated; at least one always is.
        let active = !(i == 7 || rng.chance(80));
        let (family_id, sub_id) = match item.family {
            None => (None, None),
            Some((f, s)) => (Some(f + 1), s.map(|s| sub_base[f] + s + 1)),
        };
        stmt.execute(params![
            i + 1,
            item.code,
            item.label,
            item.unit,
            units4(cost),
            units4(sale),
            cents(fg),
            cents(b),
            family_id,
            sub_id,
            active,
        ])?;
    }
    Ok(items.len() as u64)
}
