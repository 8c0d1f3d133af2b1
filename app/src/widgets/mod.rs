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
#[component]
pub fn AutoRefresh(seconds: u32, reload: Callback<()>) -> impl IntoView {
    Effect::new(move |_| {
        if let Ok(timer) = set_timeout_with_handle(
            move || reload.run(()),
            std::time::Duration::from_secs(seconds.into()),
        ) {
            on_cleanup(move || timer.clear());
        }
    });
    view! { <noscript inner_html=format!(r#"<meta http-equiv="refresh" content="{seconds}">"#)></noscript> }
}
