//! What a proxy probe saw, layer by layer: the preflight on the review page and Test connection.

use crate::domain::change::run::PreflightReport;
use leptos::prelude::*;

/// What a probe saw: the verdict, then each layer with its latency, then the EKMs.
#[component]
pub fn ProbeReport(report: PreflightReport) -> impl IntoView {
    let class = if report.passed {
        "ok"
    } else if report.checked {
        "banner error"
    } else {
        "banner warning"
    };
    view! {
        <div class="probe" data-testid="probe">
            <p class=class data-testid="probe-verdict">{report.verdict.clone()}</p>
            <p><code>{report.url.clone()}</code></p>
            <table class="steps" data-testid="probe-layers">
                <thead><tr><th>"Layer"</th><th>"Result"</th><th>"Latency"</th><th>"Detail"</th></tr></thead>
                <tbody>
                    {report.layers.iter().map(|l| view! {
                        <tr class=if l.ok { "step-done" } else { "step-failed" } data-testid=format!("layer-{}", l.name.to_lowercase())>
                            <td>{l.name.clone()}</td>
                            <td>{if l.ok { "ok" } else { "failed" }}</td>
                            <td>{format!("{} ms", l.latency_ms)}</td>
                            <td>{l.detail.clone()}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
            <p>
                {match report.credential_accepted {
                    Some(true) => "Credential: accepted.".to_string(),
                    Some(false) => "Credential: rejected.".to_string(),
                    None => "Credential: not checked.".to_string(),
                }}
                " "
                {if report.ekms.is_empty() { String::new() } else {
                    format!("External key managers: {}.", report.ekms.iter().map(|e| format!("{} {}", e.id, e.health)).collect::<Vec<_>>().join(", "))
                }}
            </p>
        </div>
    }
}
