//! `jlm-batigest logout`: removes the secrets of the active profile from the OS keyring: its SQL
//! password, and the API token and alert secrets kept beside it.

use std::io::Write;

use crate::config::DEFAULT_PROFILE;
use crate::config::Flags;
use crate::credentials::{Extra, Keyring};
use crate::error::Result;

const EXAMPLES: &str = "\
Exemples :
  jlm-batigest logout
      retire le mot de passe du profil « default »
  jlm-batigest --profile production logout

Retire aussi le jeton de l'API (serve), le mot de passe SMTP et la clé du webhook des alertes.
Sans trousseau (Linux sans Secret Service ni session D-Bus), la commande échoue avec le code 2.";

/// Retire du trousseau du système le mot de passe SQL du profil et ses autres secrets
#[derive(Debug, clap::Args)]
#[command(after_help = EXAMPLES)]
pub struct Args {}

/// Works on the profile name alone, without reading the config file: a profile already removed
/// from the file must still be removable from the keyring.
pub fn run(connection: &Flags, quiet: bool) -> Result<()> {
    let profile = connection.profile.as_deref().unwrap_or(DEFAULT_PROFILE);
    let removed = Keyring::delete(profile)?;
    let mut others = Vec::new();
    for extra in Extra::ALL {
        if Keyring::delete(&extra.account(profile))? {
            others.push(extra.what());
        }
    }
    if !quiet {
        let mut stderr = std::io::stderr().lock();
        let message = if removed {
            format!("Mot de passe du profil {profile} retiré du trousseau.")
        } else {
            format!("Aucun mot de passe dans le trousseau pour le profil {profile} : rien à retirer.")
        };
        writeln!(stderr, "{message}")?;
        if !others.is_empty() {
            writeln!(stderr, "Retiré(s) aussi : {}.", others.join(", "))?;
        }
    }
    Ok(())
}
