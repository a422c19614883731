//! `serve`: the command that starts the REST face (`crate::api`) — its options, its token, and
//! its life as a Windows service. Listens on 127.0.0.1:8787 unless told otherwise; every `/api`
//! route needs `Authorization: Bearer <jeton>`.

mod service;

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use super::context::{Context, resolve, server_runtime};
use super::values;
use crate::api;
use crate::app::watch::Hook;
use crate::config::API_TOKEN_VAR as TOKEN_VAR;
use crate::credentials::{Extra, Keyring};
use crate::error::{Error, Kind, Result};
use crate::secret::Secret;

const EXAMPLES: &str = "\
Exemples :
  jlm-batigest serve --set-token
      crée un jeton d'accès, le garde dans le trousseau et l'affiche une fois
  jlm-batigest serve
      sert l'API sur http://127.0.0.1:8787 (jeton : trousseau ou JLM_BATIGEST_API_TOKEN)
  jlm-batigest serve --sync-interval 60s
      sert l'API et garde JLM ERP à jour : ce qui change dans Batigest y passe chaque minute
  jlm-batigest serve --listen 0.0.0.0:8787 --cert api.pem --key api-key.pem
      sert l'API en HTTPS pour le réseau local
  jlm-batigest serve --install-service --service-account '.\\compta'
      Windows (administrateur) : installe le service JLMBatigest, puis Start-Service JLMBatigest";

/// Sert l'API REST de l'intégration d'origine (/api/batigest/…) pour les écrans de JLM ERP
#[derive(Debug, clap::Args)]
#[command(after_help = EXAMPLES)]
#[allow(clippy::struct_excessive_bools, reason = "command-line switches")]
pub struct Args {
    /// Adresse d'écoute ; hors de la boucle locale, HTTPS (--cert, --key) ou --insecure-http est exigé
    #[arg(long, value_name = "HÔTE:PORT", default_value = "127.0.0.1:8787")]
    listen: SocketAddr,

    /// Certificat PEM du serveur (HTTPS)
    #[arg(long, value_name = "FICHIER", requires = "key")]
    cert: Option<PathBuf>,

    /// Clé privée PEM du certificat
    #[arg(long, value_name = "FICHIER", requires = "cert")]
    key: Option<PathBuf>,

    /// Accepte d'écouter en HTTP clair hors de la boucle locale (le jeton circule alors en clair)
    #[arg(long, conflicts_with = "cert")]
    insecure_http: bool,

    /// Requêtes traitées en même temps au plus ; au-delà : 429
    #[arg(long, value_name = "N", default_value = "64", value_parser = values::positive)]
    max_requests: u64,

    /// Secondes laissées à un client pour envoyer l'en-tête entier d'une requête (depuis sa
    /// connexion, ou depuis son premier octet sur une connexion gardée) ; au-delà, elle est fermée
    #[arg(long, value_name = "SECONDES", default_value = "10", value_parser = values::positive)]
    header_timeout: u64,

    /// Secondes qu'une connexion gardée peut rester muette entre deux requêtes ; au-delà, elle est fermée
    #[arg(long, value_name = "SECONDES", default_value = "60", value_parser = values::positive)]
    idle_timeout: u64,

    /// Crée un jeton d'accès, le garde dans le trousseau et l'affiche une fois, puis s'arrête
    #[arg(long, conflicts_with_all = ["token_stdin", "cert", "insecure_http"])]
    set_token: bool,

    /// Lit le jeton d'accès sur l'entrée standard, le garde dans le trousseau, puis s'arrête
    #[arg(long, conflicts_with_all = ["cert", "insecure_http"])]
    token_stdin: bool,

    /// Windows : installe serve comme service (démarrage automatique) avec les autres options de
    /// cette commande, puis s'arrête
    #[arg(long, conflicts_with_all = ["set_token", "token_stdin", "uninstall_service", "run_as_service"])]
    install_service: bool,

    /// Windows : arrête et désinstalle le service
    #[arg(long, conflicts_with_all = ["set_token", "token_stdin", "run_as_service"])]
    uninstall_service: bool,

    /// Windows : nom du service
    #[arg(long, value_name = "NOM", default_value = service::DEFAULT_NAME)]
    service_name: String,

    /// Windows : compte sous lequel le service tourne (défaut LocalSystem) ; son mot de passe est
    /// demandé au clavier
    #[arg(long, value_name = "COMPTE", requires = "install_service")]
    service_account: Option<String>,

    /// Windows : journal du service, chemin absolu (défaut : serve.log dans le dossier de données
    /// du compte du service)
    #[arg(long, value_name = "FICHIER")]
    service_log: Option<PathBuf>,

    /// Synchronise aussi JLM ERP en continu : une passe par intervalle (ms, s, m ou h ; ex. 60s),
    /// comme sync-offer --all --watch ; état : GET /api/batigest/sync-status
    #[arg(long, value_name = "DURÉE", value_parser = values::interval, conflicts_with_all = ["set_token", "token_stdin", "uninstall_service"])]
    sync_interval: Option<std::time::Duration>,

    /// Lancé par le gestionnaire de services Windows (voir --install-service)
    #[arg(long, hide = true)]
    run_as_service: bool,
}

pub fn run(args: &Args, ctx: &Context) -> Result<()> {
    let profile = ctx.flags.profile.clone().unwrap_or_else(|| crate::config::DEFAULT_PROFILE.to_owned());
    if args.set_token || args.token_stdin {
        return store_token(args, &Extra::ApiToken.account(&profile), ctx.cli.quiet);
    }
    if let Some(log) = args.service_log.as_deref().filter(|log| !log.is_absolute()) {
        return Err(Error::usage(format!("--service-log « {} » : le chemin doit être absolu", log.display()))
            .with_hint("le service ne démarre pas dans le dossier courant ; ex. --service-log C:\\JLM\\serve.log"));
    }
    if args.uninstall_service {
        return service::uninstall(&args.service_name);
    }
    if args.install_service {
        listening_checks(args)?;
        return service::install(&args.service_name, args.service_account.as_deref(), args.service_log.as_deref());
    }
    let serve = || {
        let tls = listening_checks(args)?;
        let token = api_token(&profile, ctx.env.api_token.as_ref())?;
        // Settings, mapping and the Batigest password are resolved once, before serving.
        let batigest = resolve(ctx)?;
        let origins = batigest.settings.origines.value.clone();
        let sync = match args.sync_interval {
            Some(interval) => {
                let hook = batigest.settings.sync_webhook.value.as_ref();
                Some((interval, hook.map(|settings| Hook::prepare(&batigest, settings)).transpose()?))
            }
            None => None,
        };
        let state = Arc::new(api::State::new(batigest)?);
        let options = api::Options {
            listen: args.listen,
            tls,
            token,
            max_requests: usize::try_from(args.max_requests).unwrap_or(usize::MAX),
            limits: api::Limits {
                header: std::time::Duration::from_secs(args.header_timeout),
                idle: std::time::Duration::from_secs(args.idle_timeout),
            },
            quiet: ctx.cli.quiet,
            origins,
            sync,
        };
        server_runtime()?.block_on(api::serve(state, options))
    };
    if args.run_as_service {
        // The service manager is answered first: a setting refused below is then said in the
        // service's log, and the manager sees the service stop with its exit code.
        service::run(&args.service_name, args.service_log.as_deref(), serve)
    } else {
        serve()
    }
}

/// The TLS configuration, and the rule that a non-loopback address needs TLS or an explicit
/// opt-in.
fn listening_checks(args: &Args) -> Result<Option<Arc<rustls::ServerConfig>>> {
    let tls = match (&args.cert, &args.key) {
        (Some(cert), Some(key)) => Some(api::tls_config(cert, key)?),
        _ => None,
    };
    if tls.is_none() && !args.listen.ip().is_loopback() && !args.insecure_http {
        return Err(Error::usage(format!(
            "{} n'est pas une adresse locale : l'API n'y est servie qu'en HTTPS",
            args.listen
        ))
        .with_hint("donnez --cert FICHIER.pem et --key CLÉ.pem, ou, en connaissance de cause, --insecure-http"));
    }
    Ok(tls)
}

/// The token: JLM_BATIGEST_API_TOKEN, else the keyring; none is a usage error (the API is never
/// served without one).
fn api_token(profile: &str, from_env: Option<&Secret>) -> Result<Secret> {
    match Extra::ApiToken.load(profile, from_env) {
        Ok(Some(token)) => Ok(token),
        Ok(None) => Err(Error::usage("aucun jeton d'accès pour l'API")
            .with_hint(format!("créez-en un avec « jlm-batigest serve --set-token », ou définissez {TOKEN_VAR}"))),
        Err(error) => Err(Error::usage(format!("aucun jeton d'accès pour l'API : {error}"))
            .with_hint(format!("définissez {TOKEN_VAR}, ou ouvrez une session avec un trousseau"))),
    }
}

fn store_token(args: &Args, account: &str, quiet: bool) -> Result<()> {
    let token = if args.token_stdin {
        let token = crate::credentials::read_stdin_line()?;
        if token.expose().len() < 16 {
            return Err(Error::usage("jeton trop court : 16 caractères au moins"));
        }
        token
    } else {
        generate_token()?
    };
    Keyring::store(account, &token).map_err(|e| {
        Error::new(Kind::Usage, format!("jeton non enregistré : {e}"))
            .with_hint(format!("sans trousseau, donnez le jeton par la variable {TOKEN_VAR}"))
    })?;
    if args.set_token {
        // Shown once, on stdout, so that it can be piped into the ERP's configuration.
        writeln!(std::io::stdout().lock(), "{}", token.expose())?;
    }
    if !quiet {
        let _ = writeln!(std::io::stderr().lock(), "Jeton d'accès enregistré dans le trousseau ({account}).");
    }
    Ok(())
}

/// 32 random bytes from the TLS library's generator, as hex.
fn generate_token() -> Result<Secret> {
    Ok(Secret::new(crate::secret::random_hex::<32>()?))
}
