//! The one retry policy of katalon-prep. Transient: connection errors,
//! timeouts, a body cut short, 408, 429 and 5xx. Exponential backoff with
//! jitter; `Retry-After` honoured up to a cap.

use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::HeaderMap;

use crate::report::{Event, Reporter};

#[derive(Debug, Clone)]
pub struct RetryPolicy {
    /// Tries in all, the first included.
    pub attempts: u32,
    pub base_delay: Duration,
    pub max_delay: Duration,
    /// The longest `Retry-After` honoured; a longer one fails at once.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            attempts: 4,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(10),
            max_retry_after: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// The pause before try `attempt + 1`, or `None` to give up.
    pub fn next_delay(&self, attempt: u32, transient: bool, retry_after: Option<Duration>) -> Option<Duration> {
        if !transient || attempt >= self.attempts {
            return None;
        }
        if let Some(wait) = retry_after {
            return (wait <= self.max_retry_after).then_some(wait);
        }
        let exp = self.base_delay.saturating_mul(1 << (attempt - 1).min(16)).min(self.max_delay);
        // Full jitter on the upper half: between exp/2 and exp.
        let half = exp / 2;
        Some(half + half.mul_f64(fastrand::f64()))
    }
}

/// The tries of one request under a policy: reports each retry and sleeps
/// before it. Every retrying loop of the crate goes through this.
pub struct Tries<'a> {
    policy: &'a RetryPolicy,
    name: &'a str,
    reporter: &'a dyn Reporter,
    attempt: u32,
}

impl<'a> Tries<'a> {
    pub fn new(policy: &'a RetryPolicy, name: &'a str, reporter: &'a dyn Reporter) -> Self {
        Tries { policy, name, reporter, attempt: 1 }
    }

    /// The try under way (1 for the first).
    pub fn attempt(&self) -> u32 {
        self.attempt
    }

    /// After a failed try: `true` (once the pause is over) when another try
    /// should follow, `false` to give up.
    pub async fn again(
        &mut self,
        reason: &dyn std::fmt::Display,
        transient: bool,
        retry_after: Option<Duration>,
    ) -> bool {
        let Some(delay) = self.policy.next_delay(self.attempt, transient, retry_after) else {
            return false;
        };
        self.reporter.report(Event::Retrying {
            name: self.name.to_string(),
            attempt: self.attempt,
            reason: reason.to_string(),
            delay,
        });
        tokio::time::sleep(delay).await;
        self.attempt += 1;
        true
    }
}

pub fn is_transient_status(status: StatusCode) -> bool {
    status == StatusCode::REQUEST_TIMEOUT || status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error()
}

/// `Retry-After` in seconds (the HTTP-date form is treated as absent).
pub fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    headers
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gives_up_on_permanent_errors_and_after_the_last_try() {
        let p = RetryPolicy::default();
        assert_eq!(p.next_delay(1, false, None), None);
        assert_eq!(p.next_delay(4, true, None), None);
        let d = p.next_delay(2, true, None).unwrap();
        assert!(d >= Duration::from_millis(200) && d <= Duration::from_millis(400), "{d:?}");
    }

    #[test]
    fn retry_after_is_honoured_up_to_the_cap() {
        let p = RetryPolicy { max_retry_after: Duration::from_secs(5), ..RetryPolicy::default() };
        assert_eq!(p.next_delay(1, true, Some(Duration::from_secs(2))), Some(Duration::from_secs(2)));
        assert_eq!(p.next_delay(1, true, Some(Duration::from_secs(30))), None);
    }
}
