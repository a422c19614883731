//! `jlm-batigest alertes`: the late invoices, reminder thresholds, familles under target and
//! margin drifts worth telling, each told once — by e-mail and webhook with `--notify`.

use std::collections::HashMap;
use std::io::Write;

use chrono::NaiveDate;

use super::context::{Context, Render, block_on, local_time, resolve};
use super::values;
use crate::app::alertes::{self, Channels};
use crate::credentials::{self, Extra, Keyring};
use crate::error::{Error, Kind, Result};
use crate::jlm::alertes::{Canal, Told};
use crate::output::{self, Cell, Column, Kind as Col, Style};

const EXAMPLES: &str = "\
Exemples :
  jlm-batigest alertes
      les alertes du jour, chacune marquée nouvelle ou déjà signalée (code 6 s'il y en a de nouvelles)
  jlm-batigest alertes --notify
      et envoie les nouvelles par e-mail et webhook, une seule fois chacune (la ligne à mettre dans cron)
  jlm-batigest alertes --dry-run --notify
      ce qui serait envoyé, sans rien envoyer ni enregistrer
  jlm-batigest alertes login-smtp
      enregistre le mot de passe SMTP dans le trousseau
  openssl rand -hex 32 | jlm-batigest alertes login-webhook --password-stdin
      enregistre la clé qui signe les envois au webhook (la même, donnée au destinataire)

Alertes : facture passée en retard ; facture atteignant un seuil de relance (seconde relance, mise en
demeure) ; famille dont le coefficient moyen passe sous sa cible ; marge réelle du dernier mois clos
(ou trimestre) inférieure de plus de ecart_marge_points points (5 par défaut) à la marge prévue.
Les avoirs ne sont jamais des alertes. Une alerte n'est envoyée qu'une fois par canal ; un envoi
qui échoue est refait au lancement suivant.

Profil :
  [profiles.NOM.alertes]         ecart_marge_points = 5, periode_marge = \"mensuel\" | \"trimestriel\"
  [profiles.NOM.alertes.email]   serveur, port, securite = \"starttls\" | \"tls\", utilisateur, de, a = [..]
  [profiles.NOM.alertes.webhook] url, signer = true";

/// Alertes : retards, seuils de relance, coefficients sous la cible, dérives de marge ; envoi par e-mail et webhook
#[derive(Debug, clap::Args)]
#[command(after_help = EXAMPLES, args_conflicts_with_subcommands = true)]
pub struct Args {
    #[command(subcommand)]
    action: Option<Action>,

    /// Date du rapport (défaut : aujourd'hui), AAAA-MM-JJ ou JJ/MM/AAAA
    #[arg(long, value_name = "DATE", value_parser = values::date)]
    au: Option<NaiveDate>,

    /// Envoie les alertes pas encore envoyées par les canaux du profil (e-mail, webhook)
    #[arg(long)]
    notify: bool,

    /// Calcule et compare sans rien enregistrer ni envoyer
    #[arg(long)]
    dry_run: bool,
}

#[derive(Debug, clap::Subcommand)]
enum Action {
    /// Enregistre le mot de passe SMTP des alertes dans le trousseau
    LoginSmtp,
    /// Enregistre la clé qui signe les envois au webhook dans le trousseau
    LoginWebhook,
}

const COLUMNS: [Column; 9] = [
    Column { key: "etat", header: "État", kind: Col::Text },
    Column { key: "type", header: "Type", kind: Col::Text },
    Column { key: "objet", header: "Objet", kind: Col::Text },
    Column { key: "code_client", header: "Client", kind: Col::Text },
    Column { key: "message", header: "Alerte", kind: Col::Text },
    Column { key: "cle", header: "Clé", kind: Col::Text },
    Column { key: "detectee_le", header: "Détectée le", kind: Col::DateTime },
    Column { key: "email_envoye_le", header: "E-mail", kind: Col::DateTime },
    Column { key: "webhook_envoye_le", header: "Webhook", kind: Col::DateTime },
];

pub fn run(args: &Args, ctx: &Context) -> Result<()> {
    match args.action {
        Some(Action::LoginSmtp) => return login(ctx, Extra::SmtpPassword),
        Some(Action::LoginWebhook) => return login(ctx, Extra::WebhookKey),
        None => {}
    }
    let au = args.au.unwrap_or_else(|| chrono::Local::now().date_naive());
    let settings = ctx.settings()?;
    let profile = settings.profile.clone();
    let alertes_settings = settings.alertes.value.clone();
    // The channels are made ready before Batigest is asked anything: a bad address or a missing
    // password is found at once, not after the queries.
    let channels = if args.notify { Some(Channels::prepare(settings, &ctx.env)?) } else { None };
    let app = resolve(ctx)?;
    let found = block_on(async {
        let mut client = app.connect().await?;
        alertes::detect(&app, &mut client, au).await
    })?;
    let rows = alertes::found(&found);

    // Without channels an alert is told by this very output: it is recorded only once the output
    // is written whole (a full disk must not swallow it). With channels it is told by them: recorded,
    // sent, then listed with its sending times.
    let record_after_output = !args.dry_run && channels.is_none();
    let alertes::Outcome { new, told, deliveries } = block_on(async {
        alertes::notify(&app.store().await?, &rows, channels.as_ref(), (&profile, au, args.dry_run)).await
    })?;

    let render = &ctx.render;
    let mut destination = render.destination()?;
    let mut sink = output::sink(render.options, "alertes", &mut destination);
    sink.begin(&COLUMNS)?;
    let now = chrono::Local::now().naive_local();
    let by_key: HashMap<&str, &Told> = told.iter().map(|t| (t.cle.as_str(), t)).collect();
    for (alerte, row) in found.iter().zip(&rows) {
        let stored = by_key.get(row.cle.as_str()).copied();
        let is_new = new.contains(&row.cle);
        let cells: [Cell; 9] = [
            if is_new { "nouvelle" } else { "déjà signalée" }.into(),
            row.genre.as_str().into(),
            alerte.objet().into(),
            alerte.facture().map(|f| f.code_client.as_str()).into(),
            row.message.as_str().into(),
            row.cle.as_str().into(),
            stored.map(|t| local_time(t.detectee_at)).or_else(|| is_new.then_some(now)).into(),
            stored.and_then(|t| t.email_envoye_at).map(local_time).into(),
            stored.and_then(|t| t.webhook_envoye_at).map(local_time).into(),
        ];
        sink.row(&cells, Style { highlight: is_new })?;
    }
    sink.finish()?;
    Render::commit(destination)?;
    if record_after_output {
        block_on(async { alertes::record(&app.store().await?, &rows).await })?;
    }

    let au_fr = au.format("%d/%m/%Y");
    let known = found.len() - new.len();
    if !ctx.cli.quiet {
        let mut stderr = std::io::stderr().lock();
        if new.is_empty() {
            let _ = writeln!(stderr, "Aucune nouvelle alerte au {au_fr} ({known} déjà signalée(s)).");
        }
        if args.dry_run {
            let _ = writeln!(stderr, "Essai (--dry-run) : rien n'a été enregistré ni envoyé.");
        }
        for delivery in &deliveries {
            if let Ok(count) = &delivery.result {
                let _ = writeln!(stderr, "{} : {count} alerte(s) envoyée(s){}.", delivery.name(), delivery.to);
            }
        }
        let unsent = rows
            .iter()
            .filter(|row| {
                by_key.get(row.cle.as_str()).is_none_or(|t| !t.sent_on(Canal::Email) && !t.sent_on(Canal::Webhook))
            })
            .count();
        if !args.notify && unsent > 0 && (alertes_settings.email.is_some() || alertes_settings.webhook.is_some()) {
            let _ = writeln!(stderr, "Aide : {unsent} alerte(s) jamais envoyée(s) : --notify les envoie.");
        }
    }
    // Every failed channel is told; the run ends with the most serious (unreachable before refused).
    let mut failures: Vec<Error> = deliveries.into_iter().filter_map(|d| d.result.err()).collect();
    failures.sort_by_key(|error| error.kind != Kind::Connection);
    if !failures.is_empty() {
        let first = failures.remove(0);
        for other in &failures {
            other.eprint();
        }
        return Err(first);
    }
    if !new.is_empty() {
        return Err(Error::new(
            Kind::Alert,
            format!("{} nouvelle(s) alerte(s) au {au_fr}, {known} déjà signalée(s)", new.len()),
        ));
    }
    Ok(())
}

/// `alertes login-smtp` / `login-webhook`: reads the secret and keeps it in the keyring.
fn login(ctx: &Context, extra: Extra) -> Result<()> {
    let settings = ctx.settings()?;
    let prompt = format!("{} du profil {} : ", capitalized(extra.what()), settings.profile);
    let secret = credentials::read_new_secret(&prompt, ctx.flags.password_stdin)?;
    let account = extra.account(&settings.profile);
    Keyring::store(&account, &secret)?;
    if !ctx.cli.quiet {
        let _ = writeln!(
            std::io::stderr().lock(),
            "{} enregistré(e) dans le trousseau ({account}).",
            capitalized(extra.what())
        );
    }
    Ok(())
}

fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_default()
}
