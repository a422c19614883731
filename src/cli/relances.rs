//! `jlm-batigest relances`: per customer, the late invoices by reminder level, with penalties and
//! recovery indemnities, and (`--lettres DIR`) one printable letter per customer.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use super::context::{Context, Render, block_on, cannot_write, resolve};
use super::values;
use crate::app::relances;
use crate::error::{Error, Kind, Result};
use crate::output::{self, Cell, Column, Destination, Kind as Col, Style, format, lettre, template};
use crate::report::relances::{Client, libelle};

const EXAMPLES: &str = "\
Exemples :
  jlm-batigest relances
      les clients à relancer aujourd'hui, facture par facture, par niveau
  jlm-batigest relances --client CLI00042 --lettres lettres/
      et la lettre de ce client, prête à relire et imprimer
  jlm-batigest relances --au 31/12/2025 --format csv --excel -o relances.csv
  jlm-batigest relances --fail-on-alert --quiet > /dev/null || echo \"mise en demeure à envoyer\"

Niveaux (jours de retard, réglables dans le profil, [profiles.NOM.relances] seuils = [1, 15, 30]) :
1 relance, 2 seconde relance, 3 mise en demeure. Pénalités = reste dû × taux annuel × jours de retard
/ 365, au taux du profil (taux_penalites : aucun taux par défaut, le taux légal change chaque semestre).
Indemnité de 40 € par facture (L441-10) pour les seuls clients professionnels du profil
(professionnels = [\"CLI00042\"] ou \"tous\"). Les avoirs ne sont jamais relancés.";

/// Relances de paiement : factures en retard par client et par niveau, pénalités, lettres
#[derive(Debug, clap::Args)]
#[command(after_help = EXAMPLES)]
pub struct Args {
    /// Date du rapport (défaut : aujourd'hui), AAAA-MM-JJ ou JJ/MM/AAAA
    #[arg(long, value_name = "DATE", value_parser = values::date)]
    au: Option<NaiveDate>,

    /// Seulement ce client (code, ex. CLI00042)
    #[arg(long, value_name = "CODE")]
    client: Option<String>,

    /// Écrit une lettre HTML par client dans ce dossier (créé s'il manque) : relance-CODE.html
    #[arg(long, value_name = "DOSSIER")]
    lettres: Option<PathBuf>,

    /// Code de sortie 6 si un client est au niveau 3 (mise en demeure)
    #[arg(long)]
    fail_on_alert: bool,
}

const COLUMNS: [Column; 12] = [
    Column { key: "code_client", header: "Client", kind: Col::Text },
    Column { key: "nom_client", header: "Nom du client", kind: Col::Text },
    Column { key: "professionnel", header: "Pro", kind: Col::Bool },
    Column { key: "niveau", header: "Niveau", kind: Col::Integer },
    Column { key: "relance", header: "Relance", kind: Col::Text },
    Column { key: "numero_facture", header: "Facture", kind: Col::Text },
    Column { key: "date_facture", header: "Date", kind: Col::Date },
    Column { key: "date_echeance", header: "Échéance", kind: Col::Date },
    Column { key: "jours_retard", header: "Retard (j)", kind: Col::Integer },
    Column { key: "reste_du", header: "Reste dû", kind: Col::Money },
    Column { key: "penalites", header: "Pénalités", kind: Col::Money },
    Column { key: "indemnite", header: "Indemnité", kind: Col::Money },
];

const BY_CLIENT: [Column; 9] = [
    Column { key: "code_client", header: "Client", kind: Col::Text },
    Column { key: "nom_client", header: "Nom du client", kind: Col::Text },
    Column { key: "niveau", header: "Niveau", kind: Col::Integer },
    Column { key: "relance", header: "Relance", kind: Col::Text },
    Column { key: "nombre", header: "Factures", kind: Col::Integer },
    Column { key: "reste_du", header: "Reste dû", kind: Col::Money },
    Column { key: "penalites", header: "Pénalités", kind: Col::Money },
    Column { key: "indemnites", header: "Indemnités", kind: Col::Money },
    Column { key: "total", header: "Total à réclamer", kind: Col::Money },
];

pub fn run(args: &Args, ctx: &Context) -> Result<()> {
    let cli = ctx.cli;
    let au = args.au.unwrap_or_else(|| chrono::Local::now().date_naive());
    // The letters' folder and template are checked before anything else (the password included):
    // a missing file fails at once.
    if let Some(dir) = &args.lettres {
        not_a_folder(dir)?;
    }
    let settings = ctx.settings()?;
    let template = match &settings.modele_lettre.value {
        Some(path) if args.lettres.is_some() => {
            let text = crate::files::read_text(path).map_err(|e| {
                Error::usage(format!("modèle de lettre {} illisible : {}", path.display(), crate::files::reason(&e)))
                    .with_hint("[profiles.NOM.relances] modele = \"lettre.html\" (relatif au fichier de configuration)")
            })?;
            lettre::Modele::new(text).map_err(|e| {
                Error::usage(format!("modèle de lettre {} invalide : {}", path.display(), template::reason(&e)))
                    .with_hint(format!(
                        "ses champs s'écrivent {{{{client_nom}}}}, {{{{total}}}}… : {}",
                        lettre::CHAMPS.join(", ")
                    ))
            })?
        }
        _ => lettre::Modele::integre(),
    };
    let app = resolve(ctx)?;
    let render = &ctx.render;
    let regles = app.settings.relances.value.clone();
    let clients = block_on(async {
        let mut client = app.connect().await?;
        relances::plan(&app, &mut client, args.client.as_deref(), au).await
    })?;

    let mut destination = render.destination()?;
    let mut sink = output::sink(render.options, "relances", &mut destination);
    sink.begin(&COLUMNS)?;
    for client in &clients {
        for f in &client.factures {
            let cells = [
                client.code.as_str().into(),
                client.nom.as_str().into(),
                client.professionnel.into(),
                i64::from(f.niveau).into(),
                libelle(f.niveau).into(),
                f.numero_facture.as_str().into(),
                f.date_facture.into(),
                f.date_echeance.into(),
                i64::from(f.jours_retard).into(),
                f.reste_du.into(),
                f.penalites.into(),
                f.indemnite.into(),
            ];
            sink.row(&cells, Style { highlight: f.niveau == 3 })?;
        }
    }
    let summary: Vec<Vec<Cell>> = clients.iter().map(client_cells).collect();
    let title = format!("Par client au {}", format::date_fr(au));
    sink.section("par_client", &title, &BY_CLIENT, summary)?;
    sink.finish()?;
    Render::commit(destination)?;

    if let Some(dir) = &args.lettres {
        write_letters(dir, &template, &clients, au, regles.taux_penalites)?;
        if !cli.quiet {
            eprintln!("{} lettre(s) écrite(s) dans {}.", clients.len(), dir.display());
        }
    }
    if regles.taux_penalites.is_none() && !clients.is_empty() && !cli.quiet {
        eprintln!(
            "Aide : pénalités non calculées, aucun taux n'est configuré ; indiquez le taux annuel en vigueur dans le \
             profil : [profiles.NOM.relances] taux_penalites = 12.15"
        );
    }
    let formal = clients.iter().filter(|client| client.niveau() == 3).count();
    if args.fail_on_alert && formal > 0 {
        return Err(Error::new(Kind::Alert, format!("alerte : {formal} client(s) au niveau 3 (mise en demeure)")));
    }
    Ok(())
}

fn client_cells(client: &Client) -> Vec<Cell> {
    let niveau = client.niveau();
    vec![
        client.code.as_str().into(),
        client.nom.as_str().into(),
        i64::from(niveau).into(),
        libelle(niveau).into(),
        (client.factures.len() as i64).into(),
        client.reste_du().into(),
        client.penalites().into(),
        client.indemnites().into(),
        client.total().into(),
    ]
}

fn not_a_folder(dir: &Path) -> Result<()> {
    if dir.exists() && !dir.is_dir() {
        return Err(Error::usage(format!("--lettres {} : ce n'est pas un dossier", dir.display()))
            .with_hint("indiquez un dossier (créé s'il manque), par exemple --lettres lettres/"));
    }
    Ok(())
}

/// One letter per customer, each written whole or not at all.
fn write_letters(
    dir: &Path,
    template: &lettre::Modele,
    clients: &[Client],
    au: NaiveDate,
    taux: Option<rust_decimal::Decimal>,
) -> Result<()> {
    not_a_folder(dir)?;
    std::fs::create_dir_all(dir).map_err(|e| cannot_write(dir, e))?;
    let mut taken = std::collections::HashSet::new();
    for client in clients {
        // Two codes that differ only by characters a file name cannot keep get two files.
        let mut name = letter_name(&client.code);
        let mut n = 1;
        while !taken.insert(name.clone()) {
            n += 1;
            name = letter_name(&format!("{}-{n}", client.code));
        }
        let path = dir.join(name);
        let mut file = Destination::open(Some(&path)).map_err(|e| cannot_write(&path, e))?;
        template.write(&mut file, client, au, taux).map_err(|e| cannot_write(&path, e))?;
        file.commit().map_err(|e| cannot_write(&path, e))?;
    }
    Ok(())
}

/// `relance-CODE.html`, the code kept to letters, digits, `-` and `_` so it names one file in `dir`.
fn letter_name(code: &str) -> String {
    let safe: String =
        code.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' }).collect();
    format!("relance-{safe}.html")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letter_names_stay_in_their_directory() {
        assert_eq!(letter_name("CLI00042"), "relance-CLI00042.html");
        assert_eq!(letter_name("../../etc/x"), "relance-______etc_x.html");
        assert_eq!(letter_name("É 1"), "relance-__1.html");
    }
}
