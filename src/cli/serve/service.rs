//! `serve` as a Windows service, under the Service Control Manager: `--install-service` registers
//! it (started with Windows), `Start-Service` / `Stop-Service` (or `sc.exe`) start and stop it —
//! a stop is the same graceful shutdown as Ctrl-C — and `--uninstall-service` removes it. The
//! service has no console: what `serve` says goes to its log file.
//!
//! Elsewhere these options say they are for Windows (exit 2); the helpers below serve only the
//! Windows build and this module's tests.
#![cfg_attr(not(windows), allow(dead_code))]

use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// The service's name when none is given.
pub const DEFAULT_NAME: &str = "JLMBatigest";

/// `serve`'s own options that choose how the service is installed, and are not passed on to it.
const INSTALL_ONLY: [&str; 2] = ["--install-service", "--service-account"];

/// The command line the service manager will start: this command's, without the installation
/// options, plus `--run-as-service`.
pub fn launch_arguments(args: impl Iterator<Item = OsString>) -> Vec<OsString> {
    let mut kept = Vec::new();
    let mut skip_value = false;
    for arg in args {
        if std::mem::take(&mut skip_value) {
            continue;
        }
        let text = arg.to_string_lossy();
        let option = text.split_once('=').map_or(&*text, |(option, _)| option);
        if INSTALL_ONLY.contains(&option) {
            // `--service-account COMPTE` carries its value in the next argument.
            skip_value = option == "--service-account" && !text.contains('=');
            continue;
        }
        kept.push(arg);
    }
    kept.push("--run-as-service".into());
    kept
}

/// The log of a service with no `--service-log`: `serve.log` in the data dir of the account it
/// runs as.
pub fn default_log() -> Option<PathBuf> {
    directories::ProjectDirs::from("fr", "JLM", "jlm-batigest").map(|dirs| dirs.data_dir().join("serve.log"))
}

/// Opens the log (appended; the previous one is kept as `.1` beyond 10 MB) and sends every
/// diagnostic there.
fn open_log(path: &Path) -> std::io::Result<()> {
    const ROTATE_AT: u64 = 10 << 20;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    if std::fs::metadata(path).is_ok_and(|metadata| metadata.len() > ROTATE_AT) {
        let mut old = path.as_os_str().to_owned();
        old.push(".1");
        std::fs::rename(path, old)?;
    }
    let file = std::fs::OpenOptions::new().create(true).append(true).open(path)?;
    crate::diagnostics::log_to(file);
    Ok(())
}

#[cfg(not(windows))]
pub use elsewhere::{install, run, uninstall};

#[cfg(not(windows))]
mod elsewhere {
    use std::path::Path;

    use crate::error::{Error, Result};

    fn windows_only(option: &str) -> Error {
        Error::usage(format!("{option} ne concerne que Windows"))
            .with_hint("sous Linux, faites de serve un service systemd (README, « serve »)")
    }

    pub fn install(_name: &str, _account: Option<&str>, _log: Option<&Path>) -> Result<()> {
        Err(windows_only("--install-service"))
    }

    pub fn uninstall(_name: &str) -> Result<()> {
        Err(windows_only("--uninstall-service"))
    }

    pub fn run(_name: &str, _log: Option<&Path>, _work: impl FnOnce() -> Result<()>) -> Result<()> {
        Err(windows_only("--run-as-service"))
    }
}

#[cfg(windows)]
pub use windows::{install, run, uninstall};

#[cfg(windows)]
mod windows {
    use std::ffi::OsString;
    use std::io::IsTerminal;
    use std::path::Path;
    use std::sync::mpsc;
    use std::sync::{Mutex, OnceLock};
    use std::time::Duration;

    use windows_service::service::{
        ServiceAccess, ServiceControl, ServiceControlAccept, ServiceErrorControl, ServiceExitCode, ServiceInfo,
        ServiceStartType, ServiceState, ServiceStatus, ServiceType,
    };
    use windows_service::service_control_handler::{self, ServiceControlHandlerResult, ServiceStatusHandle};
    use windows_service::service_dispatcher;
    use windows_service::service_manager::{ServiceManager, ServiceManagerAccess};

    use super::{default_log, launch_arguments, open_log};
    use crate::error::{Error, Kind, Result};
    use crate::stop::{self, Stop};

    /// How long the service manager is told a graceful stop may take (serve's drain).
    const STOP_HINT: Duration = Duration::from_secs(30);
    const ACCESS_DENIED: i32 = 5;
    const SERVICE_EXISTS: i32 = 1073;
    const NO_SUCH_SERVICE: i32 = 1060;
    const NOT_STARTED_BY_SCM: i32 = 1063;

    fn refused(what: &str, name: &str, error: &windows_service::Error) -> Error {
        let code = match error {
            windows_service::Error::Winapi(io) => io.raw_os_error(),
            _ => None,
        };
        let error_text = error.to_string();
        let base = Error::usage(format!("service {name} : {what} impossible")).with_detail(error_text);
        match code {
            Some(ACCESS_DENIED) => base.with_hint(
                "il faut les droits d'administrateur : ouvrez PowerShell ou l'invite de commandes avec « Exécuter en tant \
                 qu'administrateur »",
            ),
            Some(SERVICE_EXISTS) => base.with_hint(format!(
                "un service {name} existe déjà : retirez-le avec « jlm-batigest serve --uninstall-service --service-name \
                 {name} », ou choisissez un autre --service-name"
            )),
            Some(NO_SUCH_SERVICE) => base.with_hint(format!("aucun service {name} n'est installé (Get-Service JLM*)")),
            _ => base,
        }
    }

    pub fn install(name: &str, account: Option<&str>, log: Option<&Path>) -> Result<()> {
        let password = match account {
            Some(account) if !std::io::stdin().is_terminal() => {
                return Err(Error::usage(format!(
                    "--service-account {account} : le mot de passe du compte se saisit au clavier, et il n'y a pas \
                     de console"
                ))
                .with_hint("lancez la commande dans PowerShell ou l'invite de commandes, en administrateur"));
            }
            Some(account) => Some(OsString::from(
                rpassword::prompt_password(format!("Mot de passe Windows du compte {account} : "))
                    .map_err(|e| Error::usage(format!("mot de passe du compte {account} illisible : {e}")))?,
            )),
            None => None,
        };
        let executable_path = std::env::current_exe()
            .map_err(|e| Error::new(Kind::Unexpected, format!("chemin du programme introuvable : {e}")))?;
        let manager = ServiceManager::local_computer(
            None::<&str>,
            ServiceManagerAccess::CONNECT | ServiceManagerAccess::CREATE_SERVICE,
        )
        .map_err(|e| refused("installation", name, &e))?;
        let info = ServiceInfo {
            name: name.into(),
            display_name: format!("JLM Batigest — API ({name})").into(),
            service_type: ServiceType::OWN_PROCESS,
            start_type: ServiceStartType::AutoStart,
            error_control: ServiceErrorControl::Normal,
            executable_path,
            launch_arguments: launch_arguments(std::env::args_os().skip(1)),
            dependencies: Vec::new(),
            account_name: account.map(OsString::from),
            account_password: password,
        };
        let service = manager
            .create_service(&info, ServiceAccess::CHANGE_CONFIG)
            .map_err(|e| refused("installation", name, &e))?;
        let _ = service.set_description("API REST de jlm-batigest pour les écrans de JLM ERP (serve)");
        let log = log.map_or_else(
            || "serve.log dans le dossier de données du compte du service".to_owned(),
            |path| path.display().to_string(),
        );
        crate::diagnostics::line(&format!(
            "Service {name} installé (démarrage automatique, compte {}). Démarrez-le : Start-Service {name}. Journal : {log}.",
            account.unwrap_or("LocalSystem")
        ));
        Ok(())
    }

    pub fn uninstall(name: &str) -> Result<()> {
        let manager = ServiceManager::local_computer(None::<&str>, ServiceManagerAccess::CONNECT)
            .map_err(|e| refused("désinstallation", name, &e))?;
        let service = manager
            .open_service(name, ServiceAccess::QUERY_STATUS | ServiceAccess::STOP | ServiceAccess::DELETE)
            .map_err(|e| refused("désinstallation", name, &e))?;
        let status = service.query_status().map_err(|e| refused("désinstallation", name, &e))?;
        if status.current_state != ServiceState::Stopped {
            service.stop().map_err(|e| refused("arrêt", name, &e))?;
            for _ in 0..STOP_HINT.as_secs() * 4 {
                if service.query_status().is_ok_and(|status| status.current_state == ServiceState::Stopped) {
                    break;
                }
                std::thread::sleep(Duration::from_millis(250));
            }
        }
        service.delete().map_err(|e| refused("désinstallation", name, &e))?;
        crate::diagnostics::line(&format!("Service {name} arrêté et désinstallé."));
        Ok(())
    }

    /// What the service manager's thread and the main thread say to each other.
    struct Bridge {
        name: String,
        started: mpsc::Sender<std::result::Result<(), String>>,
        finished: Mutex<mpsc::Receiver<u32>>,
        status: OnceLock<ServiceStatusHandle>,
    }

    static BRIDGE: OnceLock<Bridge> = OnceLock::new();

    /// Runs `work` (the server) as the service `name`: connects to the service manager, says the
    /// service runs, serves until the manager asks it to stop, then says it stopped.
    pub fn run(name: &str, log: Option<&Path>, work: impl FnOnce() -> Result<()>) -> Result<()> {
        let (started_tx, started_rx) = mpsc::channel();
        let (finished_tx, finished_rx) = mpsc::channel();
        let bridge = Bridge {
            name: name.to_owned(),
            started: started_tx,
            finished: Mutex::new(finished_rx),
            status: OnceLock::new(),
        };
        if BRIDGE.set(bridge).is_err() {
            return Err(Error::new(Kind::Unexpected, "service déjà lancé dans ce processus"));
        }
        let dispatcher_name = name.to_owned();
        let dispatcher = std::thread::spawn(move || service_dispatcher::start(dispatcher_name, service_main));
        // Either the manager calls service_main, or the dispatcher gives up at once.
        let started = loop {
            match started_rx.recv_timeout(Duration::from_millis(100)) {
                Ok(started) => break started,
                Err(mpsc::RecvTimeoutError::Timeout) if !dispatcher.is_finished() => {}
                Err(_) => {
                    let code = match dispatcher.join() {
                        Ok(Err(windows_service::Error::Winapi(io))) => io.raw_os_error(),
                        _ => None,
                    };
                    let error = Error::usage("--run-as-service : le gestionnaire de services Windows ne répond pas");
                    return Err(if code == Some(NOT_STARTED_BY_SCM) {
                        error.with_hint(format!(
                            "cette option est celle du service lui-même ; démarrez-le avec « Start-Service {name} »"
                        ))
                    } else {
                        error
                    });
                }
            }
        };
        if let Err(error) = started {
            return Err(Error::new(Kind::Unexpected, format!("service {name} : {error}")));
        }
        // From here on there is no console: everything goes to the log. A log that cannot be
        // opened is the service's failure to start, which the manager records (Event Viewer).
        if let Some(log) = log.map(Path::to_path_buf).or_else(default_log)
            && let Err(error) = open_log(&log)
        {
            let _ = finished_tx.send(u32::from(crate::exit_codes::USAGE));
            let _ = dispatcher.join();
            return Err(Error::usage(format!("journal du service {} inutilisable : {error}", log.display())));
        }
        crate::diagnostics::line(&format!(
            "Service {name} démarré (processus {}) le {}.",
            std::process::id(),
            chrono::Local::now().format("%d/%m/%Y à %H:%M:%S")
        ));
        // The outcome is the service manager's to know (the service's exit code) and the log's to
        // tell; the process itself then ends normally.
        let code = match work() {
            Ok(()) => 0,
            Err(error) => {
                error.eprint();
                u32::from(error.kind.exit_code())
            }
        };
        crate::diagnostics::line(&format!("Service {name} arrêté (code {code})."));
        let _ = finished_tx.send(code);
        let _ = dispatcher.join();
        Ok(())
    }

    /// Called by the service manager on its own thread.
    extern "system" fn service_main(_argc: u32, _argv: *mut *mut u16) {
        let Some(bridge) = BRIDGE.get() else { return };
        let handler = |control| match control {
            ServiceControl::Stop | ServiceControl::Shutdown | ServiceControl::Preshutdown => {
                if let Some(status) = BRIDGE.get().and_then(|bridge| bridge.status.get()) {
                    let _ = status.set_service_status(state(ServiceState::StopPending, 0));
                }
                stop::request(Stop::Service);
                ServiceControlHandlerResult::NoError
            }
            ServiceControl::Interrogate => ServiceControlHandlerResult::NoError,
            _ => ServiceControlHandlerResult::NotImplemented,
        };
        let status = match service_control_handler::register(&bridge.name, handler) {
            Ok(status) => status,
            Err(error) => {
                let _ = bridge.started.send(Err(error.to_string()));
                return;
            }
        };
        let _ = bridge.status.set(status);
        let _ = status.set_service_status(state(ServiceState::Running, 0));
        let _ = bridge.started.send(Ok(()));
        let code = bridge.finished.lock().ok().and_then(|finished| finished.recv().ok()).unwrap_or(1);
        let _ = status.set_service_status(state(ServiceState::Stopped, code));
    }

    fn state(current_state: ServiceState, code: u32) -> ServiceStatus {
        ServiceStatus {
            service_type: ServiceType::OWN_PROCESS,
            current_state,
            controls_accepted: if current_state == ServiceState::Running {
                ServiceControlAccept::STOP | ServiceControlAccept::SHUTDOWN
            } else {
                ServiceControlAccept::empty()
            },
            exit_code: if code == 0 { ServiceExitCode::Win32(0) } else { ServiceExitCode::ServiceSpecific(code) },
            checkpoint: 0,
            wait_hint: if current_state == ServiceState::StopPending { STOP_HINT } else { Duration::ZERO },
            process_id: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(line: &[&str]) -> Vec<String> {
        launch_arguments(line.iter().map(OsString::from)).into_iter().map(|a| a.into_string().unwrap()).collect()
    }

    #[test]
    fn the_service_gets_the_command_line_without_the_installation_options() {
        assert_eq!(
            args(&[
                "--profile",
                "prod",
                "serve",
                "--install-service",
                "--service-account",
                r".\compta",
                "--listen",
                "0.0.0.0:8787"
            ]),
            ["--profile", "prod", "serve", "--listen", "0.0.0.0:8787", "--run-as-service"]
        );
        assert_eq!(
            args(&["serve", "--service-account=JLM\\svc", "--install-service", "--service-name", "JLMTest"]),
            ["serve", "--service-name", "JLMTest", "--run-as-service"]
        );
    }
}
