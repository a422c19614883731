//! The config file: its TOML schema (one `…Doc` struct per table, unknown keys refused), read
//! and checked into one layer per profile. A password in it is refused before anything else.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::settings::{AlertesSettings, EmailSettings, Layer, Securite, WebhookSettings, sourced};
use super::values::{
    Adresse, Adresses, Coefficient, Origines, PeriodeMarge, Points, Port, Pros, Seconds, Seuils, Statuts, Taux, Text,
    Tolerance, WebhookUrl, Yes,
};
use super::wording::{Location, file_error};
use super::{ConfigError, Source, check_profile_name};
use crate::batigest::connection::{Auth, Encryption};
use crate::batigest::schema::BUILTIN;
use crate::jlm::address::Address;
use crate::model::MargeBase;
use crate::report::alertes::{self, DEFAULT_ECART_MARGE_POINTS};
use crate::report::kpi::Granularity;
use crate::report::relances::Regles;

/// The config file, read and checked; its profiles are ready to take part in the resolution.
#[derive(Debug, Clone)]
pub struct ConfigFile {
    pub path: PathBuf,
    pub exists: bool,
    pub(super) profiles: BTreeMap<String, Layer>,
}

impl ConfigFile {
    /// Reads the file; a missing file is an empty configuration.
    pub fn read(path: PathBuf) -> Result<Self, ConfigError> {
        match crate::files::read_text(&path) {
            Ok(text) => Self::parse(path, &text),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                Ok(Self { path, exists: false, profiles: BTreeMap::new() })
            }
            Err(source) => Err(ConfigError::Unreadable { path, source }),
        }
    }

    pub(super) fn parse(path: PathBuf, text: &str) -> Result<Self, ConfigError> {
        let at = |span: std::ops::Range<usize>| Location { path: &path, line: line_of(text, span.start) };
        // A password is refused before anything else, even in a file TOML would reject, and its
        // value is never quoted back.
        let (recovered, errors) = DeTable::parse_recoverable(text);
        if let Some(span) = find_password(recovered.get_ref()) {
            return Err(ConfigError::Password { at: at(span).to_string() });
        }
        if let Some(error) = errors.first() {
            let line = error.span().map_or(1, |span| line_of(text, span.start));
            let at = Location { path: &path, line }.to_string();
            return Err(ConfigError::Syntax { at, message: error.message().trim_end().to_owned() });
        }

        let document: FileDoc = toml::from_str(text).map_err(|error| {
            let span = error.span().unwrap_or(0..0);
            file_error(Location { path: &path, line: line_of(text, span.start) }, text, span.start, error)
        })?;
        let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let mut profiles = BTreeMap::new();
        for (name, profile) in document.profiles {
            if let Err(why) = check_profile_name(&name) {
                let line = text.find(&name).map_or(1, |offset| line_of(text, offset));
                let at = Location { path: &path, line }.to_string();
                return Err(ConfigError::ProfileName { at, name, why });
            }
            let layer = profile.into_layer(&name, &base)?;
            profiles.insert(name, layer);
        }
        Ok(Self { path, exists: true, profiles })
    }

    /// The profile names the file defines, in order.
    fn profile_names(&self) -> impl Iterator<Item = &str> {
        self.profiles.keys().map(String::as_str)
    }

    pub(super) fn unknown_profile(&self, name: &str) -> ConfigError {
        let path = self.path.display();
        let message = if !self.exists {
            format!("profil « {name} » inconnu : le fichier de configuration {path} n'existe pas")
        } else if self.profiles.is_empty() {
            format!("profil « {name} » inconnu : {path} ne définit aucun profil")
        } else {
            let known: Vec<&str> = self.profile_names().collect();
            format!("profil « {name} » inconnu dans {path} (profils définis : {})", known.join(", "))
        };
        ConfigError::UnknownProfile { name: name.to_owned(), path: self.path.clone(), message }
    }
}

fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset).unwrap_or(text).split('\n').count()
}

fn find_password(table: &DeTable<'_>) -> Option<std::ops::Range<usize>> {
    table.iter().find_map(|(key, value)| {
        if key.get_ref().eq_ignore_ascii_case("password") {
            return Some(key.span());
        }
        find_password_in(value)
    })
}

fn find_password_in(value: &Spanned<DeValue<'_>>) -> Option<std::ops::Range<usize>> {
    match value.get_ref() {
        DeValue::Table(table) => find_password(table),
        DeValue::Array(items) => items.iter().find_map(find_password_in),
        _ => None,
    }
}

/// The config file as written. Each setting is one field; serde refuses unknown keys
/// (`deny_unknown_fields`) and each value type checks itself as it is read, with a French message.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileDoc {
    #[serde(default)]
    profiles: BTreeMap<String, ProfileDoc>,
}

/// `[profiles.NOM]`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ProfileDoc {
    server: Option<Text>,
    port: Option<Port>,
    instance: Option<Text>,
    database: Option<Text>,
    user: Option<Text>,
    auth: Option<Auth>,
    encrypt: Option<Encryption>,
    trust_cert: Option<Yes>,
    ca_file: Option<Text>,
    timeout: Option<Seconds>,
    jlm_db: Option<Text>,
    schema: Option<Text>,
    marge_base: Option<MargeBase>,
    coefficients: Option<CoefficientsDoc>,
    relances: Option<RelancesDoc>,
    alertes: Option<AlertesDoc>,
    serve: Option<ServeDoc>,
    sync: Option<SyncDoc>,
}

/// `[profiles.NOM.sync]`: the Batigest statuses carried over to JLM ERP's offers, and the webhook
/// the automatic sync posts each pass that changed something to.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SyncDoc {
    statuts: Option<Statuts>,
    webhook: Option<WebhookDoc>,
}

/// `[profiles.NOM.serve]`: the origins (`https://erp.jlm.fr`) allowed to call the API from a browser.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ServeDoc {
    origines: Option<Origines>,
}

/// `[profiles.NOM.coefficients]`: the tolerance and the family targets.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CoefficientsDoc {
    tolerance: Option<Tolerance>,
    cibles: Option<BTreeMap<String, Coefficient>>,
}

/// `[profiles.NOM.relances]`: three ascending day counts, an annual rate in percent, the
/// professional customers (codes, or `"tous"`), an HTML letter template.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RelancesDoc {
    seuils: Option<Seuils>,
    taux_penalites: Option<Taux>,
    professionnels: Option<Pros>,
    modele: Option<Text>,
}

/// `[profiles.NOM.alertes]`: the margin drift that makes an alert, and the channels.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AlertesDoc {
    ecart_marge_points: Option<Points>,
    periode_marge: Option<PeriodeMarge>,
    email: Option<EmailDoc>,
    webhook: Option<WebhookDoc>,
}

/// `[profiles.NOM.alertes.email]`. The password is in the keyring (`alertes login-smtp`).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EmailDoc {
    serveur: Text,
    port: Option<Port>,
    securite: Option<Securite>,
    utilisateur: Option<Text>,
    de: Adresse,
    a: Adresses,
    ca_file: Option<Text>,
}

/// `[profiles.NOM.alertes.webhook]`. The signing key is in the keyring (`alertes login-webhook`).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WebhookDoc {
    url: WebhookUrl,
    signer: Option<Yes>,
    ca_file: Option<Text>,
}

impl AlertesDoc {
    fn settings(self, base: &Path) -> AlertesSettings {
        let path = |Text(value): Text| base.join(value);
        AlertesSettings {
            regles: alertes::Regles {
                ecart_marge_points: self.ecart_marge_points.map_or(DEFAULT_ECART_MARGE_POINTS, |Points(p)| p),
                periode_marge: self.periode_marge.map_or(Granularity::Month, |PeriodeMarge(g)| g),
            },
            email: self.email.map(|doc| {
                let securite = doc.securite.unwrap_or(Securite::Starttls);
                EmailSettings {
                    serveur: doc.serveur.0,
                    port: doc.port.map_or(
                        match securite {
                            Securite::Starttls => 587,
                            Securite::Tls => 465,
                        },
                        |Port(port)| port,
                    ),
                    securite,
                    utilisateur: doc.utilisateur.map(|Text(user)| user),
                    de: doc.de.0,
                    a: doc.a.0,
                    ca_file: doc.ca_file.map(path),
                }
            }),
            webhook: self.webhook.map(|doc| doc.settings(base)),
        }
    }
}

impl WebhookDoc {
    fn settings(self, base: &Path) -> WebhookSettings {
        WebhookSettings {
            url: self.url.0,
            signer: self.signer.is_some_and(|Yes(signer)| signer),
            ca_file: self.ca_file.map(|Text(value)| base.join(value)),
        }
    }
}

impl ProfileDoc {
    fn into_layer(self, name: &str, base: &Path) -> Result<Layer, ConfigError> {
        let source = Source::Profile(name.to_owned());
        // Relative paths in the file are relative to the file, not to wherever the command runs.
        let path = |Text(value): Text| base.join(value);
        let sync = self.sync.unwrap_or(SyncDoc { statuts: None, webhook: None });
        let (tolerance, cibles) = match self.coefficients {
            Some(CoefficientsDoc { tolerance, cibles }) => (
                tolerance.map(|Tolerance(t)| t),
                cibles.map(|cibles| cibles.into_iter().map(|(famille, Coefficient(c))| (famille, c)).collect()),
            ),
            None => (None, None),
        };
        let (relances, modele) = match self.relances {
            Some(doc) => {
                let defaults = Regles::default();
                let regles = Regles {
                    seuils: doc.seuils.map_or(defaults.seuils, |Seuils(seuils)| seuils),
                    taux_penalites: doc.taux_penalites.map(|Taux(taux)| taux),
                    professionnels: doc.professionnels.map_or(defaults.professionnels, |Pros(pros)| pros),
                };
                (Some(regles), doc.modele.map(path))
            }
            None => (None, None),
        };
        let mut layer = Layer {
            instance: self.instance.map(|Text(v)| sourced(v, &source)),
            port: self.port.map(|Port(v)| sourced(v, &source)),
            database: self.database.map(|Text(v)| sourced(v, &source)),
            user: self.user.map(|Text(v)| sourced(v, &source)),
            encrypt: self.encrypt.map(|v| sourced(v, &source)),
            auth: self.auth.map(|v| sourced(v, &source)),
            trust_cert: self.trust_cert.map(|Yes(v)| sourced(v, &source)),
            ca_file: self.ca_file.map(|v| sourced(path(v), &source)),
            timeout: self.timeout.map(|Seconds(v)| sourced(Duration::from_secs(v), &source)),
            jlm_db: self.jlm_db.map(|Text(v)| sourced(Address::relative_to(v, base), &source)),
            // A built-in mapping's name is not a path relative to the config file.
            schema: self.schema.map(|Text(v)| {
                let schema = if BUILTIN.contains(&v.as_str()) { PathBuf::from(v) } else { base.join(v) };
                sourced(schema, &source)
            }),
            marge_base: self.marge_base.map(|v| sourced(v, &source)),
            tolerance: tolerance.map(|v| sourced(v, &source)),
            cibles: cibles.map(|v| sourced(v, &source)),
            relances: relances.map(|v| sourced(v, &source)),
            modele_lettre: modele.map(|v| sourced(v, &source)),
            alertes: self.alertes.map(|doc| sourced(doc.settings(base), &source)),
            origines: self.serve.and_then(|doc| doc.origines).map(|Origines(o)| sourced(o, &source)),
            statuts: sync.statuts.map(|Statuts(s)| sourced(s, &source)),
            sync_webhook: sync.webhook.map(|doc| sourced(doc.settings(base), &source)),
            server: None,
        };
        // Applied last so that `instance` is known whatever the order of the keys.
        if let Some(Text(server)) = self.server {
            layer.set_server(&server, &source)?;
        }
        Ok(layer)
    }
}
