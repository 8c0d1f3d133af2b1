//! Times and durations as the pages show them.

/// Epoch seconds as `2026-11-03 09:30 UTC`.
pub fn created(secs: i64) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute] UTC");
    time::OffsetDateTime::from_unix_timestamp(secs)
        .ok()
        .and_then(|t| t.format(&format).ok())
        .unwrap_or_default()
}

/// Epoch milliseconds to the second, for the audit log and runs.
pub fn created_time(ms: i64) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    time::OffsetDateTime::from_unix_timestamp(ms.div_euclid(1000))
        .ok()
        .and_then(|t| t.format(&format).ok())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    #[test]
    fn audit_times_show_seconds() {
        assert_eq!(
            super::created_time(1_793_491_201_999),
            "2026-11-01 00:00:01"
        );
    }

    #[test]
    fn creation_dates_read_in_utc() {
        assert_eq!(super::created(1_793_491_200), "2026-11-01 00:00 UTC");
        assert_eq!(super::created(0), "1970-01-01 00:00 UTC");
    }
}
