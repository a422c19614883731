//! Automatic alerts (`alertes`): what is worth telling (late invoices, reminder thresholds,
//! families under target, margin drift), each told once — recorded in the store, and with
//! channels sent by e-mail and webhook, each alert once per channel.

use std::collections::HashSet;
use std::time::Duration;

use chrono::NaiveDate;

use super::Context;
use crate::batigest::connection::Connection;
use crate::batigest::{analytics, queries, statuses};
use crate::config::{AlertesSettings, Env, Settings, WebhookSettings};
use crate::credentials::Extra;
use crate::error::{Error, Result};
use crate::jlm::Store;
use crate::jlm::alertes::{Canal, Found, Told};
use crate::model::Ouvrage;
use crate::notify::email::Mailer;
use crate::notify::webhook::Webhook;
use crate::notify::{self, Lot};
use crate::report::alertes::{self, Alerte, Genre};
use crate::report::coefficients::{self, Grouping};
use crate::report::factures::OpenFacture;
use crate::report::kpi::Report;
use crate::secret::Secret;

/// How long a run holds the alerts it is sending before another run may take them.
const HOLD: Duration = Duration::from_mins(10);

/// The current alerts at `au`: open invoices, familles under target (when the profile sets
/// targets), and the margin of the last closed month or quarter; by kind, then object.
pub async fn detect(ctx: &Context, client: &mut Connection, au: NaiveDate) -> Result<Vec<Alerte>> {
    let (timeout, mapping) = (ctx.target.timeout, &ctx.mapping);
    let settings = &ctx.settings.alertes.value;
    ctx.check_statuses(client, &[statuses::DEVIS, statuses::FACTURES]).await?;
    let regles = &ctx.settings.relances.value;
    let mut found = Vec::new();
    queries::factures_ouvertes(client, mapping, None, au, timeout, |facture| {
        if let Some(open) = OpenFacture::new(&facture, au) {
            found.extend(alertes::facture(&open, regles));
        }
        Ok::<_, Error>(())
    })
    .await?;
    let coefficient_settings = ctx.coefficient_settings(Grouping::Famille);
    if !coefficient_settings.cibles.is_empty() {
        let mut ouvrages: Vec<Ouvrage> = Vec::new();
        queries::ouvrages(client, mapping, None, timeout, |ouvrage| {
            ouvrages.push(ouvrage);
            Ok::<_, Error>(())
        })
        .await?;
        found.extend(alertes::coefficients(&coefficients::analyse(&ouvrages, &coefficient_settings)));
    }
    if let Some(bucket) = settings.regles.periode_marge.last_closed(au) {
        let period = bucket.period;
        let marge_base = ctx.settings.marge_base.value;
        let months =
            analytics::monthly_sums(client, mapping, (period.from(), period.to()), marge_base, timeout).await?;
        let kpis = Report::from_months(&months, period, None, Vec::new()).total;
        found.extend(alertes::marge(&bucket, &kpis, settings.regles.ecart_marge_points));
    }
    found.sort_by_cached_key(|alerte| (alerte.genre(), alerte.objet().to_owned(), alerte.cle()));
    Ok(found)
}

/// The alerts as the store keeps them: key, kind, sentence, typed figures.
pub fn found(alertes: &[Alerte]) -> Vec<Found> {
    alertes
        .iter()
        .map(|alerte| Found {
            cle: alerte.cle(),
            genre: alerte.genre().code().to_owned(),
            message: notify::message(alerte),
            data_json: notify::data(alerte).to_json(),
        })
        .collect()
}

/// What a run did with its alerts.
pub struct Outcome {
    /// The keys first seen by this run.
    pub new: HashSet<String>,
    /// Every alert of the store, with its sending times.
    pub told: Vec<Told>,
    /// What each channel did (nothing without channels).
    pub deliveries: Vec<Delivery>,
}

/// Compares the run's alerts with those already told. Without channels nothing is recorded here:
/// the face records them with [`record`] once it has told them itself (its output written whole).
/// With channels they are recorded, claimed, sent on each channel that has not sent them, and
/// marked sent. `dry_run` records and sends nothing.
pub async fn notify(
    store: &Store,
    rows: &[Found],
    channels: Option<&Channels>,
    (profile, au, dry_run): (&str, NaiveDate, bool),
) -> Result<Outcome> {
    let Some(channels) = channels.filter(|_| !dry_run) else {
        let told = store.alertes().await?;
        let known: HashSet<&str> = told.iter().map(|t| t.cle.as_str()).collect();
        let new = rows.iter().filter(|row| !known.contains(row.cle.as_str())).map(|row| row.cle.clone()).collect();
        return Ok(Outcome { new, told, deliveries: Vec::new() });
    };
    let recorded = store.record_alertes(rows, &recurring(), &channels.canaux(), HOLD).await?;
    let Some(claim) = recorded.claim else {
        return Ok(Outcome { new: recorded.new, told: recorded.told, deliveries: Vec::new() });
    };
    let deliveries = channels.deliver(&claim.alertes, profile, au).await;
    let sent: Vec<Canal> = deliveries.iter().filter(|d| d.result.is_ok()).map(|d| d.canal).collect();
    store.finish_claim(&claim, &sent).await?;
    Ok(Outcome { new: recorded.new, told: store.alertes().await?, deliveries })
}

/// Records the run's alerts as told, without channels (after the face has shown them).
pub async fn record(store: &Store, rows: &[Found]) -> Result<()> {
    Ok(store.record_alertes(rows, &recurring(), &[], HOLD).await.map(drop)?)
}

/// The kinds of alert that are states, told again when they come back.
fn recurring() -> Vec<&'static str> {
    Genre::ALL.into_iter().filter(|genre| genre.recurs()).map(Genre::code).collect()
}

/// The profile's channels, ready to send.
pub struct Channels {
    email: Option<(Mailer, String)>,
    webhook: Option<Webhook>,
}

/// What one channel did with a run's alerts: how many it sent, or why not.
pub struct Delivery {
    pub canal: Canal,
    /// « à compta@jlm.fr » and the like, for the summary.
    pub to: String,
    pub result: Result<usize>,
}

impl Delivery {
    pub fn name(&self) -> &'static str {
        match self.canal {
            Canal::Email => "E-mail",
            Canal::Webhook => "Webhook",
        }
    }
}

impl Channels {
    /// The channels of the profile, every address, file and secret checked before anything is
    /// asked of Batigest (exit 2); none is a usage error.
    pub fn prepare(settings: &Settings, env: &Env) -> Result<Self> {
        let alertes: &AlertesSettings = &settings.alertes.value;
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
        let webhook = alertes.webhook.as_ref().map(|webhook| signed_webhook(webhook, settings, env)).transpose()?;
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
                let result = mailer.send(&lot).await.map(|()| lot.alertes.len()).map_err(Error::from);
                deliveries.push(Delivery { canal: Canal::Email, to: to.clone(), result });
            }
        }
        if let Some(webhook) = &self.webhook {
            let lot = lot(Canal::Webhook);
            if !lot.alertes.is_empty() {
                let result = async {
                    let envoi = crate::secret::random_hex::<16>()?;
                    let body = lot.body(&envoi, chrono::Utc::now().naive_utc()).to_json()?;
                    Ok(webhook.send(body.as_bytes(), &envoi).await.map(|()| lot.alertes.len())?)
                }
                .await;
                deliveries.push(Delivery { canal: Canal::Webhook, to: String::new(), result });
            }
        }
        deliveries
    }
}

/// A webhook of the profile (`[alertes.webhook]`, `[sync.webhook]`) with its signing key when it
/// signs: `JLM_BATIGEST_WEBHOOK_SECRET`, else the keyring (`alertes login-webhook`).
pub(super) fn signed_webhook(webhook: &WebhookSettings, settings: &Settings, env: &Env) -> Result<Webhook> {
    let key =
        if webhook.signer { secret(Extra::WebhookKey, &settings.profile, env.webhook_secret.as_ref()) } else { None };
    Ok(Webhook::new(webhook, key.as_ref(), settings.timeout.value)?)
}

/// The variable if set, else the keyring; `None` when neither has it (the channel then says what
/// is missing).
fn secret(extra: Extra, profile: &str, from_env: Option<&Secret>) -> Option<Secret> {
    extra.load(profile, from_env).unwrap_or_else(|error| {
        tracing::info!("{} : trousseau illisible : {error}", extra.what());
        None
    })
}
