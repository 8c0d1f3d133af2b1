//! `/`: every custom key store of every target in one table, with filters, sorting and the page
//! kept in the URL so a view can be shared.

use crate::domain::fleet::{FleetHtml, View};
use crate::error::AppError;
use crate::session::{can_change, SessionResource};
use crate::widgets::{AutoRefresh, LiveUpdates, OperatorLink};
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// The page of the fleet that a view selects, rendered.
#[server(endpoint = "stores/page")]
pub async fn list_fleet_page(view: View) -> Result<FleetHtml, AppError> {
    use crate::ssr::{guard, rendered::Version, services};
    guard::respond(async move {
        guard::require_user().await?;
        let services = services()?;
        let Some(data) = services.stores.fleet_version().await else {
            return Ok(body::render(services.stores.fleet_page(&view).await, &view));
        };
        let second = crate::domain::change::run::now_ms().div_euclid(1000) as u64;
        let version = Version { data, second };
        let key = view.to_query();
        if let Some(kept) = services.fleet_pages.get(version, &key) {
            return Ok(kept);
        }
        let rendered = body::render(services.stores.fleet_page(&view).await, &view);
        services.fleet_pages.keep(version, &key, rendered.clone());
        Ok(rendered)
    })
    .await
}

/// Asks the console's watcher to read every target now (it calls KMS within its budget; the page
/// never does) and returns once the reads are done or the wait is over.
#[server(endpoint = "stores/refresh")]
pub async fn refresh_fleet() -> Result<(), AppError> {
    use crate::ssr::{guard, services};
    guard::respond(async move {
        guard::require_user().await?;
        services()?.stores.refresh().await;
        Ok(())
    })
    .await
}

/// Seconds between reloads of a page without JavaScript while a store is CONNECTING or
/// DISCONNECTING (with JavaScript the page is live).
pub const REFRESH_SECONDS: u32 = 3;

#[component]
pub fn StoresPage() -> impl IntoView {
    let query = use_query_map();
    let view = Memo::new(move |_| View::from_query(|k| query.read().get(k)));
    let refresh = ServerAction::<RefreshFleet>::new();
    let fleet = Resource::new(
        move || (view.get(), refresh.version().get()),
        |(view, _)| async move { list_fleet_page(view).await.map(Shown::from) },
    );
    view! {
        <LiveUpdates reload=Callback::new(move |_| fleet.refetch()) />
        <h1>"Key stores"</h1>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let can_change = can_change(expect_context::<SessionResource>()).await;
                view! {
                    <p>
                        <OperatorLink href="/create".to_string() label="Create key store" can_change class="button" />
                    </p>
                }
            })}
        </Transition>
        <Transition fallback=|| view! { <p>"Loading key stores…"</p> }>
            {move || Suspend::new(async move {
                match fleet.await {
                    Ok(f) => view! { <FleetView fleet=f refresh reload=Callback::new(move |_| fleet.refetch()) /> }.into_any(),
                    Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// What the page keeps of a [`FleetHtml`]. The copy of a server-rendered page's data that goes
/// to the browser leaves the body out: the body is in the page already, and hydration leaves
/// an element's inner HTML as the server sent it. A later read (a change, a Refresh, another
/// view) brings the body and replaces it.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct Shown {
    as_of: String,
    transitioning: bool,
    /// Kept: the browser's copy is then the form's content, so the first read after hydration
    /// does not set the form again under someone's typing.
    filters: Arc<str>,
    #[serde(skip)]
    targets: Arc<str>,
    #[serde(skip)]
    banners: Arc<str>,
    #[serde(skip)]
    list: Arc<str>,
}

impl From<FleetHtml> for Shown {
    fn from(f: FleetHtml) -> Shown {
        Shown {
            as_of: f.as_of,
            transitioning: f.transitioning,
            filters: f.filters,
            targets: f.targets,
            banners: f.banners,
            list: f.list,
        }
    }
}

/// How old the rows are (the console's watcher reads each target in the background) with a
/// Refresh button that asks the watcher to read now, then the rest as the server rendered it.
#[component]
fn FleetView(
    fleet: Shown,
    refresh: ServerAction<RefreshFleet>,
    reload: Callback<()>,
) -> impl IntoView {
    let pending = refresh.pending();
    #[cfg(feature = "hydrate")]
    keep_focus::in_list();
    view! {
        {fleet.transitioning.then(|| view! { <AutoRefresh seconds=REFRESH_SECONDS reload noscript_only=true /> })}
        <div class="freshness">
            <p class="note" data-testid="as-of">{fleet.as_of}</p>
            <ActionForm action=refresh>
                <button type="submit" disabled=move || pending.get()>
                    {move || if pending.get() { "Refreshing…" } else { "Refresh" }}
                </button>
            </ActionForm>
        </div>
        <details class="targets" data-testid="target-ages" inner_html=fleet.targets></details>
        <div class="target-banners" inner_html=fleet.banners></div>
        <form method="get" action="/" class="filters" inner_html=fleet.filters></form>
        <div class="fleet-list" inner_html=fleet.list></div>
    }
}

/// The list's links (a store, a column's sort, a page) are new elements after each update. The
/// one that had the keyboard focus hands it on to its successor, the link with the same address,
/// so that somebody moving through the list with the keyboard keeps their place.
#[cfg(feature = "hydrate")]
mod keep_focus {
    use leptos::prelude::*;
    use wasm_bindgen::JsCast;

    const LIST: &str = ".fleet-list";

    /// Called as the view is built, before the new HTML replaces the old: notes the focused
    /// link, and once the new HTML is in, focuses its successor if the focus went with the old.
    pub fn in_list() {
        let Some(href) = focused_link() else {
            return;
        };
        // After the effects of this build: the new HTML goes in once the view is built, in a
        // later task than this effect's own.
        Effect::new(move |_| {
            let href = href.clone();
            request_animation_frame(move || refocus(&href));
        });
    }

    fn refocus(href: &str) {
        let document = document();
        let lost = document.active_element().is_none_or(|e| {
            document
                .body()
                .is_some_and(|body| body.is_same_node(Some(&e)))
        });
        if !lost {
            return;
        }
        let links = document
            .query_selector(LIST)
            .ok()
            .flatten()
            .and_then(|list| list.query_selector_all("a[href]").ok());
        let Some(links) = links else {
            return;
        };
        let successor = (0..links.length())
            .filter_map(|i| links.item(i))
            .filter_map(|n| n.dyn_into::<web_sys::HtmlElement>().ok())
            .find(|a| a.get_attribute("href").as_deref() == Some(href));
        if let Some(a) = successor {
            let _ = a.focus();
        }
    }

    fn focused_link() -> Option<String> {
        let focused = document().active_element()?;
        focused.closest(LIST).ok().flatten()?;
        (focused.tag_name() == "A")
            .then(|| focused.get_attribute("href"))
            .flatten()
    }
}

/// The list's body, rendered on the server only: the browser sets the HTML the server sends.
#[cfg(feature = "ssr")]
mod body {
    use super::*;
    use crate::domain::change::plan::seconds;
    use crate::domain::connection_errors::summary;
    use crate::domain::fleet::{Column, FleetPage};
    use crate::domain::kms::{ConnectionState, StoreKind, XksProxyConnectivity};
    use crate::domain::store::{StoreRow, TargetFailure, TargetStatus};
    use crate::widgets::format::created;
    use crate::widgets::StateBadge;

    /// Renders `fleet` as `view` shows it.
    pub fn render(fleet: FleetPage, view: &View) -> FleetHtml {
        let oldest = fleet.status.iter().filter_map(|s| s.age_secs).max();
        let as_of = match oldest {
            Some(0) => "As of just now".to_string(),
            Some(age) => format!("As of {} ago", seconds(age)),
            None if fleet.status.is_empty() => String::new(),
            None => "Not read yet".to_string(),
        };
        let FleetPage {
            rows,
            matched,
            total,
            first,
            page,
            pages,
            transitioning,
            failures,
            status,
            accounts,
            regions,
        } = fleet;
        let view = view.clone();
        let stale: Vec<TargetStatus> = status
            .iter()
            .filter(|s| s.stale.is_some())
            .cloned()
            .collect();
        Owner::new().with(|| FleetHtml {
            as_of,
            transitioning,
            filters: view! { <FilterForm view=view.clone() accounts regions /> }
                .to_html()
                .into(),
            targets: view! { <TargetAges status /> }.to_html().into(),
            banners: view! { <Banners stale failures /> }.to_html().into(),
            list: view! { <List rows matched total first page pages transitioning view /> }
                .to_html()
                .into(),
        })
    }

    /// The count, the table and the pager.
    #[allow(clippy::too_many_arguments)]
    #[component]
    fn List(
        rows: Vec<StoreRow>,
        matched: usize,
        total: usize,
        first: usize,
        page: usize,
        pages: usize,
        transitioning: bool,
        view: View,
    ) -> impl IntoView {
        let last = first + rows.len().saturating_sub(1);
        let count = match pages {
            1 => format!("{matched} of {total} key stores"),
            _ => format!(
                "{matched} of {total} key stores · {first}–{last} on page {page} of {pages}"
            ),
        };
        let pager = (pages > 1).then(|| view! { <Pager view=view.clone() page pages /> });
        view! {
            <p class="note" data-testid="count">
                {count}
                {transitioning.then(|| " · a store is changing state; the list follows it".to_string())}
            </p>
            <table class="fleet">
                <colgroup>
                    {Column::ALL.into_iter().map(|c| view! { <col class=format!("col-{}", c.key()) /> }).collect_view()}
                </colgroup>
                <thead>
                    <tr>
                        {Column::ALL
                            .into_iter()
                            .map(|c| {
                                let href = format!("/?{}", view.sorted_by(c).to_query());
                                let mark = match (view.sort == Some(c), view.descending) {
                                    (true, false) => " ▲",
                                    (true, true) => " ▼",
                                    _ => "",
                                };
                                let sort = match (view.sort == Some(c), view.descending) {
                                    (true, false) => "ascending",
                                    (true, true) => "descending",
                                    _ => "none",
                                };
                                view! {
                                    <th aria-sort=sort>
                                        <a href=href>{c.title()}{mark}</a>
                                    </th>
                                }
                            })
                            .collect_view()}
                    </tr>
                </thead>
                <tbody>{rows.into_iter().map(|r| view! { <StoreLine row=r /> }).collect_view()}</tbody>
            </table>
            {(matched == 0).then(|| view! { <p class="note">"No key store matches these filters."</p> })}
            {pager}
        }
    }

    /// A banner for each target whose last read failed (its rows are the last good ones) and
    /// each target that could not be read at all.
    #[component]
    fn Banners(stale: Vec<TargetStatus>, failures: Vec<TargetFailure>) -> impl IntoView {
        view! {
            {stale
                .into_iter()
                .map(|s| {
                    let age = s.age_secs.map_or_else(
                        || "No data has been read from it yet.".to_string(),
                        |a| format!("Its rows are from {} ago.", seconds(a)),
                    );
                    view! {
                        <div class="banner warning" role="status" data-testid="target-stale">
                            <strong>{format!("{} {}: ", s.target.account, s.target.region)}</strong>
                            {format!("the last read failed: {} {age} The console tries again by itself.", s.stale.unwrap_or_default())}
                        </div>
                    }
                })
                .collect_view()}
            {failures
                .into_iter()
                .map(|f| {
                    view! {
                        <div class="banner error" role="alert" data-testid="target-failure">
                            <strong>{format!("{} {}: ", f.target.account, f.target.region)}</strong>
                            {f.message}
                            " The stores of the other targets are listed below."
                        </div>
                    }
                })
                .collect_view()}
        }
    }

    /// Every target's age: the summary line and table inside the page's `<details>`.
    #[component]
    fn TargetAges(status: Vec<TargetStatus>) -> impl IntoView {
        view! {
                <summary>{format!("Targets ({})", status.len())}</summary>
                <table>
                    <thead>
                        <tr>
                            <th>"Account"</th>
                            <th>"Region"</th>
                            <th>"Read"</th>
                            <th>"Last read"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {status
                            .into_iter()
                            .map(|s| {
                                let age = s.age_secs.map_or_else(|| "never".to_string(), |a| format!("{} ago", seconds(a)));
                                let outcome = s.stale.map_or_else(|| "ok".to_string(), |r| format!("failed: {r}"));
                                view! {
                                    <tr>
                                        <td>{s.target.account}</td>
                                        <td>{s.target.region}</td>
                                        <td>{age}</td>
                                        <td>{outcome}</td>
                                    </tr>
                                }
                            })
                            .collect_view()}
                    </tbody>
                </table>
        }
    }

    /// Links to the first, previous, next and last pages, keeping the filters and order.
    #[component]
    fn Pager(view: View, page: usize, pages: usize) -> impl IntoView {
        let link = move |to: usize, label: &'static str, rel: &'static str| {
            let href = format!("/?{}", view.at_page(to).to_query());
            if to == page || to == 0 || to > pages {
                view! { <span class="disabled" aria-disabled="true">{label}</span> }.into_any()
            } else {
                view! { <a href=href rel=rel>{label}</a> }.into_any()
            }
        };
        view! {
            <nav class="pager" aria-label="Pages of the table" data-testid="pager">
                {link(1, "« First", "first")}
                {link(page - 1, "‹ Previous", "prev")}
                <span aria-current="page">{format!("Page {page} of {pages}")}</span>
                {link(page + 1, "Next ›", "next")}
                {link(pages, "Last »", "last")}
            </nav>
        }
    }

    #[component]
    fn StoreLine(row: StoreRow) -> impl IntoView {
        let proxy = match (&row.xks_endpoint, &row.cloud_hsm_cluster_id) {
            (Some(endpoint), _) => format!(
                "{}{} ({})",
                endpoint,
                row.xks_path.clone().unwrap_or_default(),
                row.xks_connectivity
                    .as_ref()
                    .map_or("public endpoint", XksProxyConnectivity::label)
            ),
            (None, Some(cluster)) => format!("cluster {cluster}"),
            _ => String::new(),
        };
        let error = row.error_code.clone().map(|code| {
            let meaning = summary(&code, row.store_type.kind());
            let code = code.to_string();
            view! {
                <code title=code.clone()>{breakable(&code)}</code>
                <span class="meaning">{meaning}</span>
            }
        });
        // Each cell names its column, for the stacked layout of narrow screens.
        view! {
        <tr data-testid="store-row">
            <td data-label="Account">{row.account.clone()}</td>
            <td data-label="Region">{row.region.clone()}</td>
            <td class="name" data-label="Name">
                <a href=row.href("")>{row.name.clone()}</a>
            </td>
            <td class="clip" data-label="ID"><code title=row.id.clone()>{row.id.clone()}</code></td>
            <td data-label="Type">{row.store_type.label().to_string()}</td>
            <td data-label="State"><StateBadge state=row.state.clone() /></td>
            <td class="error-code" data-label="Error"><div>{error}</div></td>
            // Long endpoints are cut short on screen, whole on hover and when copied.
            <td class="proxy clip" data-label="Proxy or cluster">
                <span title=proxy.clone() data-testid="proxy">{proxy.clone()}</span>
            </td>
            <td class="created" data-label="Created">{created(row.created)}</td>
        </tr>
    }
    // Type-erased: a row's full view type is deep enough to overflow the compiler's query depth
    // in the wasm build.
    .into_any()
    }

    /// An identifier such as XKS_PROXY_ACCESS_DENIED, which may wrap after an underscore but never
    /// inside a word.
    fn breakable(code: &str) -> impl IntoView {
        let parts: Vec<String> = code.split('_').map(str::to_string).collect();
        let last = parts.len().saturating_sub(1);
        parts
            .into_iter()
            .enumerate()
            .map(|(i, part)| {
                if i < last {
                    view! { {part} "_" <wbr /> }.into_any()
                } else {
                    view! { {part} }.into_any()
                }
            })
            .collect_view()
    }

    /// The filters' choices, in the order people read them.
    const KINDS: [StoreKind; 2] = [StoreKind::CloudHsm, StoreKind::External];
    const STATES: [ConnectionState; 5] = [
        ConnectionState::Connected,
        ConnectionState::Connecting,
        ConnectionState::Disconnected,
        ConnectionState::Disconnecting,
        ConnectionState::Failed,
    ];

    /// The filters' controls, as `view` sets them.
    #[component]
    fn FilterForm(view: View, accounts: Vec<String>, regions: Vec<String>) -> impl IntoView {
        let option = |value: String, label: String, selected: bool| view! { <option value=value selected=selected>{label}</option> };
        let any = |label: &'static str| view! { <option value="">{label}</option> };
        // Options named by their values (accounts, Regions), the view's choice selected.
        let values = |values: Vec<String>, chosen: Option<&String>| {
            values
                .into_iter()
                .map(|v| {
                    let sel = chosen == Some(&v);
                    option(v.clone(), v, sel)
                })
                .collect_view()
        };
        view! {
                <label>
                    "Type"
                    <select name="type">
                        {any("any type")}
                        {KINDS.iter().map(|k| { let t = k.store_type(); option(t.to_string(), k.label().to_string(), view.store_type.as_ref() == Some(&t)) }).collect_view()}
                    </select>
                </label>
                <label>
                    "State"
                    <select name="state">
                        {any("any state")}
                        {STATES.iter().map(|s| option(s.to_string(), s.to_string(), view.state.as_ref() == Some(s))).collect_view()}
                    </select>
                </label>
                <label>
                    "Account"
                    <select name="account">
                        {any("any account")}
                        {values(accounts, view.account.as_ref())}
                    </select>
                </label>
                <label>
                    "Region"
                    <select name="region">
                        {any("any region")}
                        {values(regions, view.region.as_ref())}
                    </select>
                </label>
                <label>
                    "Search"
                    <input type="search" name="q" value=view.text.clone().unwrap_or_default() placeholder="name, ID, error, endpoint" />
                </label>
                {view.sort.map(|c| view! { <input type="hidden" name="sort" value=c.key() /> })}
                {view.descending.then(|| view! { <input type="hidden" name="dir" value="desc" /> })}
                <button type="submit">"Apply"</button>
                <a href="/" class="reset">"Clear"</a>
        }
    }
}
