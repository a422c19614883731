//! `demo`: the guided tour runs end to end and leaves nothing behind.

use crate::common::command;

#[test]
fn the_tour_runs_and_leaves_nothing_behind() {
    let home = tempfile::tempdir().expect("home");
    let temp = tempfile::tempdir().expect("temp");
    let output =
        command(home.path()).env("TMPDIR", temp.path()).args(["demo", "--devis", "300"]).output().expect("run");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{stdout}\n{}", String::from_utf8_lossy(&output.stderr));
    let steps = [
        "test-connection",
        "devis --limit 10",
        "coefficients",
        "factures --en-retard",
        "analytics",
        "sync-offer",
        "integrations",
        "dashboard",
    ];
    for step in steps {
        assert!(stdout.contains(&format!("$ jlm-batigest --profile demo {step}")), "{step}:\n{stdout}");
    }
    assert!(stdout.contains("Connexion à Batigest réussie"), "{stdout}");
    assert!(stdout.contains("Familles sous leur cible"), "{stdout}");
    // sync-offer tells it on stderr, as it does outside the tour.
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("synchronisé dans l'offre JLM ERP 5d1c7e2a-8b3f-4a6d-9e0c-1f2a3b4c5d6e"),
        "the devis lands on its offer: {stderr}"
    );
    assert!(stdout.contains("\u{feff}periode;du;au"), "the Excel export is shown: {stdout}");
    let left_in_home: Vec<_> = std::fs::read_dir(home.path()).expect("home").collect();
    assert!(left_in_home.is_empty(), "the demo wrote into HOME: {left_in_home:?}");
    let left_in_temp: Vec<_> = std::fs::read_dir(temp.path()).expect("temp").collect();
    assert!(left_in_temp.is_empty(), "the demo left temporary files: {left_in_temp:?}");
}
