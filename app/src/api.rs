//! Server functions that more than one page calls. A page's own server functions live beside it
//! in `pages/`; these read through the ports (`ssr::ports`) like every other.

use crate::domain::fleet::Fleet;
use crate::domain::store::{StoreDetail, StoreRef};
use crate::error::AppError;
use leptos::prelude::*;

/// The live pages' event stream (server-sent events, served by the `server` crate), and the names
/// of its events: the fleet watcher read something a page would show differently (`fleet`), or a
/// run's steps or status changed (`run`, whose data is the run's id, or [`EVERY_RUN`] when the
/// stream fell behind and every run page should read again).
pub const EVENTS_PATH: &str = "/api/events";
pub const FLEET_EVENT: &str = "fleet";
pub const RUN_EVENT: &str = "run";
pub const EVERY_RUN: &str = "*";

/// Every store of every target (the create page lists the targets from it).
#[server(endpoint = "stores/list")]
pub async fn list_key_stores() -> Result<Fleet, AppError> {
    use crate::ssr::{guard, services};
    guard::respond(async {
        guard::require_user().await?;
        Ok(services()?.stores.fleet().await)
    })
    .await
}

/// What Describe says about one store: the store, edit, fix and test pages.
#[server(endpoint = "stores/get")]
pub async fn get_key_store(#[server(flatten)] store: StoreRef) -> Result<StoreDetail, AppError> {
    use crate::ssr::{guard, services};
    guard::respond(async move {
        guard::require_user().await?;
        services()?
            .stores
            .describe(&store.target(), &store.id)
            .await
    })
    .await
}
