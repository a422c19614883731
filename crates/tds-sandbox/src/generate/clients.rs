//! Clients: French individuals, firms and public bodies, mostly around Saint-Étienne and Lyon.

use rusqlite::{Connection, params};

use super::{Rng, STREAM_CLIENTS, push_padded};

const MALE: [&str; 30] = [
    "Jean",
    "Pierre",
    "Michel",
    "André",
    "Philippe",
    "Alain",
    "Jean-François",
    "Jean-Pierre",
    "Bernard",
    "Christophe",
    "Stéphane",
    "Frédéric",
    "Sébastien",
    "Nicolas",
    "Julien",
    "Olivier",
    "Éric",
    "Laurent",
    "Thierry",
    "Hervé",
    "Gérard",
    "Joël",
    "Benoît",
    "Jérôme",
    "Rémi",
    "François",
    "Mathéo",
    "Noël",
    "Loïc",
    "Mohamed",
];
const FEMALE: [&str; 30] = [
    "Marie",
    "Nathalie",
    "Isabelle",
    "Sylvie",
    "Catherine",
    "Françoise",
    "Hélène",
    "Véronique",
    "Valérie",
    "Christine",
    "Sandrine",
    "Céline",
    "Émilie",
    "Aurélie",
    "Élodie",
    "Chloé",
    "Léa",
    "Mélanie",
    "Agnès",
    "Geneviève",
    "Brigitte",
    "Danièle",
    "Josiane",
    "Anaïs",
    "Noémie",
    "Inès",
    "Zoé",
    "Marie-Thérèse",
    "Anne-Sophie",
    "Fatima",
];
const SURNAMES: [&str; 60] = [
    "Martin",
    "Bernard",
    "Dubois",
    "Thomas",
    "Robert",
    "Richard",
    "Petit",
    "Durand",
    "Leroy",
    "Moreau",
    "Simon",
    "Laurent",
    "Lefèvre",
    "Michel",
    "Garcia",
    "David",
    "Bertrand",
    "Roux",
    "Vincent",
    "Fournier",
    "Morel",
    "Girard",
    "André",
    "Lefebvre",
    "Mercier",
    "Dupont",
    "Lambert",
    "Bonnet",
    "François",
    "Martinez",
    "Legrand",
    "Garnier",
    "Faure",
    "Rousseau",
    "Blanc",
    "Guérin",
    "Muller",
    "Henry",
    "Roussel",
    "Nicolas",
    "Perrin",
    "Morin",
    "Mathieu",
    "Clément",
    "Gauthier",
    "Dumont",
    "Lopez",
    "Fontaine",
    "Chevalier",
    "Robin",
    "N'Diaye",
    "D'Almeida",
    "Le Goff",
    "Bréchet",
    "Côté",
    "Sénéchal",
    "Pérez",
    "Benoît",
    "Châtelain",
    "L'Hôpital",
];
/// Mostly the Loire and Rhône area, where a joinery firm's customers would live.
const CITIES: [&str; 48] = [
    "Saint-Étienne",
    "Lyon",
    "Villeurbanne",
    "Roanne",
    "Montbrison",
    "Firminy",
    "Saint-Chamond",
    "Rive-de-Gier",
    "Andrézieux-Bouthéon",
    "Saint-Just-Saint-Rambert",
    "Le Chambon-Feugerolles",
    "La Talaudière",
    "Sorbiers",
    "Unieux",
    "Villars",
    "Saint-Genest-Lerpt",
    "Roche-la-Molière",
    "L'Horme",
    "Feurs",
    "Chazelles-sur-Lyon",
    "Bourg-Argental",
    "Pélussin",
    "Annonay",
    "Le Puy-en-Velay",
    "Yssingeaux",
    "Monistrol-sur-Loire",
    "Vienne",
    "Givors",
    "Vénissieux",
    "Bron",
    "Écully",
    "Tassin-la-Demi-Lune",
    "Sainte-Foy-lès-Lyon",
    "Caluire-et-Cuire",
    "Villefranche-sur-Saône",
    "Mâcon",
    "Clermont-Ferrand",
    "Grenoble",
    "Chambéry",
    "Annecy",
    "Valence",
    "Saint-Priest-en-Jarez",
    "Veauche",
    "Saint-Héand",
    "L'Étrat",
    "Boën-sur-Lignon",
    "Charlieu",
    "Riorges",
];
const SCI_NAMES: [&str; 16] = [
    "Les Érables",
    "Les Tilleuls",
    "Le Clos Fleuri",
    "Les Glycines",
    "Le Pré Vert",
    "La Châtaigneraie",
    "Les Cèdres",
    "Du Moulin",
    "Les Hauts de Loire",
    "Bellevue",
    "Le Verger",
    "Les Acacias",
    "Saint-Roch",
    "Côté Jardin",
    "Les Coteaux",
    "L'Orée du Bois",
];
const SHOPS: [&str; 16] = [
    "Boulangerie L'Épi d'Or",
    "Boulangerie Au Pain Doré",
    "Pâtisserie Les Délices",
    "Pharmacie de la Gare",
    "Pharmacie du Centre",
    "Restaurant Le Bouchon Lyonnais",
    "Auberge du Pilat",
    "Brasserie Chez Gaston",
    "Café des Sports",
    "Fleuriste L'Atelier Floral",
    "Boucherie Charcuterie Dumas",
    "Crèche Les P'tits Loups",
    "Librairie Le Chat Qui Lit",
    "Hôtel Le Relais Forézien",
    "Coiffure Élégance",
    "Cave Les Vins d'Ici",
];

/// What the generator keeps of a client while it makes quotes and invoices.
pub(super) struct ClientInfo {
    pub(super) name: String,
    pub(super) city: Option<&'static str>,
    pub(super) company: bool,
    /// Payment terms: 0 = 30 days, 1 = 45 days, 2 = end of month.
    pub(super) terms: u8,
}

fn client_count(n: u64) -> u64 {
    (n / 20).clamp(50, 20_000)
}

pub(super) fn make_clients(n: u64, seed: u64) -> Vec<ClientInfo> {
    let mut rng = Rng::new(seed, STREAM_CLIENTS);
    let people = (MALE.len() + FEMALE.len()) * SURNAMES.len();
    // A stride coprime with the number of combinations walks them all before repeating, so that
    // homonyms appear only when there are more individuals than combinations.
    let stride = 1_237;
    let mut person = rng.below(people as u64) as usize;
    let mut company = 0usize;
    (0..client_count(n))
        .map(|_| {
            let city = if rng.chance(40) { None } else { Some(*rng.pick(&CITIES)) };
            if rng.chance(280) {
                company += 1;
                let q = company / 6;
                let last = SURNAMES[(q * 7 + company) % SURNAMES.len()];
                let name = match company % 6 {
                    0 => format!("SCI {}", SCI_NAMES[q % SCI_NAMES.len()]),
                    1 => format!("Mairie de {}", city.unwrap_or(CITIES[q % CITIES.len()])),
                    2 => SHOPS[q % SHOPS.len()].to_string(),
                    3 => match q % 3 {
                        0 => format!("SARL {last} et Fils"),
                        1 => format!("SAS Bâti-Concept {last}"),
                        _ => format!("EURL {last} Rénovation"),
                    },
                    4 => format!("Syndic Résidence {}", SCI_NAMES[(q + 5) % SCI_NAMES.len()]),
                    _ => match q % 3 {
                        0 => format!("Cabinet dentaire du Dr {last}"),
                        1 => format!("Cabinet d'architecture {last}"),
                        _ => format!("EHPAD {}", SCI_NAMES[(q + 9) % SCI_NAMES.len()]),
                    },
                };
                ClientInfo { name, city, company: true, terms: 1 + rng.below(2) as u8 }
            } else {
                person = (person + stride) % people;
                let (first, title) = if person / SURNAMES.len() < MALE.len() {
                    (MALE[person / SURNAMES.len()], "M.")
                } else {
                    (FEMALE[person / SURNAMES.len() - MALE.len()], "Mme")
                };
                let last = SURNAMES[person % SURNAMES.len()];
                let name = if rng.chance(60) { format!("M. et Mme {last}") } else { format!("{title} {first} {last}") };
                let terms = if rng.chance(850) { 0 } else { 2 };
                ClientInfo { name, city, company: false, terms }
            }
        })
        .collect()
}

pub(super) fn insert_clients(conn: &Connection, clients: &[ClientInfo]) -> rusqlite::Result<()> {
    let mut stmt = conn.prepare("INSERT INTO CLIENTS (ID, CODE_CLIENT, NOM, VILLE) VALUES (?1, ?2, ?3, ?4)")?;
    let mut code = String::with_capacity(16);
    for (i, c) in clients.iter().enumerate() {
        code.clear();
        code.push_str("CLI");
        push_padded(&mut code, i as u64 + 1, 5);
        stmt.execute(params![i + 1, code, c.name, c.city])?;
    }
    Ok(())
}
