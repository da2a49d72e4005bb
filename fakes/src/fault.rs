//! The fault plan: per path, an ordered queue of misbehaviours, each good
//! for a number of requests.
//!
//! Owns the queue only. It decides *which* fault the next request to a path
//! gets; how a fault is acted out (statuses, cut bodies, sleeps) is the
//! server's job. Faults queued for one path run in the order they were added:
//! `fail_times(p, 2, 503)` then `drop_mid_body(p, 1, 10)` answers the first
//! two requests with 503, cuts the third, and serves the fourth normally.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::sync::Mutex;
use std::time::Duration;

use crate::lock;

/// One misbehaviour, applied to one request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Fault {
    /// Answer with this status and a short text body instead of the route.
    Status(u16),
    /// Answer 429 with `Retry-After: secs`.
    RetryAfter(u64),
    /// Promise the full `Content-Length`, send this many body bytes, close.
    DropMidBody(u64),
    /// Send the whole body but promise [`TRUNCATE_OVERCLAIM`] bytes more, close.
    Truncate,
    /// Sleep this long after reading the request, then answer normally.
    Stall(Duration),
}

/// How many bytes more than it sends a truncated response promises.
pub const TRUNCATE_OVERCLAIM: u64 = 1024;

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Fault::Status(code) => write!(f, "status {code}"),
            Fault::RetryAfter(secs) => write!(f, "retry-after {secs}"),
            Fault::DropMidBody(after) => write!(f, "drop-mid-body {after}"),
            Fault::Truncate => write!(f, "truncate"),
            Fault::Stall(d) => write!(f, "stall {}ms", d.as_millis()),
        }
    }
}

#[derive(Default)]
pub(crate) struct FaultPlan {
    queues: Mutex<HashMap<String, VecDeque<(Fault, usize)>>>,
}

impl FaultPlan {
    /// Queues `fault` for the next `times` requests to `path` (after any
    /// already queued there). `times == 0` queues nothing.
    pub(crate) fn add(&self, path: String, times: usize, fault: Fault) {
        if times == 0 {
            return;
        }
        lock(&self.queues).entry(path).or_default().push_back((fault, times));
    }

    /// The fault for the request now arriving at `path`, consuming one use.
    pub(crate) fn take(&self, path: &str) -> Option<Fault> {
        let mut queues = lock(&self.queues);
        let queue = queues.get_mut(path)?;
        let (fault, remaining) = queue.front_mut()?;
        let fault = *fault;
        *remaining -= 1;
        if *remaining == 0 {
            queue.pop_front();
        }
        if queue.is_empty() {
            queues.remove(path);
        }
        Some(fault)
    }

    pub(crate) fn clear(&self) {
        lock(&self.queues).clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_for_a_path_run_in_order_then_stop() {
        let plan = FaultPlan::default();
        plan.add("/a".into(), 2, Fault::Status(503));
        plan.add("/a".into(), 0, Fault::Truncate);
        plan.add("/a".into(), 1, Fault::DropMidBody(3));
        assert_eq!(plan.take("/b"), None);
        assert_eq!(plan.take("/a"), Some(Fault::Status(503)));
        assert_eq!(plan.take("/a"), Some(Fault::Status(503)));
        assert_eq!(plan.take("/a"), Some(Fault::DropMidBody(3)));
        assert_eq!(plan.take("/a"), None);
    }
}
