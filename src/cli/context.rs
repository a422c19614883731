//! What commands that read Batigest share: settings resolved once, the connection target, the
//! password, the schema mapping, and an async runtime.

use std::cell::OnceCell;
use std::io::IsTerminal;
use std::path::PathBuf;

use indicatif::{ProgressBar, ProgressStyle};

use super::Cli;
use super::global::ColorArg;
use super::stop::{self, Stop};
use crate::app;
use crate::batigest::connection::{Auth, Encryption, Target, Trust};
use crate::batigest::schema::{Mapping, MappingError};
use crate::config::{Env, Flags, Settings, Source};
use crate::credentials::{self, Keyring};
use crate::error::{Error, Kind, Result};
use crate::output::{Destination, Format, Options, OutputError};

/// What the dispatcher resolves once for every command: the environment, the output options, and
/// the settings.
pub struct Context<'a> {
    pub cli: &'a Cli,
    /// The options that are settings.
    pub flags: &'a Flags,
    pub env: Env,
    pub render: Render,
    settings: OnceCell<Settings>,
}

impl<'a> Context<'a> {
    pub fn new(cli: &'a Cli, env: Env, render: Render) -> Self {
        Self { cli, flags: &cli.connection, env, render, settings: OnceCell::new() }
    }

    /// The settings of the run: the config file is read and resolved the first time a command
    /// asks, and only once (commands that need none, like `completions`, never read it; those
    /// that check their own arguments first still fail on them first).
    pub fn settings(&self) -> Result<&Settings> {
        if let Some(settings) = self.settings.get() {
            return Ok(settings);
        }
        let settings = Settings::load(self.flags, &self.env)?;
        Ok(self.settings.get_or_init(|| settings))
    }
}

/// Resolves the use cases' context before any connection: a bad setting or mapping fails here,
/// with exit 2, and nothing has touched the network yet.
pub fn resolve(ctx: &Context) -> Result<app::Context> {
    let (cli, env) = (ctx.cli, ctx.env.clone());
    let settings = ctx.settings()?.clone();
    let mapping = mapping(settings.schema.value.as_deref())?;
    let target = target(&settings)?;
    check_auth(&target, &settings)?;
    // The keyring may block: it is read here, before the async runtime starts.
    let password = if target.auth == Auth::Integrated {
        credentials::Password {
            secret: credentials::Secret::new(String::new()),
            source: credentials::PasswordSource::WindowsSession,
        }
    } else {
        credentials::resolve_password(&settings, &env, ctx.flags.password_stdin, &Keyring)?
    };
    tracing::info!(server = %target.describe(), database = %target.database, user = %target.user,
        password = %password.source, "réglages de connexion");
    // Without encryption there is no certificate to accept: the warning would be about nothing.
    if target.trust == Trust::Anything && target.encryption != Encryption::Off && !cli.quiet {
        crate::diagnostics::line(
            "Attention : --trust-cert accepte le certificat du serveur sans le vérifier ; la connexion peut être \
             interceptée. Préférez --ca-file.",
        );
    }
    if target.encryption == Encryption::Off && !target.is_loopback() && !cli.quiet {
        let what = if target.auth == Auth::Sql { "le mot de passe et les données" } else { "les données" };
        crate::diagnostics::line(&format!(
            "Attention : --encrypt off ({}) : {what} passent en clair sur le réseau jusqu'à {}. Préférez \
             --encrypt required (avec --ca-file), ou au moins login-only.",
            settings.encrypt.source,
            target.describe()
        ));
    }
    Ok(app::Context { settings, env, target, password, mapping, quiet: cli.quiet })
}

/// The active schema mapping: a built-in one by name (`batigest`), a TOML file, or the default
/// layout. A bad file fails here, before any connection.
pub fn mapping(schema: Option<&std::path::Path>) -> Result<Mapping> {
    let Some(path) = schema else { return Ok(Mapping::default()) };
    if let Some(builtin) = path.to_str().and_then(Mapping::builtin) {
        return Ok(builtin);
    }
    Mapping::from_file(path).map_err(|e| {
        let hint = match e {
            MappingError::Unreadable { .. } => {
                "--schema attend « batigest » ou le chemin d'un fichier TOML (schema inspect --write FICHIER en crée un)"
            }
            MappingError::File { .. } => {
                "chaque nom doit être un identifiant SQL simple (lettres, chiffres et _), ou \"\" s'il n'existe pas"
            }
        };
        Error::usage(format!("correspondance du schéma refusée : {e}")).with_hint(hint)
    })
}

/// Windows logins: `DOMAINE\utilisateur` for NTLM, on every platform; the logged-on Windows
/// session only on Windows (exit 2 elsewhere, before any connection, saying what works instead).
pub fn check_auth(target: &Target, settings: &Settings) -> Result<()> {
    match target.auth {
        Auth::Windows if !target.user.contains('\\') => Err(Error::usage(format!(
            "--auth windows : « {} » n'est pas un compte Windows ({})",
            target.user, settings.user.source
        ))
        .with_hint("écrivez le compte avec son domaine : --user 'DOMAINE\\utilisateur' (ex. JLM\\compta)")),
        Auth::Integrated if !cfg!(windows) => Err(Error::usage(format!(
            "--auth integrated ({}) : se connecter avec la session Windows ouverte (SSPI) ne se fait que sous Windows",
            settings.auth.source
        ))
        .with_hint(
            "ici, donnez le compte Windows et son mot de passe (NTLM) : --auth windows --user 'DOMAINE\\utilisateur' \
             (mot de passe par « jlm-batigest login », BATIGEST_SQL_PASSWORD ou --password-stdin), ou un compte SQL \
             (--auth sql) ; Kerberos (kinit) n'est pas pris en charge",
        )),
        Auth::Sql | Auth::Windows | Auth::Integrated => Ok(()),
    }
}

/// The server, database, user and TLS settings a connection uses.
pub fn target(settings: &Settings) -> Result<Target> {
    let instance = settings.instance.value.clone();
    // With an instance, an explicit port is the SQL Server Browser's; the default is left to the
    // protocol (1434 for the browser).
    let port = match (&instance, &settings.port.source) {
        (Some(_), Source::Default) => None,
        _ => Some(settings.port.value),
    };
    let trust = match (settings.trust_cert.value, &settings.ca_file.value) {
        (true, _) => Trust::Anything,
        (false, Some(path)) => Trust::Ca(path.clone()),
        (false, None) => Trust::System,
    };
    Ok(Target {
        host: settings.server.value.clone(),
        port,
        instance,
        database: settings.database.value.clone(),
        // The logged-on Windows user needs no --user.
        user: if settings.auth.value == Auth::Integrated {
            settings.user.value.clone().unwrap_or_default()
        } else {
            settings.user()?.to_owned()
        },
        auth: settings.auth.value,
        encryption: settings.encrypt.value,
        trust,
        timeout: settings.timeout.value,
    })
}

/// Runs a command's async work on a current-thread runtime (the tool does one thing at a time).
/// A stop request (Ctrl-C, SIGTERM…) drops the work where it stands: an unfinished `-o` file is
/// removed, an open store transaction rolls back, and the run ends with 130 (143 for SIGTERM).
pub fn block_on<T>(work: impl std::future::Future<Output = Result<T>>) -> Result<T> {
    block_on_interruptible(async {
        tokio::select! {
            result = work => result,
            stop = stop::requested() => Err(interruption(stop, "rien d'inachevé n'a été gardé")),
        }
    })
}

/// For work that handles stop requests itself (with [`stop::requested`]), e.g. to trace them.
pub fn block_on_interruptible<T>(work: impl std::future::Future<Output = Result<T>>) -> Result<T> {
    tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| runtime_failure(&e))?.block_on(work)
}

/// A runtime on every core, for the sandbox server (`sandbox`, `demo`).
pub fn server_runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(|e| runtime_failure(&e))
}

fn runtime_failure(error: &std::io::Error) -> Error {
    Error::new(Kind::Unexpected, format!("démarrage du moteur asynchrone impossible : {error}"))
}

/// The error of a run stopped by `stop` (exit 130, or 143 for SIGTERM): « interrompu (Ctrl-C) :
/// `what` ».
pub fn interruption(stop: Stop, what: &str) -> Error {
    let kind = match stop {
        Stop::Terminate | Stop::Service => Kind::Terminated,
        Stop::CtrlC | Stop::CtrlBreak | Stop::Close => Kind::Interrupted,
    };
    Error::new(kind, format!("interrompu ({}) : {what}", stop.name()))
}

/// The store keeps UTC; people read their own time.
pub fn local_time(utc: chrono::NaiveDateTime) -> chrono::NaiveDateTime {
    use chrono::TimeZone;
    chrono::Utc.from_utc_datetime(&utc).with_timezone(&chrono::Local).naive_local()
}

/// Where and how a command writes its results, resolved from the global output flags.
pub struct Render {
    pub options: Options,
    pub path: Option<PathBuf>,
    progress: bool,
}

impl Render {
    pub fn resolve(cli: &Cli, env: &Env) -> Result<Self> {
        let args = &cli.output;
        let format = match (args.format, args.excel) {
            (None, true) => Format::Csv,
            (Some(format), true) if format != Format::Csv => {
                return Err(Error::usage("--excel ne s'applique qu'au format CSV")
                    .with_hint("utilisez --excel seul, ou avec --format csv"));
            }
            (format, _) => format.unwrap_or_default(),
        };
        let to_terminal = args.output.is_none() && std::io::stdout().is_terminal();
        let color = match args.color {
            ColorArg::Always => true,
            ColorArg::Never => false,
            ColorArg::Auto => to_terminal && !env.no_color,
        };
        // COLUMNS, when exported, wins over the terminal's own size, as for ls and most tools.
        let terminal_width = if to_terminal {
            env.columns
                .or_else(|| comfy_table::Table::new().width())
                // A terminal that does not know its size says 0: then tables are not fitted.
                .filter(|&columns| columns > 0)
        } else {
            None
        };
        Ok(Self {
            options: Options { format, excel: args.excel, color, terminal_width },
            path: args.output.clone(),
            progress: !cli.quiet && !args.no_progress && std::io::stderr().is_terminal(),
        })
    }

    /// Stdout, or the temporary file beside `-o FILE`.
    pub fn destination(&self) -> Result<Destination> {
        Destination::open(self.path.as_deref())
            .map_err(|e| cannot_write(self.path.as_deref().unwrap_or(std::path::Path::new("")), e))
    }

    /// A spinner counting `what` on stderr, only on a terminal; hidden otherwise.
    pub fn progress(&self, what: &'static str) -> Counter {
        if !self.progress {
            return Counter { bar: ProgressBar::hidden(), count: 0 };
        }
        let bar = ProgressBar::new_spinner();
        bar.set_style(
            ProgressStyle::with_template("{spinner} {pos} {msg} lus ({per_sec})")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        bar.set_message(what);
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        Counter { bar, count: 0 }
    }

    /// A bar of `len` steps of `what` on stderr, only on a terminal; hidden otherwise.
    pub fn bar(&self, len: u64, what: &'static str) -> ProgressBar {
        if !self.progress {
            return ProgressBar::hidden();
        }
        let bar = ProgressBar::new(len);
        bar.set_style(
            ProgressStyle::with_template("{bar:30} {pos}/{len} {msg} ({eta})")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar.set_message(what);
        bar
    }

    /// Puts the output in place once everything succeeded.
    pub fn commit(destination: Destination) -> Result<()> {
        Ok(destination.commit()?)
    }

    /// See [`Destination::abandon`]: a `-o` file is left as it was.
    pub fn abandon(destination: Destination) -> Result<()> {
        Ok(destination.abandon()?)
    }
}

/// The error of a file the tool cannot write (`-o`, `--html`, `--write`, `--dir`).
pub fn cannot_write(path: &std::path::Path, error: std::io::Error) -> Error {
    OutputError::cannot_write(path, error).into()
}

/// Rows read, counted on a [`Render::progress`] spinner.
pub struct Counter {
    bar: ProgressBar,
    count: u64,
}

impl Counter {
    /// One more row. The spinner moves every 256 rows: plenty for the eye, and a big export
    /// spares a clock read per row.
    pub fn inc(&mut self) {
        self.count += 1;
        if self.count.is_multiple_of(256) {
            self.bar.set_position(self.count);
        }
    }

    pub fn count(&self) -> u64 {
        self.count
    }

    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
