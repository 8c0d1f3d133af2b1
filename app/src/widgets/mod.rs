//! Components more than one page shows: inputs, reports, badges and formatting.

pub mod config_file;
pub mod field;
pub mod format;
pub mod probe_report;
pub mod secret_input;

use crate::domain::kms::ConnectionState;
use crate::domain::store::StoreRef;
use leptos::prelude::*;

/// A store's connection state as a badge: its name in words, and a colour that only repeats it.
#[component]
pub fn StateBadge(
    state: ConnectionState,
    /// `data-testid` of the badge, where a page's tests look for it.
    #[prop(optional)]
    testid: Option<&'static str>,
) -> impl IntoView {
    view! {
        <span class=format!("badge state-{}", state.css()) data-testid=testid>
            {state.to_string()}
        </span>
    }
}

/// What a viewer reads beside an action only an operator can take.
pub const OPERATORS_ONLY: &str = "Your role can only read; an operator can do this.";

/// A link to a page that changes something: offered to an operator; shown disabled, with the
/// reason, to a viewer.
#[component]
pub fn OperatorLink(
    href: String,
    label: &'static str,
    can_change: bool,
    /// `button` for a link that looks like one.
    #[prop(optional)]
    class: &'static str,
) -> impl IntoView {
    if can_change {
        view! { <a class=class href=href>{label}</a> }.into_any()
    } else {
        view! {
            <span class=format!("{class} disabled") aria-disabled="true">{label}</span>
            " "
            <span class="note reason">{OPERATORS_ONLY}</span>
        }
        .into_any()
    }
}

/// The hidden inputs that name a store in a form: what every store server function takes first.
#[component]
pub fn StoreInputs(store: StoreRef) -> impl IntoView {
    view! {
        <input type="hidden" name="account" value=store.account />
        <input type="hidden" name="region" value=store.region />
        <input type="hidden" name="id" value=store.id />
    }
}

/// While something changes on its own (a store in transition, a run under way) the page follows
/// it. Once hydrated it reads its data again every `seconds`, in place: no reload, no lost focus
/// or scroll, nothing a screen reader announces as a new page. Without JavaScript the page
/// reloads itself; that refresh sits inside `<noscript>`, so a page with scripts never has it (a
/// timed refresh is a WCAG failure for people who need more time).
///
/// `noscript_only`: a live page (see [`LiveUpdates`]) is told of changes by the server, so only
/// the no-JavaScript reload remains.
#[component]
pub fn AutoRefresh(
    seconds: u32,
    reload: Callback<()>,
    #[prop(optional)] noscript_only: bool,
) -> impl IntoView {
    Effect::new(move |_| {
        if noscript_only {
            return;
        }
        if let Ok(timer) = set_timeout_with_handle(
            move || reload.run(()),
            std::time::Duration::from_secs(seconds.into()),
        ) {
            on_cleanup(move || timer.clear());
        }
    });
    view! { <noscript inner_html=format!(r#"<meta http-equiv="refresh" content="{seconds}">"#)></noscript> }
}

/// Marks `<body data-hydrated="true">` once the page it ends has hydrated, so tests and people
/// can tell a hydrated page from a server-rendered one. It sits in each route's view, not in the
/// frame: a lazy route's code arrives after the frame has hydrated.
#[component]
pub fn HydratedMark() -> impl IntoView {
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });
}

/// A live page: it follows the server's events (`/api/events`) and reads its data again, in
/// place, each time the console's fleet watcher reads a change and, with `run`, each time that
/// run's steps or status change. The stream is authenticated like the page. Without JavaScript
/// there is no stream: a reload shows the current state.
#[component]
pub fn LiveUpdates(reload: Callback<()>, #[prop(optional)] run: Option<i64>) -> impl IntoView {
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        use wasm_bindgen::{closure::Closure, JsCast};
        let Ok(source) = web_sys::EventSource::new(crate::api::EVENTS_PATH) else {
            return;
        };
        // A fleet event, and the stream's (re)opening: whatever changed between the page's
        // render and the opening was sent to nobody, so the page reads once more then too.
        let read_again = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| reload.run(()));
        for event in [crate::api::FLEET_EVENT, "open"] {
            let _ =
                source.add_event_listener_with_callback(event, read_again.as_ref().unchecked_ref());
        }
        let on_run = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(
            move |event: web_sys::MessageEvent| {
                let data = event.data().as_string().unwrap_or_default();
                if run.is_some_and(|id| data == id.to_string() || data == crate::api::EVERY_RUN) {
                    reload.run(());
                }
            },
        );
        let _ = source.add_event_listener_with_callback(
            crate::api::RUN_EVENT,
            on_run.as_ref().unchecked_ref(),
        );
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-live", "true");
        }
        let kept = send_wrapper::SendWrapper::new((source, read_again, on_run));
        on_cleanup(move || kept.0.close());
    });
    #[cfg(not(feature = "hydrate"))]
    let _ = (reload, run);
}
