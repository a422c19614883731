//! `jlm-batigest config show`: every effective setting with its source; the password masked.

use std::io::{BufWriter, Write};

use crate::cli::global::ConnectionArgs;
use crate::config::{Env, Settings, Source, mask_url_password};
use crate::credentials::{Keyring, Stored, stored_password};
use crate::error::{Error, Result};
use crate::model::MargeBase;
use crate::output::format;

const EXAMPLES: &str = "\
Exemples :
  jlm-batigest config show
  jlm-batigest --profile production config show
  BATIGEST_SQL_SERVER='SRV-BATI\\SAGEBAT' jlm-batigest config show
      vérifier qu'une variable d'environnement l'emporte bien sur le profil

Ordre de priorité : option > variable d'environnement > profil > défaut.
Le mot de passe n'est jamais affiché : seule sa source l'est (trousseau ou BATIGEST_SQL_PASSWORD).";

/// Affiche chaque réglage effectif, sa valeur et sa source ; le mot de passe reste masqué
#[derive(Debug, clap::Args)]
#[command(after_help = EXAMPLES)]
pub struct Args {}

pub fn run(connection: &ConnectionArgs, env: &Env) -> Result<()> {
    let settings = Settings::load(connection, env)?;
    let password = stored_password(&settings.profile, env, &Keyring);
    let profile_source = if connection.profile.is_some() { Source::Flag("--profile") } else { Source::Default };
    let mut out = BufWriter::new(std::io::stdout().lock());
    render(&mut out, &settings, &profile_source, &password)
        .and_then(|()| out.flush())
        .map_err(|error| Error::output(&error))
}

const MASK: &str = "********";

fn render(
    out: &mut impl Write,
    settings: &Settings,
    profile_source: &Source,
    password: &Stored,
) -> std::io::Result<()> {
    let state = if settings.config_exists { "présent" } else { "absent : valeurs par défaut" };
    writeln!(out, "Fichier de configuration : {} ({state})", settings.config_path.display())?;
    writeln!(out, "Profil : {} ({profile_source})", settings.profile)?;
    writeln!(out)?;

    let or = |value: Option<String>, none: &str| value.unwrap_or_else(|| none.to_owned());
    let path = |value: &Option<std::path::PathBuf>| value.as_ref().map(|path| path.display().to_string());
    let (password_value, password_source) = match password {
        Stored::Found(found) => (MASK.to_owned(), found.source.to_string()),
        Stored::Missing { .. } => ("non défini".to_owned(), "—".to_owned()),
    };
    let rows = [
        ("Serveur", settings.server.value.clone(), settings.server.source.to_string()),
        ("Instance", or(settings.instance.value.clone(), "aucune"), settings.instance.source.to_string()),
        ("Port", settings.port.value.to_string(), settings.port.source.to_string()),
        ("Base Batigest", settings.database.value.clone(), settings.database.source.to_string()),
        ("Utilisateur", or(settings.user.value.clone(), "non défini"), settings.user.source.to_string()),
        ("Authentification", settings.auth.value.as_str().to_owned(), settings.auth.source.to_string()),
        ("Chiffrement", settings.encrypt.value.as_str().to_owned(), settings.encrypt.source.to_string()),
        (
            "Certificat non vérifié",
            format::yes_no(settings.trust_cert.value).to_owned(),
            settings.trust_cert.source.to_string(),
        ),
        ("Autorité de certification", or(path(&settings.ca_file.value), "aucune"), settings.ca_file.source.to_string()),
        ("Délai", format!("{} s", settings.timeout.value.as_secs()), settings.timeout.source.to_string()),
        (
            "Base JLM",
            or(settings.jlm_db.value.as_deref().map(mask_url_password), "SQLite embarquée"),
            settings.jlm_db.source.to_string(),
        ),
        ("Correspondance du schéma", or(path(&settings.schema.value), "intégrée"), settings.schema.source.to_string()),
        (
            "Base de la marge",
            match settings.marge_base.value {
                MargeBase::Cout => "coût (taux sur le coût prévu)",
                MargeBase::Vente => "vente (taux sur le prix de vente)",
            }
            .to_owned(),
            settings.marge_base.source.to_string(),
        ),
        (
            "Tolérance des coefficients",
            format::decimal_fr(settings.tolerance.value, 4),
            settings.tolerance.source.to_string(),
        ),
        (
            "Coefficients cibles",
            if settings.cibles.value.is_empty() {
                "aucun".to_owned()
            } else {
                let cibles: Vec<String> = settings
                    .cibles
                    .value
                    .iter()
                    .map(|(code, cible)| format!("{code} {}", format::decimal_fr(*cible, 4)))
                    .collect();
                cibles.join(", ")
            },
            settings.cibles.source.to_string(),
        ),
        ("Mot de passe", password_value, password_source),
    ];

    let label_width = rows.iter().map(|row| row.0.chars().count()).max().unwrap_or(0).max("Réglage".len());
    let value_width = rows.iter().map(|row| row.1.chars().count()).max().unwrap_or(0).max("Valeur".len());
    writeln!(out, "{:<label_width$}  {:<value_width$}  Source", "Réglage", "Valeur")?;
    for (label, value, source) in &rows {
        writeln!(out, "{label:<label_width$}  {value:<value_width$}  {source}")?;
    }
    if let Stored::Missing { keyring: Some(problem) } = password {
        writeln!(out)?;
        writeln!(out, "Trousseau : {problem}")?;
    }
    Ok(())
}
