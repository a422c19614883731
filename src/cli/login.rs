//! `jlm-batigest login`: stores the password of the active profile's SQL or Windows account in the OS keyring.

use std::io::Write;

use super::context::{Context, block_on, check_auth, target};
use crate::batigest::connection::{self, Auth, Target};
use crate::credentials::{self, Keyring, Secret};
use crate::error::{Error, Result};

const EXAMPLES: &str = "\
Exemples :
  jlm-batigest login
      demande le mot de passe SQL du profil « default » (sans écho) et l'enregistre
  jlm-batigest --auth windows --user 'JLM\\compta' login
      le mot de passe d'un compte Windows (NTLM), essayé par une connexion Windows
  jlm-batigest --profile production login
  printf '%s\\n' \"$MOT_DE_PASSE\" | jlm-batigest login --password-stdin
      depuis un script ou un gestionnaire de secrets (une ligne sur l'entrée standard)
  jlm-batigest login --no-check
      hors ligne : enregistre sans essayer le mot de passe sur le serveur

Le mot de passe est d'abord essayé sur le serveur du profil (connexion et authentification, comme
test-connection) : un mot de passe refusé n'est pas enregistré (code 3).

Le mot de passe va dans le trousseau du système : Secret Service sous Linux, Trousseau (Keychain)
sous macOS, Gestionnaire d'identification sous Windows ; service « jlm-batigest », compte = nom du
profil. Le profil doit exister dans le fichier de configuration (sauf « default »).
Sans trousseau (Linux sans Secret Service ni session D-Bus), la commande échoue avec le code 2 :
donnez alors le mot de passe par la variable BATIGEST_SQL_PASSWORD.";

/// Enregistre le mot de passe (compte SQL ou Windows) du profil dans le trousseau du système
#[derive(Debug, clap::Args)]
#[command(after_help = EXAMPLES)]
pub struct Args {
    /// Enregistre sans essayer le mot de passe sur le serveur (hors ligne)
    #[arg(long)]
    no_check: bool,
}

pub fn run(args: &Args, ctx: &Context) -> Result<()> {
    let (connection, quiet) = (ctx.flags, ctx.cli.quiet);
    // Resolving the settings refuses an unknown profile: a typo must not store a password nobody reads.
    let settings = ctx.settings()?;
    if settings.auth.value != Auth::Sql {
        check_auth(&target(settings)?, settings)?;
    }
    let prompt = match settings.auth.value {
        Auth::Sql => format!("Mot de passe SQL du profil {} : ", settings.profile),
        Auth::Windows => format!("Mot de passe Windows de {} (profil {}) : ", settings.user()?, settings.profile),
        Auth::Integrated => {
            return Err(Error::usage(
                "--auth integrated : la session Windows ouverte n'a pas de mot de passe à enregistrer",
            )
            .with_hint(
                "login sert aux comptes SQL (--auth sql) et Windows (--auth windows --user 'DOMAINE\\utilisateur')",
            ));
        }
    };
    let secret = credentials::read_new_secret(&prompt, connection.password_stdin)?;
    if !args.no_check {
        check(&target(settings)?, &secret)?;
    }
    Keyring::store(&settings.profile, &secret)?;
    if !quiet {
        let mut stderr = std::io::stderr().lock();
        writeln!(stderr, "Mot de passe enregistré dans le trousseau pour le profil {}.", settings.profile)?;
    }
    Ok(())
}

/// Logs in to the profile's server with `secret`: a password the server refuses is not worth
/// storing, and a typo found now is not found by the next night's export.
fn check(target: &Target, secret: &Secret) -> Result<()> {
    block_on(async {
        connection::connect(target, secret.expose()).await.map(drop).map_err(|failure| {
            let mut error = Error::from(failure);
            error.message = format!("mot de passe non enregistré : {}", error.message);
            error.hint = Some(match error.hint.take() {
                Some(hint) => format!("{hint} ; hors ligne, --no-check enregistre sans vérifier"),
                None => "hors ligne, --no-check enregistre sans vérifier".to_owned(),
            });
            error
        })
    })
}
