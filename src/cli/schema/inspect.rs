//! `jlm-batigest schema inspect`: candidates for every logical field, and a mapping file to complete.

use crate::cli::context::Context;
use std::io::Write;
use std::path::PathBuf;

use crate::batigest::inspect::{self, State, TableReport};
use crate::batigest::schema::{FieldType, Ident, LAYOUT};
use crate::batigest::statuses::{self, CensusColumns};

use crate::cli::context::{Render, block_on, cannot_write, resolve};
use crate::error::{Error, Result};
use crate::output::{self, Cell, Column, Destination, Kind};

const EXAMPLES: &str = "\
Exemples :
  jlm-batigest --schema batigest schema inspect
  jlm-batigest --schema batigest schema inspect --write correspondance.toml
  jlm-batigest --schema correspondance.toml test-connection --check-schema
      confirme ensuite que chaque table et colonne du fichier existe

Pour chaque colonne de statut, le fichier liste les codes trouvés avec leur nombre de lignes, leurs
dates et, pour les devis, combien ont une DateConcretis (un devis concrétisé est ACCEPTE quel que
soit son code) : il reste à nommer chaque code avec le client.

Un champ « relié » l'est par la correspondance active ; « proposé » : une colonne porte son nom (ou un
nom que Batigest emploie pour lui) et son type convient ; « à compléter » : rien de sûr, les candidats
plus lointains sont listés. « Lu exactement » dit si l'outil lit ce champ dans ce type sans rien
perdre (un montant FLOAT ne l'est pas ; MONEY, DECIMAL, NUMERIC et INT le sont).";

/// Lit INFORMATION_SCHEMA et propose une colonne pour chaque champ logique
#[derive(Debug, clap::Args)]
#[command(after_help = EXAMPLES)]
pub struct Args {
    /// Écrit un fichier de correspondance commenté (TOML) à compléter
    #[arg(long, value_name = "FICHIER")]
    write: Option<PathBuf>,

    /// Remplace le fichier de --write s'il existe déjà
    #[arg(long, requires = "write")]
    force: bool,
}

const COLUMNS: [Column; 8] = [
    Column { key: "table", header: "Table", kind: Kind::Text },
    Column { key: "champ", header: "Champ", kind: Kind::Text },
    Column { key: "etat", header: "État", kind: Kind::Text },
    Column { key: "nom", header: "Dans la base", kind: Kind::Text },
    Column { key: "type", header: "Type", kind: Kind::Text },
    Column { key: "lisible", header: "Lu exactement", kind: Kind::Text },
    Column { key: "absent", header: "Absent de la base", kind: Kind::Text },
    Column { key: "candidats", header: "Autres candidats", kind: Kind::Text },
];

fn text(items: &[String]) -> Cell {
    if items.is_empty() { Cell::Empty } else { items.join(", ").into() }
}

fn rows(reports: &[TableReport]) -> Vec<[Cell; 8]> {
    let mut rows = Vec::new();
    for report in reports {
        rows.push([
            report.spec.name.into(),
            Cell::Empty,
            report.state.label().into(),
            report.table.clone().into(),
            Cell::Empty,
            Cell::Empty,
            report.missing.clone().into(),
            text(&report.candidates),
        ]);
        for field in &report.fields {
            let (data_type, readable) = match &field.data_type {
                Some((data_type, Ok(()))) => (data_type.as_str().into(), "oui".into()),
                Some((data_type, Err(why))) => (data_type.as_str().into(), format!("non : {why}").into()),
                None => (Cell::Empty, Cell::Empty),
            };
            rows.push([
                report.spec.name.into(),
                field.spec.name.into(),
                field.state.label().into(),
                field.column.clone().into(),
                data_type,
                readable,
                field.missing.clone().into(),
                text(&field.candidates),
            ]);
        }
    }
    rows
}

pub fn run(args: &Args, ctx: &Context) -> Result<()> {
    let cli = ctx.cli;
    if let Some(path) = &args.write
        && path.exists()
        && !args.force
    {
        return Err(Error::usage(format!("{} existe déjà : rien n'a été écrit", path.display()))
            .with_hint("choisissez un autre nom, ou ajoutez --force pour le remplacer"));
    }
    let batigest = resolve(ctx)?;
    let render = &ctx.render;
    let timeout = batigest.target.timeout;
    let mapping = &batigest.mapping;
    let (reports, values) = block_on(async {
        let mut client = batigest.connect().await?;
        let columns = inspect::columns(&mut client, timeout).await?;
        let reports = inspect::inspect(mapping, &columns);
        // What each status code holds (rows, dates, validated rows), for whoever writes its value map.
        let mut values = Vec::new();
        for report in &reports {
            let Some(table) = report.table.as_deref().and_then(|t| Ident::new(t).ok()) else { continue };
            let column = |name: &str| {
                report
                    .fields
                    .iter()
                    .find(|f| f.spec.name == name)
                    .and_then(|f| f.column.as_deref())
                    .and_then(|c| Ident::new(c).ok())
            };
            let (date, validated) = match report.spec.name {
                "devis" => (column("date_creation"), column("date_validation")),
                "factures" => (column("date_facture"), None),
                _ => (None, None),
            };
            for field in report.fields.iter().filter(|f| f.spec.ty == FieldType::Status) {
                let Some(status) = field.column.as_deref().and_then(|c| Ident::new(c).ok()) else { continue };
                let columns = CensusColumns {
                    table: &table,
                    status: &status,
                    date: date.as_ref(),
                    validated: validated.as_ref(),
                };
                let found = statuses::census(&mut client, &columns, timeout).await?;
                let validated_name = validated.as_ref().map(|v| v.name().to_owned());
                values.push(((report.spec.name, field.spec.name), validated_name, found));
            }
        }
        Ok::<_, Error>((reports, values))
    })?;

    let mut destination = render.destination()?;
    let mut sink = output::sink(render.options, "champs", &mut destination);
    sink.begin(&COLUMNS)?;
    for row in rows(&reports) {
        sink.row(&row, output::Style { highlight: row[2] == Cell::from(State::Open.label()) })?;
    }
    sink.finish()?;
    Render::commit(destination)?;

    if let Some(path) = &args.write {
        let text = inspect::mapping_file(&reports, mapping, &batigest.target.database, &values);
        let written = Destination::open(Some(path))
            .and_then(|mut file| file.write_all(text.as_bytes()).and_then(|()| file.commit()))
            .map_err(|e| cannot_write(path, e));
        written?;
        if !cli.quiet {
            let count = |state| reports.iter().flat_map(|r| &r.fields).filter(|f| f.state == state).count();
            let total: usize = LAYOUT.iter().map(|t| t.fields.len()).sum();
            let mut stderr = std::io::stderr().lock();
            let _ = writeln!(
                stderr,
                "Correspondance écrite dans {} : {} champs reliés, {} proposés, {} à compléter (sur {total}).\n\
                 Vérifiez-la, complétez-la, puis : jlm-batigest --schema {} test-connection --check-schema",
                path.display(),
                count(State::Resolved),
                count(State::Proposed),
                count(State::Open),
                path.display(),
            );
        }
    }
    Ok(())
}
