//! Calendar dates for release headings, without a date crate: UTC only, as changelogs use.

use anyhow::{Result, bail};

/// `YYYY-MM-DD` (UTC) of a time in seconds since the epoch (proleptic Gregorian calendar).
pub fn date_of(epoch_secs: i64) -> String {
    // Howard Hinnant's civil_from_days.
    let days = epoch_secs.div_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

/// `SOURCE_DATE_EPOCH` as the reproducible-builds specification defines it: unset or empty is
/// `None`; anything but a decimal integer is an error naming the value.
pub fn source_date_epoch() -> Result<Option<i64>> {
    let raw = std::env::var_os("SOURCE_DATE_EPOCH");
    epoch_setting(raw.as_deref().map(|v| v.to_string_lossy()).as_deref())
}

/// The release date: `SOURCE_DATE_EPOCH` when it holds a valid value, else today (UTC).
/// A malformed value falls back to today here, so notes can always be rendered; `release`
/// calls [`source_date_epoch`] among its preconditions and refuses such a value there.
pub fn release_date() -> String {
    let raw = std::env::var_os("SOURCE_DATE_EPOCH");
    date_for(raw.as_deref().map(|v| v.to_string_lossy()).as_deref(), now())
}

/// [`release_date`] with the environment value and the clock as arguments.
fn date_for(source_date_epoch: Option<&str>, now: i64) -> String {
    date_of(epoch_setting(source_date_epoch).ok().flatten().unwrap_or(now))
}

fn epoch_setting(raw: Option<&str>) -> Result<Option<i64>> {
    match raw {
        None | Some("") => Ok(None),
        Some(text) => match parse_epoch(text) {
            Some(secs) => Ok(Some(secs)),
            None => bail!(
                "SOURCE_DATE_EPOCH={text:?} is not a number of seconds since 1970-01-01; unset it or set it to `git log -1 --format=%ct`"
            ),
        },
    }
}

fn parse_epoch(text: &str) -> Option<i64> {
    let digits = text.strip_prefix('-').unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

fn now() -> i64 {
    match std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(e) => -i64::try_from(e.duration().as_secs()).unwrap_or(i64::MAX),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_dates() {
        assert_eq!(date_of(0), "1970-01-01");
        assert_eq!(date_of(86_399), "1970-01-01");
        assert_eq!(date_of(86_400), "1970-01-02");
        assert_eq!(date_of(-1), "1969-12-31");
        assert_eq!(date_of(951_782_400), "2000-02-29");
        assert_eq!(date_of(1_767_225_600), "2026-01-01");
        assert_eq!(date_of(1_795_305_600), "2026-11-22");
        assert_eq!(date_of(4_107_542_399), "2100-02-28");
        assert_eq!(date_of(4_107_542_400), "2100-03-01");
    }

    #[test]
    fn every_day_follows_the_one_before() {
        // Walk 1968-2032 day by day: no gaps, no repeats, months and years roll over correctly.
        let mut prev = date_of(-2 * 366 * 86_400);
        for day in (-2 * 366 + 1)..(62 * 366) {
            let next = date_of(day * 86_400 + 43_200);
            assert!(next > prev, "{prev} -> {next}");
            let (p, n): (Vec<u32>, Vec<u32>) = (
                prev.split('-').map(|x| x.parse().unwrap()).collect(),
                next.split('-').map(|x| x.parse().unwrap()).collect(),
            );
            let ok = (n[0] == p[0] && n[1] == p[1] && n[2] == p[2] + 1)
                || (n[0] == p[0] && n[1] == p[1] + 1 && n[2] == 1 && p[2] >= 28)
                || (n[0] == p[0] + 1 && n[1] == 1 && n[2] == 1 && p[1] == 12 && p[2] == 31);
            assert!(ok, "{prev} -> {next}");
            prev = next;
        }
    }

    #[test]
    fn source_date_epoch_wins_over_the_clock_unless_malformed() {
        let now = 1_767_225_600;
        assert_eq!(date_for(Some("951782400"), now), "2000-02-29");
        assert_eq!(date_for(None, now), "2026-01-01");
        assert_eq!(date_for(Some(""), now), "2026-01-01");
        assert_eq!(date_for(Some("yesterday"), now), "2026-01-01");
        assert_eq!(epoch_setting(Some("42")).unwrap(), Some(42));
        assert_eq!(epoch_setting(Some("")).unwrap(), None);
        let err = epoch_setting(Some("yesterday")).unwrap_err().to_string();
        assert!(err.contains("SOURCE_DATE_EPOCH=\"yesterday\""), "{err}");
    }

    #[test]
    fn epoch_values() {
        assert_eq!(parse_epoch("1767225600"), Some(1_767_225_600));
        assert_eq!(parse_epoch("-5"), Some(-5));
        for bad in ["", "-", "12a", " 1", "1.5", "0x10", "99999999999999999999"] {
            assert_eq!(parse_epoch(bad), None, "{bad:?}");
        }
    }
}
