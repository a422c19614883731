//! The environment variables this tool reads, captured once by the dispatcher: nothing else reads
//! the process environment.

use std::path::PathBuf;

use super::ConfigError;
use crate::secret::Secret;

pub const SERVER_VAR: &str = "BATIGEST_SQL_SERVER";
pub const PORT_VAR: &str = "BATIGEST_SQL_PORT";
pub const DATABASE_VAR: &str = "BATIGEST_DATABASE";
pub const USER_VAR: &str = "BATIGEST_SQL_USER";
pub const PASSWORD_VAR: &str = "BATIGEST_SQL_PASSWORD";
pub const JLM_DATABASE_VAR: &str = "JLM_DATABASE_URL";
pub const CONFIG_VAR: &str = "JLM_BATIGEST_CONFIG";
pub const API_TOKEN_VAR: &str = "JLM_BATIGEST_API_TOKEN";
pub const SMTP_PASSWORD_VAR: &str = "JLM_BATIGEST_SMTP_PASSWORD";
pub const WEBHOOK_SECRET_VAR: &str = "JLM_BATIGEST_WEBHOOK_SECRET";

/// The environment variables this tool reads, captured once. An empty variable counts as unset,
/// as shells make `VAR= command` the usual way to switch one off.
#[derive(Debug, Clone, Default)]
pub struct Env {
    pub server: Option<String>,
    pub port: Option<String>,
    pub database: Option<String>,
    pub user: Option<String>,
    pub password: Option<Secret>,
    pub jlm_database_url: Option<String>,
    /// `JLM_BATIGEST_CONFIG`.
    pub config: Option<PathBuf>,
    /// The platform's config file, used when `JLM_BATIGEST_CONFIG` is unset; `None` when the
    /// platform gives no home directory.
    pub default_config: Option<PathBuf>,
    /// The embedded JLM store in the platform's data dir, used when no `--jlm-db` is given.
    pub default_store: Option<PathBuf>,
    /// Who runs the tool (`USER`, `LOGNAME`, or `USERNAME` on Windows, else the OS account
    /// name), for the sync trace.
    pub os_user: Option<String>,
    /// `JLM_BATIGEST_API_TOKEN`: the token of `serve`, where no keyring is.
    pub api_token: Option<Secret>,
    /// `JLM_BATIGEST_SMTP_PASSWORD`: the SMTP password of the alerts, where no keyring is.
    pub smtp_password: Option<Secret>,
    /// `JLM_BATIGEST_WEBHOOK_SECRET`: the key signing the webhook's requests, where no keyring is.
    pub webhook_secret: Option<Secret>,
    /// The shell the tool was started from, for the commands it suggests.
    pub shell: Shell,
    /// `NO_COLOR` set and not empty: no colours with `--color auto`.
    pub no_color: bool,
    /// `COLUMNS`, the terminal width a user exported (it wins over the terminal's own size).
    pub columns: Option<u16>,
}

/// The syntax of the commands the tool suggests (`demo`'s variables).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[allow(clippy::enum_variant_names, reason = "PowerShell is the shell's name")]
pub enum Shell {
    #[default]
    Posix,
    PowerShell,
    Cmd,
}

impl Shell {
    /// On Windows, PowerShell (5.1 and 7) puts the user's own module folder
    /// (`…\Documents\WindowsPowerShell\Modules`, `…\Documents\PowerShell\Modules`) in the
    /// `PSModulePath` its commands inherit; the system-wide value cmd.exe sees has none.
    pub(super) fn detect(windows: bool, ps_module_path: Option<&str>) -> Self {
        if !windows {
            return Shell::Posix;
        }
        let user_modules = ps_module_path.unwrap_or_default().split(';').any(|dir| {
            let dir = dir.to_ascii_lowercase().replace('/', "\\");
            dir.contains("\\documents\\windowspowershell\\modules") || dir.contains("\\documents\\powershell\\modules")
        });
        if user_modules { Shell::PowerShell } else { Shell::Cmd }
    }

    /// The line that sets `vars` for the commands typed after it, each value quoted.
    pub fn set_vars(self, vars: &[(&str, &str)]) -> String {
        let assignments: Vec<String> = match self {
            Shell::Posix => {
                vec![format!(
                    "export {}",
                    vars.iter()
                        .map(|(name, value)| format!("{name}='{}'", value.replace('\'', "'\\''")))
                        .collect::<Vec<_>>()
                        .join(" ")
                )]
            }
            Shell::PowerShell => {
                vars.iter().map(|(name, value)| format!("$env:{name} = '{}'", value.replace('\'', "''"))).collect()
            }
            Shell::Cmd => vars.iter().map(|(name, value)| format!("set \"{name}={value}\"")).collect(),
        };
        assignments.join(if self == Shell::Cmd { " & " } else { "; " })
    }
}

impl Env {
    /// Reads the process environment. A variable that is not valid Unicode is refused rather than
    /// silently mangled (a mangled password would only fail later, far from its cause).
    pub fn capture() -> Result<Self, ConfigError> {
        let var = |name: &str| match std::env::var(name) {
            Ok(value) if value.is_empty() => Ok(None),
            Ok(value) => Ok(Some(value)),
            Err(std::env::VarError::NotPresent) => Ok(None),
            Err(std::env::VarError::NotUnicode(_)) => Err(ConfigError::NotUnicode { name: name.to_owned() }),
        };
        Ok(Self {
            server: var(SERVER_VAR)?,
            port: var(PORT_VAR)?,
            database: var(DATABASE_VAR)?,
            user: var(USER_VAR)?,
            password: var(PASSWORD_VAR)?.map(Secret::new),
            jlm_database_url: var(JLM_DATABASE_VAR)?,
            config: std::env::var_os(CONFIG_VAR).filter(|path| !path.is_empty()).map(PathBuf::from),
            default_config: directories::ProjectDirs::from("fr", "JLM", "jlm-batigest")
                .map(|dirs| dirs.config_dir().join("config.toml")),
            default_store: directories::ProjectDirs::from("fr", "JLM", "jlm-batigest")
                .map(|dirs| dirs.data_dir().join("jlm.sqlite")),
            os_user: match var("USER")?.or(var("LOGNAME")?).or(var("USERNAME")?) {
                Some(user) => Some(user),
                None => os_account(),
            },
            api_token: var(API_TOKEN_VAR)?.map(Secret::new),
            smtp_password: var(SMTP_PASSWORD_VAR)?.map(Secret::new),
            webhook_secret: var(WEBHOOK_SECRET_VAR)?.map(Secret::new),
            shell: Shell::detect(cfg!(windows), std::env::var("PSModulePath").ok().as_deref()),
            no_color: std::env::var_os("NO_COLOR").is_some_and(|value| !value.is_empty()),
            columns: std::env::var("COLUMNS").ok().and_then(|columns| columns.trim().parse::<u16>().ok()),
        })
    }

    /// The config file: `JLM_BATIGEST_CONFIG`, else the platform's config dir.
    pub fn config_path(&self) -> Result<PathBuf, ConfigError> {
        self.config.clone().or_else(|| self.default_config.clone()).ok_or(ConfigError::NoConfigDir)
    }
}

/// The name of the account the process runs as, for an environment without `USER` (services,
/// `env -i`, some cron daemons): what `id -un` says. Windows always sets `USERNAME`.
fn os_account() -> Option<String> {
    if !cfg!(unix) {
        return None;
    }
    let output = std::process::Command::new("id").arg("-un").stderr(std::process::Stdio::null()).output().ok()?;
    let name = String::from_utf8(output.stdout).ok()?;
    let name = name.trim();
    (output.status.success() && !name.is_empty()).then(|| name.to_owned())
}
