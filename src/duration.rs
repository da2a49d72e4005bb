//! Durations as users write them in flags, environment variables and
//! `katalon-prep.yml`: a bare number is seconds; `90s`, `30m`, `2h` (and
//! combinations such as `1h30m`) also work. One parser for every such value,
//! so `--download-timeout`, `--timeout` and `run.timeout` agree.
//!
//! It only parses and prints; what a duration bounds is decided by its user.

use std::fmt;
use std::time::Duration;

/// Why a duration was refused, phrased to follow "invalid duration `x`: ".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseDurationError {
    pub input: String,
    pub reason: &'static str,
}

impl fmt::Display for ParseDurationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid duration `{}`: {} (write seconds as a whole number, or e.g. 90s, 30m, 2h, 1h30m)",
            self.input.escape_debug(),
            self.reason
        )
    }
}

impl std::error::Error for ParseDurationError {}

/// The longest duration accepted: 30 days. Anything longer is a typo, and it
/// keeps every sum below far from overflow.
const MAX_SECS: u64 = 30 * 24 * 3600;

/// Parses `input` (surrounding white space ignored).
pub fn parse(input: &str) -> Result<Duration, ParseDurationError> {
    let err = |reason| ParseDurationError { input: input.to_string(), reason };
    let text = input.trim();
    if text.is_empty() {
        return Err(err("it is empty"));
    }
    if text.bytes().all(|b| b.is_ascii_digit()) {
        return seconds(text).map(Duration::from_secs).ok_or_else(|| err("it is longer than 30 days"));
    }
    let mut total: u64 = 0;
    let mut rest = text;
    let mut last_unit = u64::MAX;
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return Err(err("a unit must follow a number"));
        }
        let (number, tail) = rest.split_at(digits);
        let unit_len = tail.find(|c: char| c.is_ascii_digit()).unwrap_or(tail.len());
        let (unit, tail) = tail.split_at(unit_len);
        let scale = match unit {
            "s" => 1,
            "m" => 60,
            "h" => 3600,
            "" => return Err(err("only the whole value may be a bare number of seconds")),
            _ => return Err(err("the units are s, m and h")),
        };
        if scale >= last_unit {
            return Err(err("units must go from large to small, each once"));
        }
        last_unit = scale;
        let part =
            seconds(number).and_then(|n| n.checked_mul(scale)).ok_or_else(|| err("it is longer than 30 days"))?;
        total = total.checked_add(part).filter(|t| *t <= MAX_SECS).ok_or_else(|| err("it is longer than 30 days"))?;
        rest = tail;
    }
    Ok(Duration::from_secs(total))
}

fn seconds(digits: &str) -> Option<u64> {
    digits.parse::<u64>().ok().filter(|n| *n <= MAX_SECS)
}

/// A clap value parser: `#[arg(value_parser = duration::clap_parser)]`.
pub fn clap_parser(input: &str) -> Result<Duration, String> {
    parse(input).map_err(|e| e.to_string())
}

/// `d` the way users write it: `90s`, `30m`, `2h`, `1h30m`, `0s`.
pub fn display(d: Duration) -> String {
    let secs = d.as_secs();
    if secs == 0 {
        return "0s".into();
    }
    let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    let mut out = String::new();
    for (n, unit) in [(h, 'h'), (m, 'm'), (s, 's')] {
        if n > 0 {
            out.push_str(&format!("{n}{unit}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bare_numbers_are_seconds() {
        assert_eq!(parse("90"), Ok(Duration::from_secs(90)));
        assert_eq!(parse(" 0 "), Ok(Duration::ZERO));
    }

    #[test]
    fn units_and_combinations() {
        assert_eq!(parse("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse("30m"), Ok(Duration::from_secs(1800)));
        assert_eq!(parse("2h"), Ok(Duration::from_secs(7200)));
        assert_eq!(parse("1h30m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse("1h2m3s"), Ok(Duration::from_secs(3723)));
    }

    #[test]
    fn refusals_say_why() {
        for (input, why) in [
            ("", "empty"),
            ("10x", "units are"),
            ("m", "must follow a number"),
            ("1m1h", "large to small"),
            ("1m1m", "large to small"),
            ("1h30", "bare number"),
            ("-5", "must follow a number"),
            ("1.5h", "units are"),
            ("99999999999999999999", "30 days"),
            ("721h", "30 days"),
        ] {
            let err = parse(input).expect_err(input).to_string();
            assert!(err.contains(why), "{input:?}: {err}");
        }
    }

    #[test]
    fn display_round_trips() {
        for secs in [0, 1, 59, 60, 61, 3600, 5400, 3723, MAX_SECS] {
            let d = Duration::from_secs(secs);
            assert_eq!(parse(&display(d)), Ok(d), "{}", display(d));
        }
    }
}
