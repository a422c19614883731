//! Global options a command has no use for. Given anyway they are a usage error naming them,
//! rather than silently doing nothing (`config path -o f`, `sandbox --server x`), and the
//! command's `--help` leaves them out.
//!
//! The settings options (profile, connection, store, timeout, schema) are accepted by every
//! command that reads the settings, as a profile would be: a wrapper script or an alias passes
//! the same ones to every command. Only commands that read no settings at all refuse them.

use clap::ArgMatches;
use clap::parser::ValueSource;

/// The settings, as the config file's profiles hold them.
const SETTINGS: &[&str] = &[
    "profile",
    "server",
    "port",
    "instance",
    "database",
    "user",
    "encrypt",
    "trust_cert",
    "ca_file",
    "timeout",
    "schema",
    "jlm_db",
];
/// How results are written.
const OUTPUT: &[&str] = &["format", "output", "excel", "color", "no_progress"];

/// The global options (clap ids) the command at `path` (`["config", "show"]`) does not use. A
/// command not listed uses them all.
fn unused(path: &[&str]) -> Vec<&'static str> {
    let groups: &[&[&str]] = match path {
        // They read the JLM store only: no Batigest password to read.
        ["integrations"] | ["analytics", "history"] => &[&["password_stdin"]],
        ["config", "show"] => &[&["password_stdin", "no_progress"]],
        ["config", "path"] | ["demo" | "completions" | "man"] => &[SETTINGS, &["password_stdin"], OUTPUT],
        // The API answers JSON to its callers, not to the terminal.
        ["login" | "serve"] | ["alertes", "login-smtp" | "login-webhook"] => &[OUTPUT],
        // The profile's name alone: the config file is not even read.
        ["logout"] => &[&SETTINGS[1..], &["password_stdin"], OUTPUT],
        // The sandbox serves the database and user of the global --database and --user.
        ["sandbox"] => &[
            &[
                "profile",
                "server",
                "port",
                "instance",
                "encrypt",
                "trust_cert",
                "ca_file",
                "timeout",
                "schema",
                "jlm_db",
            ],
            &["password_stdin"],
            OUTPUT,
        ],
        _ => &[],
    };
    groups.iter().flat_map(|group| group.iter().copied()).collect()
}

/// The first global option given on the command line that the chosen command does not use, as
/// the error message and hint to show.
pub fn check(matches: &ArgMatches) -> Result<(), (String, String)> {
    let mut path = Vec::new();
    let mut leaf = matches;
    while let Some((name, sub)) = leaf.subcommand() {
        path.push(name);
        leaf = sub;
    }
    let Some(id) = unused(&path).into_iter().find(|id| {
        leaf.try_contains_id(id).unwrap_or(false) && leaf.value_source(id) == Some(ValueSource::CommandLine)
    }) else {
        return Ok(());
    };
    let command = format!("jlm-batigest {}", path.join(" "));
    let option = match id {
        "output" => "-o/--output".to_owned(),
        id => format!("--{}", id.replace('_', "-")),
    };
    Err((
        format!("l'option {option} ne s'applique pas à « {command} »"),
        format!("retirez-la ; « {command} --help » liste les options de la commande"),
    ))
}

/// Leaves out of each command's help the global options it does not use.
///
/// Global options are copied into subcommands only when the tree is built, and a built tree
/// cannot be changed (its parser would mix the options up): each help is rendered from a built
/// copy where those options are hidden, and given to the command as its help text.
pub fn hide(command: clap::Command) -> clap::Command {
    let mut built = command.clone();
    built.build();
    with_helps(command, &built, &mut Vec::new())
}

fn with_helps(mut command: clap::Command, built: &clap::Command, path: &mut Vec<String>) -> clap::Command {
    for sub in built.get_subcommands() {
        path.push(sub.get_name().to_owned());
        let words: Vec<&str> = path.iter().map(String::as_str).collect();
        let hidden = unused(&words);
        let help = (!hidden.is_empty()).then(|| {
            let mut copy = sub.clone();
            for id in hidden {
                if copy.get_arguments().any(|arg| arg.get_id() == id) {
                    copy = copy.mut_arg(id, |arg| arg.hide(true));
                }
            }
            copy.render_help()
        });
        command = command.mut_subcommand(sub.get_name(), |original| {
            let original = with_helps(original, sub, path);
            match help {
                Some(help) => original.override_help(help),
                None => original,
            }
        });
        path.pop();
    }
    command
}
