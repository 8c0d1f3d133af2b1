//! The HTML document, the router and the frame around every page: header, navigation, footer.

use crate::domain::user::SessionInfo;
use crate::domain::VERSION;
use crate::pages::{login::LoginPage, stores::StoresPage};
use crate::session::{get_session_info, Logout, SessionResource};
use crate::widgets::HydratedMark;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Title};
use leptos_router::{
    components::{Route, Router, Routes, A},
    hooks::use_location,
    Lazy, ParamSegment, SsrMode, StaticSegment,
};

/// The site's files as the document links them: the stylesheet, and the browser code's loader and
/// wasm. The server names them once at start (each with its content hash in a build with hashed
/// files) and provides them; without them, the unhashed names.
#[derive(Clone, Debug)]
pub struct SiteFiles {
    pub css: String,
    pub js: String,
    pub wasm: String,
}

pub fn shell(options: LeptosOptions) -> impl IntoView {
    let files = use_context::<SiteFiles>().unwrap_or_else(|| {
        let stem = format!("/{}/{}", options.site_pkg_dir, options.output_name);
        SiteFiles {
            css: format!("{stem}.css"),
            js: format!("{stem}.js"),
            wasm: format!("{stem}.wasm"),
        }
    });
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <link rel="stylesheet" href=files.css.clone() />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <Hydration files />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// Loads the browser code and hydrates the page, with the request's script nonce. It takes the
/// place of Leptos' `HydrationScripts`, which reads the build's hash file from disk on every
/// request: here the names come from [`SiteFiles`], read once.
#[component]
fn Hydration(files: SiteFiles) -> impl IntoView {
    let nonce = leptos::nonce::use_nonce();
    // The names are the server's own (`/pkg/` and a base64url hash): nothing to escape.
    let start = format!(
        "import('{}').then(m=>m.default({{module_or_path:'{}'}}).then(()=>m.hydrate()));",
        files.js, files.wasm
    );
    view! {
        <link rel="modulepreload" href=files.js crossorigin="anonymous" />
        <link
            rel="preload"
            href=files.wasm
            r#as="fetch"
            r#type="application/wasm"
            crossorigin="anonymous"
        />
        <script type="module" nonce=nonce>
            {start}
        </script>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Title text="cks-console" />
        <Router>
            <Frame />
        </Router>
    }
}

#[component]
fn Frame() -> impl IntoView {
    let location = use_location();
    let session: SessionResource =
        Resource::new(move || location.pathname.get(), |_| get_session_info());
    provide_context(session);
    view! {
        <header class="topbar">
            <a href="/" class="brand">
                "cks-console"
            </a>
            // One wait for the session: the links that depend on the role, then the session bar.
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let info = session.await;
                    let ok = info.as_ref().ok();
                    // Notifications are for operators; the demo control panel exists only with
                    // the embedded simulator.
                    let operator = ok
                        .and_then(|s| s.user.as_ref())
                        .is_some_and(|u| u.role.can_change());
                    let simulator = ok
                        .and_then(|s| s.backend.as_ref())
                        .is_some_and(|b| b.simulator);
                    let bar = match info {
                        Ok(info) => view! { <SessionBar info /> }.into_any(),
                        Err(e) => view! { <span class="error">{e.to_string()}</span> }.into_any(),
                    };
                    view! {
                        <nav aria-label="Main">
                            <A href="/">"Key stores"</A>
                            <A href="/audit">"Audit log"</A>
                            <A href="/about">"Backend"</A>
                            <A href="/users">"Users"</A>
                            {operator.then(|| view! { <A href="/notifications">"Notifications"</A> })}
                            {simulator.then(|| view! { <A href="/demo">"Demo control"</A> })}
                        </nav>
                        {bar}
                    }
                })}
            </Transition>
        </header>
        <main>
            <Routes fallback=|| view! { <NotFound /> <HydratedMark /> }>
                // Async: the server sends whole pages, so they work without JavaScript and
                // can answer with the right status code. Only the list and sign-in pages are in
                // the first download; the others are lazy routes (`lazy_pages` below).
                <Route path=StaticSegment("") view=|| view! { <StoresPage /> <HydratedMark /> } ssr=SsrMode::Async />
                <Route path=StaticSegment("about") view={Lazy::<AboutRoute>::new()} ssr=SsrMode::Async />
                <Route path=StaticSegment("login") view=|| view! { <LoginPage /> <HydratedMark /> } ssr=SsrMode::Async />
                <Route path=StaticSegment("users") view={Lazy::<UsersRoute>::new()} ssr=SsrMode::Async />
                <Route path=StaticSegment("account") view={Lazy::<AccountRoute>::new()} ssr=SsrMode::Async />
                <Route
                    path=(StaticSegment("stores"), ParamSegment("account"), ParamSegment("region"), ParamSegment("id"))
                    view={Lazy::<StoreRoute>::new()}
                    ssr=SsrMode::Async
                />
                <Route
                    path=(StaticSegment("stores"), ParamSegment("account"), ParamSegment("region"), ParamSegment("id"), StaticSegment("edit"))
                    view={Lazy::<EditRoute>::new()}
                    ssr=SsrMode::Async
                />
                <Route
                    path=(StaticSegment("stores"), ParamSegment("account"), ParamSegment("region"), ParamSegment("id"), StaticSegment("fix"))
                    view={Lazy::<FixRoute>::new()}
                    ssr=SsrMode::Async
                />
                <Route
                    path=(StaticSegment("stores"), ParamSegment("account"), ParamSegment("region"), ParamSegment("id"), StaticSegment("test"))
                    view={Lazy::<TestConnectionRoute>::new()}
                    ssr=SsrMode::Async
                />
                <Route path=StaticSegment("create") view={Lazy::<CreateRoute>::new()} ssr=SsrMode::Async />
                <Route path=StaticSegment("demo") view={Lazy::<DemoRoute>::new()} ssr=SsrMode::Async />
                <Route path=(StaticSegment("review"), ParamSegment("draft")) view={Lazy::<ReviewRoute>::new()} ssr=SsrMode::Async />
                <Route path=(StaticSegment("runs"), ParamSegment("id")) view={Lazy::<RunRoute>::new()} ssr=SsrMode::Async />
                <Route path=StaticSegment("audit") view={Lazy::<AuditRoute>::new()} ssr=SsrMode::Async />
                <Route path=StaticSegment("notifications") view={Lazy::<NotificationsRoute>::new()} ssr=SsrMode::Async />
            </Routes>
        </main>
        <footer class="footer">
            <span>{format!("cks-console {VERSION}")}</span>
        </footer>
    }
}

#[component]
fn SessionBar(info: SessionInfo) -> impl IntoView {
    let logout = ServerAction::<Logout>::new();
    let backend = info.backend.map(|b| {
        let class = if b.simulator {
            "backend sim"
        } else {
            "backend aws"
        };
        view! {
            <span class=class data-testid="backend">
                {b.label}
            </span>
        }
    });
    view! {
        <div class="session">
            {backend}
            {info
                .user
                .map(|u| {
                    let federated = u.is_federated();
                    view! {
                        <a class="user" data-testid="user" href="/account" title="Your account">
                            {u.username}
                            " ("
                            {u.role.as_str()}
                            ")"
                        </a>
                        {if federated {
                            // A plain form: the browser follows the answer on to the identity
                            // provider's own sign-out, with or without JavaScript.
                            view! {
                                <form method="post" action=crate::domain::user::OIDC_LOGOUT_PATH>
                                    <button type="submit" class="link">"Sign out"</button>
                                </form>
                            }
                                .into_any()
                        } else {
                            view! {
                                <ActionForm action=logout>
                                    <button type="submit" class="link">
                                        "Sign out"
                                    </button>
                                </ActionForm>
                            }
                                .into_any()
                        }}
                    }
                })}
        </div>
    }
}

#[component]
fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(resp) = use_context::<leptos_axum::ResponseOptions>() {
        resp.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <h1>"Not found"</h1>
        <p>"There is no page at this address. " <a href="/">"Back to the overview"</a></p>
    }
}

/// A page whose code the browser loads when it is first visited, not with the list page: each
/// becomes a lazy route (its own wasm chunk, split out by `cargo leptos build --split`). The
/// server renders every page in full either way, so pages work without JavaScript.
macro_rules! lazy_pages {
    ($($route:ident => $page:ident),* $(,)?) => {$(
        #[doc = concat!("The lazy route of [`", stringify!($page), "`].")]
        pub struct $route;

        #[leptos_router::lazy_route]
        impl leptos_router::LazyRoute for $route {
            fn data() -> Self {
                $route
            }

            fn view(_this: Self) -> AnyView {
                view! { <$page /> <crate::widgets::HydratedMark /> }.into_any()
            }
        }
    )*};
}

use crate::pages::{
    about::AboutPage, account::AccountPage, audit::AuditPage, create::CreatePage, demo::DemoPage,
    edit::EditPage, fix::FixPage, notifications::NotificationsPage, review::ReviewPage,
    run::RunPage, store::StorePage, test_connection::TestConnectionPage, users::UsersPage,
};

lazy_pages! {
    AboutRoute => AboutPage,
    AccountRoute => AccountPage,
    AuditRoute => AuditPage,
    CreateRoute => CreatePage,
    DemoRoute => DemoPage,
    EditRoute => EditPage,
    FixRoute => FixPage,
    NotificationsRoute => NotificationsPage,
    ReviewRoute => ReviewPage,
    RunRoute => RunPage,
    StoreRoute => StorePage,
    TestConnectionRoute => TestConnectionPage,
    UsersRoute => UsersPage,
}
