//! A secret input (password, secret access key) with a button that shows what was typed. The
//! button needs the wasm, so it stays hidden on a page that has not hydrated.

use leptos::prelude::*;

#[component]
pub fn SecretInput(
    id: &'static str,
    name: &'static str,
    autocomplete: &'static str,
    /// The button's words while the value is hidden, and while it is shown.
    show: &'static str,
    hide: &'static str,
    /// The value as typed, for pages that check it as the operator types.
    #[prop(optional)]
    value: Option<RwSignal<String>>,
    #[prop(optional, into)] placeholder: MaybeProp<String>,
    #[prop(optional)] required: bool,
) -> impl IntoView {
    let (reveal, set_reveal) = signal(false);
    let (hydrated, set_hydrated) = signal(false);
    Effect::new(move |_| set_hydrated.set(true));
    let value = value.unwrap_or_else(|| RwSignal::new(String::new()));
    view! {
        <div class="password-row">
            <input
                id=id
                name=name
                type=move || if reveal.get() { "text" } else { "password" }
                autocomplete=autocomplete
                placeholder=move || placeholder.get()
                required=required
                value=value.get_untracked()
                prop:value=value
                on:input=move |ev| value.set(event_target_value(&ev))
            />
            <button
                type="button"
                class="reveal"
                hidden=move || !hydrated.get()
                aria-pressed=move || reveal.get().to_string()
                aria-controls=id
                on:click=move |_| set_reveal.update(|r| *r = !*r)
            >
                {move || if reveal.get() { hide } else { show }}
            </button>
        </div>
    }
}
