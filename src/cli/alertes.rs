//! `jlm-batigest alertes`: the late invoices, reminder thresholds, familles under target and
//! margin drifts worth telling, each told once — by e-mail and webhook with `--notify`.

use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::time::Duration;

use chrono::NaiveDate;

use super::context::{Batigest, Context, Render, block_on, local_time};
use super::values;
use crate::batigest::{analytics, queries, statuses};
use crate::config::{AlertesSettings, Settings};
use crate::credentials::{self, Extra, Keyring};
use crate::error::{Error, Kind, Result};
use crate::jlm::alertes::{Canal, Found, Told};
use crate::model::Ouvrage;
use crate::notify::email::Mailer;
use crate::notify::webhook::Webhook;
use crate::notify::{self, Lot};
use crate::output::{self, Cell, Column, Kind as Col, Style};
use crate::report::alertes::{self, Alerte, Genre};
use crate::report::coefficients::{self, Grouping};
use crate::report::factures::OpenFacture;
use crate::report::kpi::Report;
use crate::secret::Secret;

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

/// How long a run holds the alerts it is sending before another run may take them.
const HOLD: Duration = Duration::from_mins(10);

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
    let settings = Settings::load(&ctx.flags, &ctx.env)?;
    let profile = settings.profile.clone();
    let alertes_settings = settings.alertes.value.clone();
    // The channels are made ready before Batigest is asked anything: a bad address or a missing
    // password is found at once, not after the queries.
    let channels = if args.notify { Some(Channels::prepare(&alertes_settings, &settings, &ctx.env)?) } else { None };
    let batigest = Batigest::resolve(ctx)?;
    let found = block_on(find(&batigest, &alertes_settings, au))?;
    let rows: Vec<Found> = found
        .iter()
        .map(|alerte| Found {
            cle: alerte.cle(),
            genre: alerte.genre().code().to_owned(),
            message: notify::message(alerte),
            data_json: notify::data(alerte).to_string(),
        })
        .collect();
    let recurring: Vec<&str> = Genre::ALL.into_iter().filter(|genre| genre.recurs()).map(Genre::code).collect();
    let canaux: Vec<Canal> = channels.as_ref().map(Channels::canaux).unwrap_or_default();

    // Without channels an alert is told by this very output: it is recorded only once the output
    // is written whole (a full disk must not swallow it). With channels it is told by them: recorded,
    // sent, then listed with its sending times.
    let record_after_output = !args.dry_run && channels.is_none();
    let (new, told, deliveries) = block_on(async {
        let store = batigest.store().await?;
        if args.dry_run || channels.is_none() {
            let told = store.alertes().await?;
            let known: HashSet<&str> = told.iter().map(|t| t.cle.as_str()).collect();
            let new = rows.iter().filter(|row| !known.contains(row.cle.as_str())).map(|row| row.cle.clone()).collect();
            return Ok((new, told, Vec::new()));
        }
        let recorded = store.record_alertes(&rows, &recurring, &canaux, HOLD).await?;
        let Some(claim) = recorded.claim else { return Ok((recorded.new, recorded.told, Vec::new())) };
        let channels = channels.as_ref().expect("a claim is made for channels");
        let deliveries = channels.deliver(&claim.alertes, &profile, au).await;
        let sent: Vec<Canal> = deliveries.iter().filter(|d| d.result.is_ok()).map(|d| d.canal).collect();
        store.finish_claim(&claim, &sent).await?;
        Ok::<_, Error>((recorded.new, store.alertes().await?, deliveries))
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
        block_on(async { batigest.store().await?.record_alertes(&rows, &recurring, &[], HOLD).await })?;
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

/// The current alerts: open invoices at `au`, familles under target (when the profile sets
/// targets), and the margin of the last closed month or quarter.
async fn find(batigest: &Batigest, settings: &AlertesSettings, au: NaiveDate) -> Result<Vec<Alerte>> {
    let timeout = batigest.target.timeout;
    let mapping = &batigest.mapping;
    let mut client = batigest.connect().await?;
    batigest.check_statuses(&mut client, &[statuses::DEVIS, statuses::FACTURES]).await?;
    let regles = &batigest.settings.relances.value;
    let mut found = Vec::new();
    queries::factures_ouvertes(&mut client, mapping, None, au, timeout, |facture| {
        if let Some(open) = OpenFacture::new(&facture, au) {
            found.extend(alertes::facture(&open, regles));
        }
        Ok::<_, Error>(())
    })
    .await?;
    let coefficient_settings = batigest.coefficient_settings(Grouping::Famille);
    if !coefficient_settings.cibles.is_empty() {
        let mut ouvrages: Vec<Ouvrage> = Vec::new();
        queries::ouvrages(&mut client, mapping, None, timeout, |ouvrage| {
            ouvrages.push(ouvrage);
            Ok::<_, Error>(())
        })
        .await?;
        found.extend(alertes::coefficients(&coefficients::analyse(&ouvrages, &coefficient_settings)));
    }
    if let Some(bucket) = settings.regles.periode_marge.last_closed(au) {
        let period = bucket.period;
        let months = analytics::monthly_sums(
            &mut client,
            mapping,
            (period.from(), period.to()),
            batigest.settings.marge_base.value,
            timeout,
        )
        .await?;
        let kpis = Report::from_months(&months, period, None, Vec::new()).total;
        found.extend(alertes::marge(&bucket, &kpis, settings.regles.ecart_marge_points));
    }
    found.sort_by_cached_key(|alerte| (alerte.genre(), alerte.objet().to_owned(), alerte.cle()));
    Ok(found)
}

/// The profile's channels, ready to send.
struct Channels {
    email: Option<(Mailer, String)>,
    webhook: Option<Webhook>,
}

/// What one channel did with a run's alerts: how many it sent, or why not.
struct Delivery {
    canal: Canal,
    /// « à compta@jlm.fr » and the like, for the summary.
    to: String,
    result: Result<usize>,
}

impl Delivery {
    fn name(&self) -> &'static str {
        match self.canal {
            Canal::Email => "E-mail",
            Canal::Webhook => "Webhook",
        }
    }
}

impl Channels {
    fn prepare(alertes: &AlertesSettings, settings: &Settings, env: &crate::config::Env) -> Result<Self> {
        if alertes.email.is_none() && alertes.webhook.is_none() {
            return Err(Error::usage(format!(
                "--notify : aucun canal d'alerte dans le profil « {} »",
                settings.profile
            ))
            .with_hint(
                "ajoutez [profiles.NOM.alertes.email] (serveur, de, a) ou [profiles.NOM.alertes.webhook] (url) au \
                     fichier de configuration (jlm-batigest alertes --help)",
            ));
        }
        let timeout = settings.timeout.value;
        let email = match &alertes.email {
            Some(email) => {
                let password = if email.utilisateur.is_some() {
                    secret(Extra::SmtpPassword, &settings.profile, env.smtp_password.as_ref())
                } else {
                    None
                };
                Some((
                    Mailer::new(email, password.as_ref(), timeout)?,
                    format!(" à {}", email.a.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")),
                ))
            }
            None => None,
        };
        let webhook = match &alertes.webhook {
            Some(webhook) => {
                let key = if webhook.signer {
                    secret(Extra::WebhookKey, &settings.profile, env.webhook_secret.as_ref())
                } else {
                    None
                };
                Some(Webhook::new(webhook, key.as_ref(), timeout)?)
            }
            None => None,
        };
        Ok(Self { email, webhook })
    }

    fn canaux(&self) -> Vec<Canal> {
        let mut canaux = Vec::new();
        if self.email.is_some() {
            canaux.push(Canal::Email);
        }
        if self.webhook.is_some() {
            canaux.push(Canal::Webhook);
        }
        canaux
    }

    /// Sends, on each channel, the claimed alerts it has not sent yet. A channel with nothing to
    /// send sends nothing.
    async fn deliver(&self, claimed: &[Told], profil: &str, au: NaiveDate) -> Vec<Delivery> {
        let lot = |canal: Canal| Lot { profil, au, alertes: claimed.iter().filter(|t| !t.sent_on(canal)).collect() };
        let mut deliveries = Vec::new();
        if let Some((mailer, to)) = &self.email {
            let lot = lot(Canal::Email);
            if !lot.alertes.is_empty() {
                let result = mailer.send(&lot).await.map(|()| lot.alertes.len());
                deliveries.push(Delivery { canal: Canal::Email, to: to.clone(), result });
            }
        }
        if let Some(webhook) = &self.webhook {
            let lot = lot(Canal::Webhook);
            if !lot.alertes.is_empty() {
                let result = async {
                    let envoi = crate::secret::random_hex::<16>()?;
                    let body = lot.json(&envoi, chrono::Utc::now().naive_utc()).to_string();
                    webhook.send(body.as_bytes(), &envoi).await.map(|()| lot.alertes.len())
                }
                .await;
                deliveries.push(Delivery { canal: Canal::Webhook, to: String::new(), result });
            }
        }
        deliveries
    }
}

/// The variable if set, else the keyring; `None` when neither has it (the channel then says what
/// is missing).
fn secret(extra: Extra, profile: &str, from_env: Option<&Secret>) -> Option<Secret> {
    extra.load(profile, from_env).unwrap_or_else(|error| {
        tracing::info!("{} : trousseau illisible : {error}", extra.what());
        None
    })
}

/// `alertes login-smtp` / `login-webhook`: reads the secret and keeps it in the keyring.
fn login(ctx: &Context, extra: Extra) -> Result<()> {
    let settings = Settings::load(&ctx.flags, &ctx.env)?;
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
