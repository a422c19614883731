//! `jlm-batigest sandbox`: the built-in Batigest stand-in, served over real TDS.

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use tds_sandbox::types::Collation;
use tds_sandbox::{DataSource, Sandbox, SandboxOptions, TlsMode, generate};

use super::context::server_runtime;
use super::stop;
use super::values;
use crate::config::Flags as ConnectionArgs;
use crate::error::{Error, Result};

const EXAMPLES: &str = "\
Exemples :
  jlm-batigest sandbox
      1 000 devis générés, en mémoire, sur 127.0.0.1:14330
  jlm-batigest sandbox --generate 1000000 --db batigest.sqlite
      génère un million de devis dans un fichier, puis le sert
  jlm-batigest sandbox --layout batigest
      les mêmes données dans la disposition d'une vraie base Batigest (base BTG_DOS_DEMO)
  jlm-batigest sandbox --db fixture.sqlite --listen 127.0.0.1:0 --cert-out sandbox.pem
  tsql -H 127.0.0.1 -p 14330 -U sa -P 'Sandbox!2024' -D BATIGEST_CONNECT
      interroger le bac à sable avec FreeTDS

Les identifiants sa / Sandbox!2024 sont des identifiants de test, à n'utiliser qu'ici.";

/// Default dataset when neither `--db` nor `--generate` says otherwise.
const DEFAULT_DEVIS: u64 = 1000;

/// Lance le bac à sable Batigest : un SQL Server de test (protocole TDS réel) servi depuis SQLite
#[derive(Debug, clap::Args)]
#[command(after_help = EXAMPLES)]
pub struct Args {
    /// Adresse d'écoute TCP (port 0 : un port libre, annoncé au démarrage)
    #[arg(long, value_name = "HÔTE:PORT", default_value = "127.0.0.1:14330")]
    listen: SocketAddr,

    /// Fichier SQLite à servir ; avec --generate, créé et rempli s'il n'existe pas
    #[arg(long, value_name = "FICHIER")]
    db: Option<PathBuf>,

    /// Génère un jeu de données de N devis (1 000 si ni --db ni --generate)
    #[arg(long, value_name = "N", value_parser = values::number)]
    generate: Option<u64>,

    /// Graine du générateur : la même graine donne les mêmes données
    #[arg(long, value_name = "GRAINE", default_value_t = 42, value_parser = values::number)]
    seed: u64,

    /// Disposition des tables générées ; batigest sert la base BTG_DOS_DEMO sauf --database
    #[arg(long, value_enum, value_name = "DISPOSITION", default_value = "defaut")]
    layout: LayoutArg,

    /// Mot de passe SQL accepté (identifiant de test, jamais un vrai secret)
    #[arg(long, value_name = "MOT_DE_PASSE", default_value = tds_sandbox::DEFAULT_PASSWORD)]
    password: String,

    /// Compte Windows accepté par NTLMv2 (connexions --auth windows, tsql -U 'DOMAINE\\utilisateur')
    #[arg(long, value_name = "DOMAINE\\UTILISATEUR", requires = "windows_password")]
    windows_user: Option<String>,

    /// Mot de passe du compte Windows (de test) ; JLM_SANDBOX_WINDOWS_PASSWORD le garde hors de la liste des processus
    #[arg(long, value_name = "MOT_DE_PASSE", env = "JLM_SANDBOX_WINDOWS_PASSWORD", hide_env_values = true)]
    windows_password: Option<String>,

    /// Chiffrement : auto suit la demande du client, comme SQL Server
    #[arg(long, value_enum, value_name = "MODE", default_value = "auto")]
    tls: TlsArg,

    /// Certificat PEM du serveur (sinon un certificat auto-signé est généré au démarrage)
    #[arg(long, value_name = "FICHIER", requires = "key")]
    cert: Option<PathBuf>,

    /// Clé privée PEM du certificat
    #[arg(long, value_name = "FICHIER", requires = "cert")]
    key: Option<PathBuf>,

    /// Écrit le certificat du serveur en PEM, pour qu'un client puisse le vérifier
    #[arg(long, value_name = "FICHIER")]
    cert_out: Option<PathBuf>,

    /// Répond au service SQL Server Browser (UDP) sur ce port, pour l'instance --instance
    #[arg(long, value_name = "PORT", value_parser = values::port)]
    browser_port: Option<u16>,

    /// Nom de l'instance annoncée par le service Browser
    #[arg(long, value_name = "NOM", default_value = tds_sandbox::DEFAULT_INSTANCE)]
    instance: String,

    /// Collation de la base : comparaisons, regroupements et tris de texte (espaces finaux ignorés, accents distingués)
    #[arg(long, value_enum, value_name = "COLLATION", default_value = "French_CI_AS", ignore_case = true)]
    collation: CollationArg,

    /// Panne simulée : attend N millisecondes avant chaque réponse
    #[arg(long, value_name = "MS", default_value_t = 0, value_parser = values::number)]
    latency_ms: u64,

    /// Panne simulée : coupe la connexion après N lignes d'un résultat
    #[arg(long, value_name = "N", value_parser = values::number)]
    drop_after_rows: Option<u64>,

    /// Panne simulée : refuse toutes les connexions (serveur en pause)
    #[arg(long)]
    refuse_logins: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum LayoutArg {
    /// celle de l'intégration d'origine (DEVIS, FACTURES, CLIENTS… liées par identifiant)
    Defaut,
    /// celle des vraies bases Batigest (Devis, ElementDef, FamilleArticle… liées par code, états entiers)
    Batigest,
}

impl From<LayoutArg> for generate::Layout {
    fn from(arg: LayoutArg) -> Self {
        match arg {
            LayoutArg::Defaut => generate::Layout::Default,
            LayoutArg::Batigest => generate::Layout::Batigest,
        }
    }
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum CollationArg {
    /// celle des dossiers Batigest français : majuscules et minuscules confondues
    #[value(name = "French_CI_AS")]
    FrenchCiAs,
    /// majuscules et minuscules distinguées
    #[value(name = "French_CS_AS")]
    FrenchCsAs,
}

impl From<CollationArg> for Collation {
    fn from(arg: CollationArg) -> Self {
        match arg {
            CollationArg::FrenchCiAs => Collation::FrenchCiAs,
            CollationArg::FrenchCsAs => Collation::FrenchCsAs,
        }
    }
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum TlsArg {
    /// comme SQL Server : chiffre au moins la connexion, tout si le client le demande
    Auto,
    /// aucun chiffrement
    Off,
    /// seul le paquet de connexion est chiffré
    LoginOnly,
    /// tout est chiffré (« force encryption »)
    Required,
    /// TDS 8.0 strict : TLS dès le premier octet (ALPN tds/8.0), comme SQL Server 2022 en Encrypt=Strict
    Strict,
}

impl From<TlsArg> for TlsMode {
    fn from(arg: TlsArg) -> Self {
        match arg {
            TlsArg::Auto => TlsMode::Auto,
            TlsArg::Off => TlsMode::Off,
            TlsArg::LoginOnly => TlsMode::LoginOnly,
            TlsArg::Required => TlsMode::Required,
            TlsArg::Strict => TlsMode::Strict,
        }
    }
}

impl Args {
    fn data_source(&self) -> Result<DataSource> {
        match (&self.db, self.generate) {
            (Some(path), Some(_)) if path.exists() => Err(Error::usage(format!(
                "{} existe déjà : --generate ne remplit qu'un fichier nouveau",
                path.display()
            ))
            .with_hint("supprimez le fichier, ou servez-le tel quel sans --generate")),
            (Some(path), None) if !path.is_file() => {
                Err(Error::usage(format!("fichier SQLite introuvable : {}", path.display()))
                    .with_hint("ajoutez --generate N pour le créer avec un jeu de données"))
            }
            (Some(_), None) if self.layout != LayoutArg::Defaut => {
                Err(Error::usage("--layout ne s'applique qu'aux données générées : un fichier --db est servi tel quel")
                    .with_hint("ajoutez --generate N pour créer le fichier dans cette disposition"))
            }
            (Some(path), None) => Ok(DataSource::File(path.clone())),
            (into, devis) => Ok(DataSource::Generate {
                devis: devis.unwrap_or(DEFAULT_DEVIS),
                seed: self.seed,
                layout: self.layout.into(),
                into: into.clone(),
            }),
        }
    }

    /// The served database and user come from the global `--database` and `--user`, so the same
    /// flags describe both ends; environment and profiles are for clients and do not apply here.
    fn options(&self, global: &ConnectionArgs) -> Result<SandboxOptions> {
        let mut options = SandboxOptions::new(self.listen, self.data_source()?);
        if self.layout == LayoutArg::Batigest {
            tds_sandbox::BATIGEST_DATABASE.clone_into(&mut options.database);
        }
        if let Some(database) = &global.database {
            options.database.clone_from(database);
        }
        if let Some(user) = &global.user {
            options.user.clone_from(user);
        }
        options.password.clone_from(&self.password);
        options.tls = self.tls.into();
        options.cert = self.cert.clone().zip(self.key.clone());
        options.cert_out.clone_from(&self.cert_out);
        options.browser_port = self.browser_port;
        options.instance.clone_from(&self.instance);
        options.latency = Duration::from_millis(self.latency_ms);
        options.drop_after_rows = self.drop_after_rows;
        options.refuse_logins = self.refuse_logins;
        options.collation = self.collation.into();
        if let (Some(user), Some(password)) = (&self.windows_user, &self.windows_password) {
            options.windows =
                Some(tds_sandbox::protocol::ntlm::Account::parse(user, password.clone()).ok_or_else(|| {
                    Error::usage(format!("--windows-user « {user} » : écrivez DOMAINE\\utilisateur (ex. JLM\\compta)"))
                })?);
        }
        Ok(options)
    }
}

pub fn run(args: &Args, global: &ConnectionArgs, quiet: bool) -> Result<()> {
    let options = args.options(global)?;
    let runtime = server_runtime()?;
    let options_for_display = options.clone();
    runtime.block_on(async {
        // Listening before the `listening on` line: a script may stop the sandbox as soon as it reads it.
        let stop = stop::listen();
        let sandbox = Sandbox::start(options).await?;
        let addr = sandbox.local_addr();
        {
            // The one line scripts and tests wait for; nothing else goes to stdout.
            let mut stdout = std::io::stdout().lock();
            writeln!(stdout, "listening on {addr}").and_then(|()| stdout.flush())?;
        }
        if !quiet {
            announce(args, &options_for_display, &sandbox);
        }
        stop.requested().await;
        sandbox.shutdown().await;
        Ok(())
    })
}

fn announce(args: &Args, options: &SandboxOptions, sandbox: &Sandbox) {
    let addr = sandbox.local_addr();
    let password =
        if args.password == tds_sandbox::DEFAULT_PASSWORD { args.password.as_str() } else { "<votre mot de passe>" };
    let mut stderr = std::io::stderr().lock();
    let _ = writeln!(
        stderr,
        "Bac à sable Batigest prêt : base {}, utilisateur {} (identifiants de test).\n\
         Essai : tsql -H {} -p {} -U {} -P '{password}' -D {}\n\
         Ctrl-C pour arrêter.",
        options.database,
        options.user,
        addr.ip(),
        addr.port(),
        options.user,
        options.database,
    );
    if let Some(summary) = sandbox.generated() {
        let _ = writeln!(
            stderr,
            "Données générées : {} devis, {} factures, {} clients, {} ouvrages ; devis du {} au {}, instantané au {}.",
            summary.devis,
            summary.factures,
            summary.clients,
            summary.ouvrages,
            generate::FIRST_DATE,
            generate::REFERENCE_DATE,
            generate::REFERENCE_DATE,
        );
    }
    if let Some(browser) = sandbox.browser_addr() {
        let _ = writeln!(stderr, "Service SQL Server Browser : UDP {browser}, instance {}.", args.instance);
    }
}

#[cfg(test)]
mod tests {
    use tds_sandbox::generate::{self, Layout};

    #[test]
    fn generating_no_devis_makes_no_invoices() {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        let summary = generate::generate(&conn, 0, 42, Layout::Default).unwrap();
        assert_eq!((summary.devis, summary.factures), (0, 0));
        let count = |table: &str| -> i64 {
            conn.query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |row| row.get(0)).unwrap()
        };
        assert_eq!((count("DEVIS"), count("FACTURES")), (0, 0));
    }
}
