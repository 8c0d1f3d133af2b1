//! One file per page, named after its route, with the server functions that back its buttons.
//!
//! | route | file |
//! |---|---|
//! | `/` | `stores.rs`: every key store of every target |
//! | `/stores/{account}/{region}/{id}` | `store.rs` |
//! | `…/edit` | `edit.rs` |
//! | `…/fix` | `fix.rs` |
//! | `…/test` | `test_connection.rs` |
//! | `/create` | `create.rs` |
//! | `/review/{draft}` | `review.rs` |
//! | `/runs/{id}` | `run.rs` |
//! | `/audit` | `audit.rs` |
//! | `/notifications` | `notifications.rs`: where failure notifications went (operators) |
//! | `/users` | `users.rs`: users, roles, resets and removals |
//! | `/account` | `account.rs`: your own password |
//! | `/login` | `login.rs` |
//! | `/about` | `about.rs`: the backend |
//! | `/demo` | `demo.rs`: the demo control panel |

pub mod about;
pub mod account;
pub mod audit;
pub mod create;
pub mod demo;
pub mod edit;
pub mod fix;
pub mod login;
pub mod notifications;
pub mod review;
pub mod run;
pub mod store;
pub mod stores;
pub mod test_connection;
pub mod users;

use crate::domain::store::StoreRef;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

/// The store a `/stores/{account}/{region}/{id}/…` page is about, read from its route.
pub fn use_store_ref() -> Memo<StoreRef> {
    let params = use_params_map();
    Memo::new(move |_| {
        let p = params.read();
        StoreRef {
            account: p.get("account").unwrap_or_default(),
            region: p.get("region").unwrap_or_default(),
            id: p.get("id").unwrap_or_default(),
        }
    })
}
