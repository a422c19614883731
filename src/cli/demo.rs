//! `jlm-batigest demo`: the whole tool at work against a sandbox started in-process, with
//! generated data and a temporary store; every command line is shown before its output.

use std::io::Write;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::Path;
use std::process::Command;

use tds_sandbox::{DataSource, Sandbox, SandboxOptions, generate};

use super::context::server_runtime;
use super::values;
use crate::config::Shell;
use crate::error::{Error, Kind, Result};

const EXAMPLES: &str = "\
Exemples :
  jlm-batigest demo
      la visite guidée, puis tout est effacé
  jlm-batigest demo --keep
      laisse le bac à sable tourner après la visite, pour essayer d'autres commandes

Rien n'est écrit hors d'un dossier temporaire : ni configuration, ni trousseau, ni magasin JLM.
Le magasin JLM temporaire contient une table offers (comme JLM ERP) avec une offre à relier.";

/// Visite guidée : un bac à sable Batigest et chaque commande de l'outil, sans rien installer
#[derive(Debug, clap::Args)]
#[command(after_help = EXAMPLES)]
pub struct Args {
    /// Laisse le bac à sable tourner après la visite (Ctrl-C pour l'arrêter)
    #[arg(long)]
    keep: bool,

    /// Nombre de devis générés
    #[arg(long, value_name = "N", default_value_t = 2000, value_parser = values::number)]
    devis: u64,
}

/// The tour: what each step shows, and its arguments after `--profile demo`.
const TOUR: &[(&str, &[&str])] = &[
    ("Tester la connexion (chiffrée, certificat vérifié)", &["test-connection"]),
    ("Les 10 derniers devis", &["devis", "--limit", "10"]),
    ("Coefficients de marge par famille", &["coefficients"]),
    ("Factures en retard au 31/12/2025", &["factures", "--en-retard", "--au", "2025-12-31"]),
    (
        "Indicateurs 2025, mois par mois",
        &["analytics", "--from", "2025-01-01", "--to", "2025-12-31", "--periode", "mensuel"],
    ),
    (
        "Les mêmes par trimestre, en CSV pour Excel, sans les enregistrer",
        &[
            "analytics",
            "--from",
            "2025-01-01",
            "--to",
            "2025-12-31",
            "--periode",
            "trimestriel",
            "--excel",
            "--no-save",
        ],
    ),
    ("Synchroniser un devis vers son offre JLM ERP", &["sync-offer", "--ref", "DEVIS-2025-001"]),
    ("Le synchroniser à nouveau : rien ne change", &["sync-offer", "--ref", "DEVIS-2025-001"]),
    ("Synchroniser les devis engagés depuis le 01/12/2025", &["sync-offer", "--all", "--since", "2025-12-01"]),
    ("Le suivi des intégrations", &["integrations", "--limit", "10"]),
    ("Le tableau de bord au 31/12/2025", &["dashboard", "--au", "2025-12-31"]),
    (
        "Les alertes au 31/12/2025 (code 6 : il y en a de nouvelles ; relancée, la commande ne les redit pas)",
        &["alertes", "--au", "2025-12-31"],
    ),
];

pub fn run(args: &Args, quiet: bool, shell: Shell) -> Result<()> {
    let dir = tempfile::Builder::new()
        .prefix("jlm-batigest-demo-")
        .tempdir()
        .map_err(|e| Error::new(Kind::Unexpected, format!("dossier temporaire impossible : {e}")))?;
    let certificate = dir.path().join("sandbox.pem");
    let mut options = SandboxOptions::new(
        SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
        DataSource::Generate { devis: args.devis, seed: 42, layout: generate::Layout::Default, into: None },
    );
    options.cert_out = Some(certificate.clone());
    let runtime = server_runtime()?;
    let sandbox = runtime.block_on(Sandbox::start(options))?;
    let config = dir.path().join("config.toml");
    let store = dir.path().join("jlm.sqlite");
    write_config(&config, sandbox.local_addr(), &certificate, &store)?;
    write_offers(&store)?;

    let mut out = std::io::stdout().lock();
    let say = |out: &mut dyn Write, text: &str| writeln!(out, "{text}");
    if !quiet {
        let summary = sandbox.generated().map_or_else(String::new, |s| {
            format!(
                " ({} devis, {} factures, {} clients, données au {})",
                s.devis,
                s.factures,
                s.clients,
                generate::REFERENCE_DATE
            )
        });
        say(&mut out, &format!("Bac à sable Batigest démarré sur {}{summary}.", sandbox.local_addr()))?;
        say(&mut out, "Pour rejouer une commande à la main (avec --keep), dans un autre terminal :")?;
        let config = config.display().to_string();
        let vars = [("JLM_BATIGEST_CONFIG", config.as_str()), ("BATIGEST_SQL_PASSWORD", tds_sandbox::DEFAULT_PASSWORD)];
        say(&mut out, &format!("  {}", shell.set_vars(&vars)))?;
    }
    let program =
        std::env::current_exe().map_err(|e| Error::new(Kind::Unexpected, format!("binaire introuvable : {e}")))?;
    for (title, step) in TOUR {
        say(&mut out, &format!("\n── {title}\n$ jlm-batigest --profile demo {}", step.join(" ")))?;
        out.flush()?;
        let status = Command::new(&program)
            .args(["--profile", "demo"])
            .args(*step)
            .env("JLM_BATIGEST_CONFIG", &config)
            .env("BATIGEST_SQL_PASSWORD", tds_sandbox::DEFAULT_PASSWORD)
            .status()
            .map_err(|e| {
                Error::new(Kind::Unexpected, format!("lancement de {} impossible : {e}", program.display()))
            })?;
        // Exit 6 is an answer (alerts found), not a failure of the tour.
        if !status.success() && status.code() != Some(crate::exit_codes::ALERT.into()) {
            let code = status.code().unwrap_or(1);
            return Err(Error::new(Kind::Unexpected, format!("l'étape « {title} » a échoué (code {code})")));
        }
    }
    if args.keep {
        say(
            &mut out,
            &format!("\nLe bac à sable reste disponible sur {} ; Ctrl-C pour l'arrêter.", sandbox.local_addr()),
        )?;
        out.flush()?;
        // If no handler can be installed the demo waits until killed, like a server.
        runtime.block_on(super::stop::requested());
    }
    runtime.block_on(sandbox.shutdown());
    Ok(())
}

/// JLM ERP's `offers` table as the SQLite store mirrors it (text UUID ids, the ERP's columns), so the
/// tour shows a devis landing on its offer.
fn write_offers(store: &Path) -> Result<()> {
    let fail = |e: rusqlite::Error| Error::new(Kind::Unexpected, format!("{} : {e}", store.display()));
    let conn = rusqlite::Connection::open(store).map_err(fail)?;
    conn.execute_batch(
        "CREATE TABLE offers (id TEXT PRIMARY KEY NOT NULL, reference TEXT NOT NULL UNIQUE, client TEXT NOT NULL, \
         location TEXT NOT NULL, menuiserie_type TEXT NOT NULL, montant_estime NUMERIC(12,2), \
         montant_final NUMERIC(12,2), status TEXT DEFAULT 'brouillon', batigest_ref TEXT, created_at TEXT, \
         updated_at TEXT);
         INSERT INTO offers (id, reference, client, location, menuiserie_type, montant_estime, status) VALUES \
         ('5d1c7e2a-8b3f-4a6d-9e0c-1f2a3b4c5d6e', 'DEVIS-2025-001', 'Offre de démonstration', 'Lyon', 'fenetre', \
         4500.00, 'en_cours_chiffrage');",
    )
    .map_err(fail)
}

/// A `demo` profile pointing at the sandbox, its certificate and a temporary store.
fn write_config(path: &Path, addr: SocketAddr, certificate: &Path, store: &Path) -> Result<()> {
    let text = format!(
        "# Profil de la visite guidée : le bac à sable, son certificat, un magasin JLM temporaire.\n\
         [profiles.demo]\nserver = \"{}\"\nport = {}\nuser = \"{}\"\nca_file = {:?}\njlm_db = {:?}\n\n\
         # Coefficients cibles par famille : les familles en dessous sont signalées.\n\
         [profiles.demo.coefficients]\ntolerance = 0.05\ncibles = {{ MENUISERIE_EXT = 1.45, FERMETURES = 1.35 }}\n",
        addr.ip(),
        addr.port(),
        tds_sandbox::DEFAULT_USER,
        certificate.display().to_string(),
        format!("sqlite:{}", store.display()),
    );
    std::fs::write(path, text).map_err(|e| Error::new(Kind::Unexpected, format!("{} : {e}", path.display())))
}
