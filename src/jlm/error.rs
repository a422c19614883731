//! What can go wrong with the JLM store, in the words users read; `crate::error` classifies each
//! into its exit code (5 for the store itself, 2 for a bad address or request, 4 for an offer
//! that is not there). A driver's error is kept with the URL's password masked out of its words.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("magasin JLM : aucun dossier de données (pas de dossier personnel)")]
    NoDataDir,

    #[error("magasin JLM {} : création du dossier {} impossible : {source}", path.display(), dir.display())]
    DataDir {
        path: PathBuf,
        dir: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// A PostgreSQL URL the driver refuses; `cause` has its password masked.
    #[error("adresse du magasin JLM « {location} » invalide : {cause}")]
    BadUrl { location: String, cause: String },

    #[error("magasin JLM « {location} » : {cause}")]
    BadSqlite { location: String, cause: String },

    #[error("magasin JLM {location} : le dossier {} n'existe pas (ou n'est pas un dossier)", dir.display())]
    MissingFolder { location: String, dir: PathBuf },

    /// The driver refused or failed: `what` the tool was doing, the driver's words as the detail.
    #[error("magasin JLM {location} : {what}")]
    Driver {
        location: String,
        what: String,
        hint: Option<&'static str>,
        #[source]
        source: Box<Masked>,
    },

    /// A value the store holds that this tool cannot read.
    #[error("magasin JLM {location} : colonne « {column} » illisible : {what}")]
    Unreadable { location: String, column: String, what: String },

    #[error("magasin JLM {location} : la table {table} n'a pas de colonne {column}")]
    MissingColumn { location: String, table: String, column: String },

    #[error("offre « {id} » introuvable : le magasin JLM n'a pas de table offers")]
    NoOffersTable { id: String },

    #[error("aucune offre JLM ERP « {id} »")]
    NoOffer { id: String },

    /// The offer already carries another devis, and `--relink` was not given.
    #[error("{conflict}")]
    OfferTaken { conflict: String, numero: String, offer: String },

    #[error("{numero} : montant HT {montant} trop grand pour JLM ERP (NUMERIC(12,2) : moins de 10 milliards)")]
    AmountTooLarge { numero: String, montant: rust_decimal::Decimal },

    #[error("{numero} : taux de marge {taux} trop grand pour JLM ERP (NUMERIC(5,2) : de -999,99 à 999,99)")]
    RateTooLarge { numero: String, taux: rust_decimal::Decimal },

    #[error("indicateur {name} = {value} trop grand pour la colonne {column} de batigest_analytics")]
    IndicatorTooLarge { name: String, value: String, column: String },

    /// The lock file of the automatic sync, next to a SQLite store, cannot be opened or locked.
    #[error("verrou de la synchronisation automatique {} impossible : {source}", path.display())]
    WatchLock {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl StoreError {
    /// What to do about it.
    pub fn hint(&self) -> Option<String> {
        let hint = match self {
            StoreError::NoDataDir => "indiquez le magasin avec --jlm-db sqlite:CHEMIN ou JLM_DATABASE_URL",
            StoreError::MissingFolder { .. } => {
                "créez le dossier, ou indiquez un autre chemin avec --jlm-db sqlite:CHEMIN"
            }
            StoreError::Driver { hint, .. } => return hint.map(str::to_owned),
            StoreError::MissingColumn { .. } => {
                "jlm-batigest ne modifie jamais les tables de JLM ERP : mettez JLM ERP à jour (ou ajoutez la colonne), \
                 puis relancez"
            }
            StoreError::NoOffersTable { .. } => {
                "--offer lie un devis à une offre de JLM ERP : indiquez sa base avec --jlm-db postgres://…"
            }
            StoreError::NoOffer { .. } => {
                "vérifiez l'identifiant de l'offre dans JLM ERP, ou omettez --offer pour la chercher par référence"
            }
            StoreError::OfferTaken { numero, offer, .. } => {
                return Some(format!(
                    "pour déplacer le lien, relancez avec --relink : jlm-batigest sync-offer --ref {numero} --offer {offer} --relink"
                ));
            }
            StoreError::IndicatorTooLarge { .. } => {
                "le calcul n'a pas été enregistré ; relancez avec --no-save pour seulement l'afficher"
            }
            StoreError::WatchLock { .. } => {
                "ce fichier, à côté du magasin, empêche deux synchronisations automatiques à la fois : le dossier du \
                 magasin doit être modifiable"
            }
            StoreError::DataDir { .. }
            | StoreError::BadUrl { .. }
            | StoreError::BadSqlite { .. }
            | StoreError::Unreadable { .. }
            | StoreError::AmountTooLarge { .. }
            | StoreError::RateTooLarge { .. } => return None,
        };
        Some(hint.to_owned())
    }

    /// The driver's own words (password masked), shown after « Détail : ».
    pub fn detail(&self) -> Option<String> {
        match self {
            StoreError::Driver { source, .. } => Some(source.text.clone()),
            _ => None,
        }
    }
}

/// A driver's error whose words are told with the store URL's password masked; its own causes
/// (an I/O or TLS error, which never carry the URL) follow it in the chain.
#[derive(Debug)]
pub struct Masked {
    pub(super) text: String,
    pub(super) error: sqlx::Error,
}

impl std::fmt::Display for Masked {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

impl std::error::Error for Masked {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.error.source()
    }
}
