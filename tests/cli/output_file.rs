//! `-o PATH` through the real binary: what is at PATH decides how it is written (a regular file is
//! replaced whole, keeping its mode; a device or FIFO is written in place and stays what it is;
//! a link's target is replaced), and a failed run leaves the previous file and no temporary one.

use std::fs;
use std::path::Path;
use std::process::Command;

use crate::common::{Sandbox, ok, stderr};

/// The names in `dir`, sorted.
fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .expect("dir")
        .map(|entry| entry.expect("entry").file_name().to_string_lossy().into())
        .collect();
    names.sort();
    names
}

fn export(sandbox: &Sandbox, path: &Path) -> std::process::Output {
    sandbox.run(&["devis", "--format", "csv", "-o", path.to_str().expect("utf-8 path")])
}

fn is_root() -> bool {
    Command::new("id").arg("-u").output().is_ok_and(|output| String::from_utf8_lossy(&output.stdout).trim() == "0")
}

const HEADER: &str = "numero_devis,reference_affaire";

#[cfg(unix)]
#[test]
fn a_character_device_is_written_in_place_and_stays_a_device() {
    use std::os::unix::fs::FileTypeExt;
    // A private null device: the machine's own /dev/null is never put at risk by a regression.
    // mknod needs root: CI runs the suite as root, so this test runs there.
    if !is_root() {
        crate::common::missing(
            "root (mknod makes the test's own character device)",
            "run the suite as root, as CI does (sudo scripts/test.sh)",
        );
        return;
    }
    let sandbox = Sandbox::with_fixture(&[]);
    let null = sandbox.path("null");
    let made = Command::new("mknod").args([null.to_str().expect("path"), "c", "1", "3"]).status().expect("mknod");
    assert!(made.success());
    let output = export(&sandbox, &null);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(fs::symlink_metadata(&null).expect("still there").file_type().is_char_device(), "replaced by a file");
    assert!(!entries(sandbox.dir.path()).iter().any(|name| name.contains("tmp")), "{:?}", entries(sandbox.dir.path()));
}

#[cfg(unix)]
#[test]
fn a_fifo_is_streamed_to_its_reader_and_stays_a_fifo() {
    use std::os::unix::fs::FileTypeExt;
    let sandbox = Sandbox::with_fixture(&[]);
    let fifo = sandbox.path("devis.fifo");
    assert!(Command::new("mkfifo").arg(&fifo).status().expect("mkfifo").success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || fs::read_to_string(fifo).expect("read the FIFO"))
    };
    let output = export(&sandbox, &fifo);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let received = reader.join().expect("reader");
    assert!(received.starts_with(HEADER), "{received}");
    assert!(received.contains("DEVIS-2024-003"), "{received}");
    assert!(fs::symlink_metadata(&fifo).expect("still there").file_type().is_fifo(), "replaced by a file");
}

#[cfg(unix)]
#[test]
fn a_symbolic_link_keeps_pointing_at_its_replaced_target() {
    let sandbox = Sandbox::with_fixture(&[]);
    fs::create_dir(sandbox.path("archives")).expect("dir");
    let target = sandbox.path("archives/devis.csv");
    fs::write(&target, "ancien").expect("write");
    let link = sandbox.path("dernier.csv");
    std::os::unix::fs::symlink("archives/devis.csv", &link).expect("symlink");
    let output = export(&sandbox, &link);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(fs::symlink_metadata(&link).expect("link").file_type().is_symlink(), "the link was replaced");
    assert!(fs::read_to_string(&target).expect("target").starts_with(HEADER));
    assert_eq!(entries(&sandbox.path("archives")), ["devis.csv"]);
}

#[cfg(unix)]
#[test]
fn a_replaced_file_keeps_its_mode() {
    use std::os::unix::fs::PermissionsExt;
    let sandbox = Sandbox::with_fixture(&[]);
    let target = sandbox.path("devis.csv");
    fs::write(&target, "ancien").expect("write");
    fs::set_permissions(&target, fs::Permissions::from_mode(0o640)).expect("chmod");
    let output = export(&sandbox, &target);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(fs::read_to_string(&target).expect("export").starts_with(HEADER));
    assert_eq!(fs::metadata(&target).expect("export").permissions().mode() & 0o7777, 0o640);
}

#[test]
fn a_dash_and_the_own_stdout_are_standard_output() {
    let sandbox = Sandbox::with_fixture(&[]);
    let before = entries(sandbox.dir.path());
    let output =
        sandbox.client().current_dir(sandbox.dir.path()).args(["devis", "--format", "csv", "-o", "-"]).output();
    assert!(ok(&output.expect("run")).starts_with(HEADER));
    // /proc/self/fd/1 rather than /dev/stdout: a regression then fails inside /proc instead of
    // replacing the machine's /dev/stdout link.
    if Path::new("/proc/self/fd/1").exists() {
        let output = sandbox.run(&["devis", "--format", "csv", "-o", "/proc/self/fd/1"]);
        assert!(ok(&output).starts_with(HEADER));
    }
    assert_eq!(entries(sandbox.dir.path()), before, "no file named « - »");
}

#[test]
fn a_failed_export_keeps_the_previous_file_and_leaves_no_temporary_file() {
    let sandbox = Sandbox::with_fixture(&["--drop-after-rows", "1"]);
    let target = sandbox.path("devis.csv");
    fs::write(&target, "ancien").expect("write");
    let before = entries(sandbox.dir.path());
    let output = export(&sandbox, &target);
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    assert_eq!(fs::read_to_string(&target).expect("previous"), "ancien");
    assert_eq!(entries(sandbox.dir.path()), before);
}

/// A directory the user may not write to, holding a file they may: the file cannot be replaced
/// atomically, so nothing is written and the run says why. As root (who may write anywhere) the
/// run is made as `nobody`.
#[cfg(unix)]
#[test]
fn a_read_only_directory_leaves_its_file_untouched() {
    use std::os::unix::fs::PermissionsExt;
    let sandbox = Sandbox::with_fixture(&[]);
    let dir = tempfile::tempdir().expect("dir");
    let target = dir.path().join("devis.csv");
    fs::write(&target, "ancien").expect("write");
    fs::set_permissions(&target, fs::Permissions::from_mode(0o666)).expect("chmod");
    fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o555)).expect("chmod");
    let home = tempfile::tempdir().expect("home");
    let mut command = sandbox.client();
    if is_root() {
        fs::set_permissions(home.path(), fs::Permissions::from_mode(0o777)).expect("chmod");
        let program = command.get_program().to_owned();
        let mut as_nobody = Command::new("setpriv");
        as_nobody.args(["--reuid=65534", "--regid=65534", "--clear-groups"]).arg(program);
        as_nobody.env_clear().envs(command.get_envs().filter_map(|(key, value)| Some((key, value?))));
        as_nobody.env("HOME", home.path()).args(command.get_args());
        command = as_nobody;
    }
    let output =
        command.args(["devis", "--format", "csv", "-o", target.to_str().expect("path")]).output().expect("run");
    fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o755)).expect("chmod");
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(stderr(&output).contains("impossible d'écrire"), "{}", stderr(&output));
    assert_eq!(fs::read_to_string(&target).expect("previous"), "ancien");
    assert_eq!(entries(dir.path()), ["devis.csv"]);
}
