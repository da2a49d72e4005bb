//! `--since`: an RFC 3339 time (`2024-05-01T10:00:00Z`) or a duration back
//! from now as [`crate::duration`] reads it (`2h`, `90m`, `1h30m`). The time
//! is parsed here because the project has no date crate and needs only this
//! shape; days are counted with the days-from-civil arithmetic of the
//! proleptic Gregorian calendar.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Why a `--since` value is not understood.
#[derive(Debug, thiserror::Error)]
#[error("--since `{value}` is neither an RFC 3339 time nor a duration")]
pub struct Invalid {
    pub value: String,
}

impl Invalid {
    /// What to write instead, printed after the message.
    pub fn hint(&self) -> &'static str {
        "write a time like 2024-05-01T10:00:00Z or 2024-05-01T12:00:00+02:00, or a duration back from now like 30m, 2h, 1h30m (at most 30 days)"
    }
}

/// The moment `value` names, durations counted back from `now`.
pub fn parse(value: &str, now: SystemTime) -> Result<SystemTime, Invalid> {
    let invalid = || Invalid { value: value.to_string() };
    let v = value.trim();
    let Some(secs) = rfc3339(v) else {
        let d = crate::duration::parse(v).map_err(|_| invalid())?;
        return now.checked_sub(d).ok_or_else(invalid);
    };
    if secs >= 0 {
        Ok(UNIX_EPOCH + Duration::from_secs(secs.unsigned_abs()))
    } else {
        UNIX_EPOCH.checked_sub(Duration::from_secs(secs.unsigned_abs())).ok_or_else(invalid)
    }
}

/// Seconds since the Unix epoch of an RFC 3339 date-time (`T` or a space
/// between date and time; fractions of a second dropped).
pub fn rfc3339(v: &str) -> Option<i64> {
    let b = v.as_bytes();
    if b.len() < 20 {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let s = v.get(r)?;
        if s.bytes().all(|c| c.is_ascii_digit()) { s.parse().ok() } else { None }
    };
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    if b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&month)
        || day < 1
        || day > days_in_month(year, month)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let mut rest = &v[19..];
    if let Some(frac) = rest.strip_prefix('.') {
        let n = frac.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return None;
        }
        rest = &frac[n..];
    }
    let offset = match rest {
        "Z" | "z" => 0,
        _ => {
            let sign = match rest.as_bytes().first()? {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let o = rest.get(1..)?;
            if o.len() != 5 || o.as_bytes()[2] != b':' {
                return None;
            }
            let (h, m): (i64, i64) = (o[..2].parse().ok()?, o[3..].parse().ok()?);
            if h > 23 || m > 59 {
                return None;
            }
            sign * (h * 3600 + m * 60)
        }
    };
    Some(days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second - offset)
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days from 1970-01-01 to the given date.
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_with_offsets_and_fractions() {
        assert_eq!(rfc3339("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(rfc3339("2024-02-29T12:00:00Z"), Some(1_709_208_000));
        assert_eq!(rfc3339("2024-02-29T14:00:00.123+02:00"), Some(1_709_208_000));
        assert_eq!(rfc3339("2024-02-29 12:00:00z"), Some(1_709_208_000));
        for bad in ["2023-02-29T00:00:00Z", "2024-01-01T00:00:00", "2024-01-01", "2024-13-01T00:00:00Z", "yesterday"] {
            assert_eq!(rfc3339(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_duration_counts_back_from_now() {
        let now = UNIX_EPOCH + Duration::from_secs(10_000);
        assert_eq!(parse("1h", now).unwrap(), UNIX_EPOCH + Duration::from_secs(6400));
        assert!(parse("soon", now).is_err());
    }
}
