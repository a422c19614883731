//! The sync trace (`integrations`, `GET /integrations`, the dashboard): one row per synced devis
//! with its JLM ERP offer, and the journal of every attempt.

use crate::error::Result;
use crate::jlm::Store;
use crate::jlm::integrations::{IntegrationRow, LogEntry};

/// The integration rows, last synced first, of one `sync_status` or all.
pub async fn list(store: &Store, sync_status: Option<&str>, limit: Option<u64>) -> Result<Vec<IntegrationRow>> {
    Ok(store.integrations(sync_status, limit).await?)
}

/// The journal, newest first.
pub async fn journal(store: &Store, limit: Option<u64>) -> Result<Vec<LogEntry>> {
    Ok(store.sync_log(limit).await?)
}
