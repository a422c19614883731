//! `jlm-batigest config show`: every effective setting with its source; the password masked.

use crate::cli::context::Context;
use std::io::{BufWriter, Write};

use crate::batigest::connection::Auth;
use crate::cli::context::Render;
use crate::config::{Env, Settings, Source};
use crate::credentials::{Keyring, Stored, stored_password};
use crate::error::Result;
use crate::jlm::address::mask_url_password;
use crate::model::MargeBase;
use crate::output::{self, Cell, Column, Format, Kind, Style, format};

const EXAMPLES: &str = "\
Exemples :
  jlm-batigest config show
  jlm-batigest --profile production config show
  BATIGEST_SQL_SERVER='SRV-BATI\\SAGEBAT' jlm-batigest config show
      vérifier qu'une variable d'environnement l'emporte bien sur le profil
  jlm-batigest config show --format json -o reglages.json
      les mêmes réglages pour un script (clés reglage, libelle, valeur, source)

Ordre de priorité : option > variable d'environnement > profil > défaut.
Le mot de passe n'est jamais affiché : seule sa source l'est (trousseau ou BATIGEST_SQL_PASSWORD).";

/// Affiche chaque réglage effectif, sa valeur et sa source ; le mot de passe reste masqué
#[derive(Debug, clap::Args)]
#[command(after_help = EXAMPLES)]
pub struct Args {}

pub fn run(ctx: &Context) -> Result<()> {
    let env = &ctx.env;
    let settings = ctx.settings()?;
    let password = stored_password(&settings.profile, env, &Keyring);
    let profile_source = if ctx.flags.profile.is_some() { Source::Flag("--profile") } else { Source::Default };
    let render = &ctx.render;
    let rows = rows(settings, env, &profile_source, &password);
    let mut destination = render.destination()?;
    let written = if render.options.format == Format::Table {
        let mut out = BufWriter::new(&mut destination);
        let width = render.options.terminal_width.map(usize::from);
        text(&mut out, &rows, &password, width).and_then(|()| out.flush())
    } else {
        records(render.options, &mut destination, &rows)
    };
    written?;
    Render::commit(destination)
}

/// One setting: a stable key for scripts, its French label, its value and where it came from.
struct Row {
    key: &'static str,
    label: &'static str,
    value: String,
    source: String,
}

const COLUMNS: [Column; 4] = [
    Column { key: "reglage", header: "Clé", kind: Kind::Text },
    Column { key: "libelle", header: "Réglage", kind: Kind::Text },
    Column { key: "valeur", header: "Valeur", kind: Kind::Text },
    Column { key: "source", header: "Source", kind: Kind::Text },
];

/// CSV, JSON or NDJSON: one record per setting, the file and the profile first.
fn records(options: output::Options, out: &mut impl Write, rows: &[Row]) -> std::io::Result<()> {
    let mut sink = output::sink(options, "reglages", out);
    sink.begin(&COLUMNS)?;
    for row in rows {
        let cells: [Cell; 4] = [row.key.into(), row.label.into(), row.value.clone().into(), row.source.clone().into()];
        sink.row(&cells, Style::default())?;
    }
    sink.finish()
}
const MASK: &str = "********";

fn rows(settings: &Settings, env: &Env, profile_source: &Source, password: &Stored) -> Vec<Row> {
    let or = |value: Option<String>, none: &str| value.unwrap_or_else(|| none.to_owned());
    let path = |value: &Option<std::path::PathBuf>| value.as_ref().map(|path| path.display().to_string());
    let (password_value, password_source) = match password {
        // The logged-on Windows session logs in without one.
        _ if settings.auth.value == Auth::Integrated => ("aucun : session Windows".to_owned(), "—".to_owned()),
        Stored::Found(found) => (MASK.to_owned(), found.source.to_string()),
        Stored::Missing { .. } => ("non défini".to_owned(), "—".to_owned()),
    };
    let embedded = match &env.default_store {
        Some(store) => format!("SQLite embarquée ({})", store.display()),
        None => "SQLite embarquée (aucun dossier de données : --jlm-db obligatoire)".to_owned(),
    };
    let config_state = if settings.config_exists { "présent" } else { "absent : valeurs par défaut" };
    let mut rows = vec![
        Row {
            key: "fichier_configuration",
            label: "Fichier de configuration",
            value: settings.config_path.display().to_string(),
            source: config_state.to_owned(),
        },
        Row { key: "profil", label: "Profil", value: settings.profile.clone(), source: profile_source.to_string() },
    ];
    let settings_rows = [
        ("serveur", "Serveur", settings.server.value.clone(), settings.server.source.to_string()),
        ("instance", "Instance", or(settings.instance.value.clone(), "aucune"), settings.instance.source.to_string()),
        ("port", "Port", settings.port.value.to_string(), settings.port.source.to_string()),
        ("base", "Base Batigest", settings.database.value.clone(), settings.database.source.to_string()),
        ("utilisateur", "Utilisateur", or(settings.user.value.clone(), "non défini"), settings.user.source.to_string()),
        (
            "authentification",
            "Authentification",
            settings.auth.value.as_str().to_owned(),
            settings.auth.source.to_string(),
        ),
        ("chiffrement", "Chiffrement", settings.encrypt.value.as_str().to_owned(), settings.encrypt.source.to_string()),
        (
            "certificat_non_verifie",
            "Certificat non vérifié",
            format::yes_no(settings.trust_cert.value).to_owned(),
            settings.trust_cert.source.to_string(),
        ),
        (
            "autorite_certification",
            "Autorité de certification",
            or(path(&settings.ca_file.value), "aucune"),
            settings.ca_file.source.to_string(),
        ),
        ("delai", "Délai", format!("{} s", settings.timeout.value.as_secs()), settings.timeout.source.to_string()),
        (
            "base_jlm",
            "Base JLM",
            settings.jlm_db.value.as_deref().map_or(embedded, mask_url_password),
            settings.jlm_db.source.to_string(),
        ),
        (
            "correspondance_schema",
            "Correspondance du schéma",
            or(path(&settings.schema.value), "intégrée"),
            settings.schema.source.to_string(),
        ),
        (
            "base_marge",
            "Base de la marge",
            match settings.marge_base.value {
                MargeBase::Cout => "coût (taux sur le coût prévu)",
                MargeBase::Vente => "vente (taux sur le prix de vente)",
            }
            .to_owned(),
            settings.marge_base.source.to_string(),
        ),
        (
            "tolerance_coefficients",
            "Tolérance des coefficients",
            format::decimal_fr(settings.tolerance.value, 4),
            settings.tolerance.source.to_string(),
        ),
        (
            "coefficients_cibles",
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
        (
            "sync_statuts",
            "Statuts vers JLM ERP",
            if settings.statuts.value.is_empty() {
                "aucun (statuts des offres inchangés)".to_owned()
            } else {
                let statuts: Vec<String> =
                    settings.statuts.value.iter().map(|(batigest, offre)| format!("{batigest} → {offre}")).collect();
                statuts.join(", ")
            },
            settings.statuts.source.to_string(),
        ),
        (
            "sync_webhook",
            "Webhook de synchronisation",
            settings.sync_webhook.value.as_ref().map_or_else(|| "aucun".to_owned(), webhook),
            settings.sync_webhook.source.to_string(),
        ),
        ("relances", "Relances", relances(&settings.relances.value), settings.relances.source.to_string()),
        (
            "modele_lettre",
            "Modèle de lettre",
            settings
                .modele_lettre
                .value
                .as_ref()
                .map_or_else(|| "intégré".to_owned(), |path| path.display().to_string()),
            settings.modele_lettre.source.to_string(),
        ),
        ("alertes", "Alertes", alertes(&settings.alertes.value), settings.alertes.source.to_string()),
        (
            "alertes_email",
            "Alertes par e-mail",
            settings.alertes.value.email.as_ref().map_or_else(|| "aucun".to_owned(), email),
            settings.alertes.source.to_string(),
        ),
        (
            "alertes_webhook",
            "Alertes par webhook",
            settings.alertes.value.webhook.as_ref().map_or_else(|| "aucun".to_owned(), webhook),
            settings.alertes.source.to_string(),
        ),
        (
            "serve_origines",
            "Origines web de l'API",
            if settings.origines.value.is_empty() { "aucune".to_owned() } else { settings.origines.value.join(", ") },
            settings.origines.source.to_string(),
        ),
        ("mot_de_passe", "Mot de passe", password_value, password_source),
    ];
    rows.extend(settings_rows.into_iter().map(|(key, label, value, source)| Row { key, label, value, source }));
    if let Stored::Missing { keyring: Some(problem) } = password {
        rows.push(Row { key: "trousseau", label: "Trousseau", value: problem.to_string(), source: "—".to_owned() });
    }
    rows
}

/// For people: the file and the profile on their own lines, then the settings in aligned columns.
/// On a terminal narrower than that, long values wrap within their column (every other table fits
/// the terminal too).
fn text(out: &mut impl Write, rows: &[Row], password: &Stored, width: Option<usize>) -> std::io::Result<()> {
    let (head, settings) = rows.split_at(2);
    let lines = |text: String| wrap(&text, width.unwrap_or(usize::MAX), "  ");
    for line in lines(format!("Fichier de configuration : {} ({})", head[0].value, head[0].source)) {
        writeln!(out, "{line}")?;
    }
    for line in lines(format!("Profil : {} ({})", head[1].value, head[1].source)) {
        writeln!(out, "{line}")?;
    }
    writeln!(out)?;
    let settings: Vec<&Row> = settings.iter().filter(|row| row.key != "trousseau").collect();
    let label_width =
        settings.iter().map(|row| row.label.chars().count()).max().unwrap_or(0).max("Réglage".chars().count());
    let source_width = settings.iter().map(|row| row.source.chars().count()).max().unwrap_or(0);
    let natural = settings.iter().map(|row| row.value.chars().count()).max().unwrap_or(0).max("Valeur".len());
    // What is left for the values between the labels and the sources; never so little that a
    // value is cut into crumbs.
    let value_width = match width {
        Some(width) => natural.min(width.saturating_sub(label_width + source_width + 4).max(MIN_VALUE_WIDTH)),
        None => natural,
    };
    writeln!(out, "{:<label_width$}  {:<value_width$}  Source", "Réglage", "Valeur")?;
    for row in settings {
        let values = wrap(&row.value, value_width, "");
        for (index, value) in values.iter().enumerate() {
            let (label, source) = if index == 0 { (row.label, row.source.as_str()) } else { ("", "") };
            writeln!(out, "{}", format!("{label:<label_width$}  {value:<value_width$}  {source}").trim_end())?;
        }
    }
    if let Stored::Missing { keyring: Some(problem) } = password {
        writeln!(out)?;
        for line in lines(format!("Trousseau : {problem}")) {
            writeln!(out, "{line}")?;
        }
    }
    Ok(())
}

/// The narrowest a wrapped value column gets.
const MIN_VALUE_WIDTH: usize = 16;

/// `text` in lines of at most `width` characters, broken at spaces, a longer word (a path) cut
/// where it must; lines after the first start with `indent`.
fn wrap(text: &str, width: usize, indent: &str) -> Vec<String> {
    let mut lines = vec![String::new()];
    for word in text.split(' ') {
        let line = lines.last_mut().expect("one line at least");
        let used = line.chars().count();
        if used > 0 && used + 1 + word.chars().count() <= width {
            line.push(' ');
            line.push_str(word);
            continue;
        }
        if used > 0 {
            lines.push(indent.to_owned());
        }
        let mut rest: Vec<char> = word.chars().collect();
        loop {
            let line = lines.last_mut().expect("one line at least");
            let room = width.saturating_sub(line.chars().count()).max(1);
            if rest.len() <= room {
                line.extend(rest);
                break;
            }
            line.extend(rest.drain(..room));
            lines.push(indent.to_owned());
        }
    }
    lines
}

/// The reminder settings on one line: thresholds, penalty rate, professional customers.
fn relances(regles: &crate::report::relances::Regles) -> String {
    use crate::report::relances::Professionnels;
    let [a, b, c] = regles.seuils;
    let taux = regles.taux_penalites.map_or_else(
        || "pénalités : aucun taux".to_owned(),
        |taux| format!("pénalités {} %/an", format::decimal_fr(taux, 2)),
    );
    let pros = match &regles.professionnels {
        Professionnels::Tous => "tous professionnels".to_owned(),
        Professionnels::Liste(codes) if codes.is_empty() => "aucun professionnel".to_owned(),
        Professionnels::Liste(codes) => format!("professionnels {}", codes.join(", ")),
    };
    format!("seuils {a}/{b}/{c} j, {taux}, {pros}")
}

/// The alert rules on one line.
fn alertes(settings: &crate::config::AlertesSettings) -> String {
    let periode = match settings.regles.periode_marge {
        crate::report::kpi::Granularity::Quarter => "du dernier trimestre clos",
        _ => "du dernier mois clos",
    };
    format!("dérive de marge {periode} au-delà de {} points", format::decimal_fr(settings.regles.ecart_marge_points, 2))
}

/// The e-mail channel: server, security, sender and recipients (the password stays in the keyring).
fn email(email: &crate::config::EmailSettings) -> String {
    let securite = match email.securite {
        crate::config::Securite::Starttls => "STARTTLS",
        crate::config::Securite::Tls => "TLS",
    };
    let user =
        email.utilisateur.as_deref().map_or_else(|| "sans authentification".to_owned(), |u| format!("utilisateur {u}"));
    let to: Vec<String> = email.a.iter().map(ToString::to_string).collect();
    format!("{}:{} ({securite}, {user}), de {} à {}", email.serveur, email.port, email.de, to.join(", "))
}

/// The webhook: its URL without the query (which may hold a key), signed or not.
fn webhook(webhook: &crate::config::WebhookSettings) -> String {
    let url = webhook.url.split(['?', '#']).next().unwrap_or_default();
    format!("{url}{}", if webhook.signer { " (signé HMAC-SHA256)" } else { "" })
}

#[cfg(test)]
mod tests {
    use super::wrap;

    #[test]
    fn values_wrap_at_spaces_and_long_words_are_cut() {
        assert_eq!(
            wrap("seuils 1/15/30 j, pénalités : aucun taux", 16, ""),
            ["seuils 1/15/30", "j, pénalités :", "aucun taux"]
        );
        assert_eq!(
            wrap("/home/compta/.local/share/x.sqlite", 12, "  "),
            ["/home/compta", "  /.local/sh", "  are/x.sqli", "  te"]
        );
        assert_eq!(wrap("court", usize::MAX, ""), ["court"]);
    }
}
