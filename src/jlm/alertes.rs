//! The alerts told so far (`batigest_alertes`), so that each is told once: a run records the
//! alerts it finds, claims those not yet sent on its channels, sends them, then marks them sent.

use std::collections::HashSet;
use std::time::Duration;

use chrono::{NaiveDateTime, Utc};

use super::Result;
use super::{Columns, Store, Ty, now_text, query};

/// A delivery channel, by the column that says when an alert went through it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Canal {
    Email,
    Webhook,
}

impl Canal {
    fn column(self) -> &'static str {
        match self {
            Canal::Email => "email_envoye_at",
            Canal::Webhook => "webhook_envoye_at",
        }
    }
}

/// An alert found by this run, as it is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub cle: String,
    pub genre: String,
    pub message: String,
    pub data_json: String,
}

/// An alert of the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Told {
    pub id: String,
    pub cle: String,
    pub genre: String,
    pub message: String,
    pub data_json: String,
    /// UTC.
    pub detectee_at: NaiveDateTime,
    pub email_envoye_at: Option<NaiveDateTime>,
    pub webhook_envoye_at: Option<NaiveDateTime>,
}

impl Told {
    pub fn sent_on(&self, canal: Canal) -> bool {
        match canal {
            Canal::Email => self.email_envoye_at.is_some(),
            Canal::Webhook => self.webhook_envoye_at.is_some(),
        }
    }
}

/// What recording a run's alerts gave.
#[derive(Debug, Default)]
pub struct Recorded {
    /// The keys first seen by this run.
    pub new: HashSet<String>,
    /// Every alert of the store after recording, by key order.
    pub told: Vec<Told>,
    /// The claim of this run on the alerts it is to send (`None` when it sends nothing).
    pub claim: Option<Claim>,
}

/// The alerts a run holds for sending, until it says they were sent or lets them go.
#[derive(Debug)]
pub struct Claim {
    run: String,
    /// The claimed alerts, oldest first.
    pub alertes: Vec<Told>,
}

const COLUMNS: &str = "CAST(id AS TEXT), cle, genre, message, CAST(data_json AS TEXT), CAST(detectee_at AS TEXT), \
                       CAST(email_envoye_at AS TEXT), CAST(webhook_envoye_at AS TEXT)";

impl Store {
    /// Every alert of the store, by key.
    pub async fn alertes(&self) -> Result<Vec<Told>> {
        let rows = query(&format!("SELECT {COLUMNS} FROM batigest_alertes ORDER BY cle"))
            .fetch_all(&self.pool)
            .await
            .map_err(|e| self.error("lecture de batigest_alertes impossible", e))?;
        rows.iter().map(|row| self.told(row)).collect()
    }

    /// Records the alerts of this run in one transaction: those never seen are added, those of a
    /// `recurring` genre that are over are forgotten (told again if they come back), and, for `canaux`, the
    /// alerts not yet sent on one of them are claimed for `hold` — a claim another run still
    /// holds is left to it.
    pub async fn record_alertes(
        &self,
        found: &[Found],
        recurring: &[&str],
        canaux: &[Canal],
        hold: Duration,
    ) -> Result<Recorded> {
        let fail = |e: sqlx::Error| self.error("enregistrement des alertes impossible", e);
        let mut tx = self.write("alertes").await?;
        let known: Vec<(String, String)> =
            sqlx::query_as("SELECT cle, genre FROM batigest_alertes").fetch_all(&mut *tx).await.map_err(&fail)?;
        let known_keys: HashSet<&str> = known.iter().map(|(cle, _)| cle.as_str()).collect();
        let found_keys: HashSet<&str> = found.iter().map(|alerte| alerte.cle.as_str()).collect();
        let now = now_text();
        let insert = format!(
            "INSERT INTO batigest_alertes (id, cle, genre, message, data_json, detectee_at) \
             VALUES ({}, $1, $2, $3, {}, {})",
            self.new_id(),
            self.param(4, Ty::Json),
            self.param(5, Ty::Timestamp)
        );
        let mut new = HashSet::new();
        for alerte in found.iter().filter(|alerte| !known_keys.contains(alerte.cle.as_str())) {
            query(&insert)
                .bind(alerte.cle.clone())
                .bind(alerte.genre.clone())
                .bind(alerte.message.clone())
                .bind(alerte.data_json.clone())
                .bind(now.clone())
                .execute(&mut *tx)
                .await
                .map_err(&fail)?;
            new.insert(alerte.cle.clone());
        }
        let over = known
            .iter()
            .filter(|(cle, genre)| !found_keys.contains(cle.as_str()) && recurring.contains(&genre.as_str()));
        for (cle, _) in over {
            sqlx::query("DELETE FROM batigest_alertes WHERE cle = $1")
                .bind(cle.clone())
                .execute(&mut *tx)
                .await
                .map_err(&fail)?;
        }
        let claim = if canaux.is_empty() {
            None
        } else {
            let run: String =
                sqlx::query_scalar(&format!("SELECT {}", self.new_id())).fetch_one(&mut *tx).await.map_err(&fail)?;
            let until = (Utc::now().naive_utc() + hold).format("%Y-%m-%d %H:%M:%S%.6f").to_string();
            let pending: Vec<String> = canaux.iter().map(|canal| format!("{} IS NULL", canal.column())).collect();
            query(&format!(
                "UPDATE batigest_alertes SET reserve_par = $1, reserve_jusqua = {} \
                 WHERE ({}) AND (reserve_jusqua IS NULL OR reserve_jusqua < {})",
                self.param(2, Ty::Timestamp),
                pending.join(" OR "),
                self.param(3, Ty::Timestamp)
            ))
            .bind(run.clone())
            .bind(until)
            .bind(now.clone())
            .execute(&mut *tx)
            .await
            .map_err(&fail)?;
            let rows = query(&format!(
                "SELECT {COLUMNS} FROM batigest_alertes WHERE reserve_par = $1 ORDER BY detectee_at, cle"
            ))
            .bind(run.clone())
            .fetch_all(&mut *tx)
            .await
            .map_err(&fail)?;
            let alertes = rows.iter().map(|row| self.told(row)).collect::<Result<_>>()?;
            Some(Claim { run, alertes })
        };
        let rows = query(&format!("SELECT {COLUMNS} FROM batigest_alertes ORDER BY cle"))
            .fetch_all(&mut *tx)
            .await
            .map_err(&fail)?;
        let told = rows.iter().map(|row| self.told(row)).collect::<Result<_>>()?;
        tx.commit().await.map_err(&fail)?;
        Ok(Recorded { new, told, claim })
    }

    /// Ends a claim: its alerts are marked sent on each channel of `sent`, and released for the
    /// next run on the others.
    pub async fn finish_claim(&self, claim: &Claim, sent: &[Canal]) -> Result<()> {
        let fail = |e: sqlx::Error| self.error("enregistrement des envois d'alertes impossible", e);
        let mut tx = self.write("alertes").await?;
        let now = now_text();
        for canal in sent {
            query(&format!(
                "UPDATE batigest_alertes SET {column} = {} WHERE reserve_par = $1 AND {column} IS NULL",
                self.param(2, Ty::Timestamp),
                column = canal.column()
            ))
            .bind(claim.run.clone())
            .bind(now.clone())
            .execute(&mut *tx)
            .await
            .map_err(&fail)?;
        }
        sqlx::query("UPDATE batigest_alertes SET reserve_par = NULL, reserve_jusqua = NULL WHERE reserve_par = $1")
            .bind(claim.run.clone())
            .execute(&mut *tx)
            .await
            .map_err(&fail)?;
        tx.commit().await.map_err(&fail)
    }

    fn told(&self, row: &sqlx::any::AnyRow) -> Result<Told> {
        let c = Columns { row, location: &self.location };
        Ok(Told {
            id: c.text(0)?.unwrap_or_default(),
            cle: c.text(1)?.unwrap_or_default(),
            genre: c.text(2)?.unwrap_or_default(),
            message: c.text(3)?.unwrap_or_default(),
            data_json: c.text(4)?.unwrap_or_default(),
            detectee_at: c.timestamp(5)?.unwrap_or_default(),
            email_envoye_at: c.timestamp(6)?,
            webhook_envoye_at: c.timestamp(7)?,
        })
    }
}
