//! A fixed-size log-linear latency histogram (microseconds) and a sliding window of them.
//!
//! Values below 16 µs get a bucket each; above, every power of two is split into 8 linear
//! sub-buckets, so a percentile is off by at most 12.5 %. 272 `u32` counters cover up to about
//! 19 hours: memory is fixed whatever the request count.

use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::time::Duration;
use tokio::time::Instant;

const LINEAR: usize = 16;
const SUB_BITS: u32 = 3;
const SUB: usize = 1 << SUB_BITS;
const MAX_EXP: u32 = 36;
/// The number of buckets.
pub(crate) const BUCKETS: usize = LINEAR + (MAX_EXP as usize - 4) * SUB;

/// Counts of latencies per bucket.
#[derive(Clone)]
pub(crate) struct Histogram {
    counts: Box<[u32; BUCKETS]>,
    total: u64,
    max_us: u64,
    sum_us: u64,
}

impl Default for Histogram {
    fn default() -> Self {
        Self {
            counts: Box::new([0; BUCKETS]),
            total: 0,
            max_us: 0,
            sum_us: 0,
        }
    }
}

fn bucket_of(us: u64) -> usize {
    if us < LINEAR as u64 {
        return us as usize;
    }
    let exp = 63 - us.leading_zeros();
    if exp >= MAX_EXP {
        return BUCKETS - 1;
    }
    let sub = ((us >> (exp - SUB_BITS)) as usize) & (SUB - 1);
    LINEAR + (exp as usize - 4) * SUB + sub
}

/// The largest value that falls into bucket `b`.
fn upper_bound(b: usize) -> u64 {
    if b < LINEAR {
        return b as u64;
    }
    let exp = ((b - LINEAR) / SUB) as u32 + 4;
    let sub = ((b - LINEAR) % SUB) as u64;
    ((SUB as u64 + sub + 1) << (exp - SUB_BITS)) - 1
}

impl Histogram {
    #[cfg(test)]
    pub(crate) fn record(&mut self, us: u64) {
        let b = bucket_of(us);
        self.counts[b] = self.counts[b].saturating_add(1);
        self.total += 1;
        self.max_us = self.max_us.max(us);
        self.sum_us = self.sum_us.saturating_add(us);
    }

    /// How many values were recorded.
    #[cfg_attr(not(feature = "prometheus"), allow(dead_code))] // the exposition's histogram
    pub(crate) fn total(&self) -> u64 {
        self.total
    }

    /// The sum of the recorded values, in microseconds.
    #[cfg_attr(not(feature = "prometheus"), allow(dead_code))] // the exposition's histogram
    pub(crate) fn sum_us(&self) -> u64 {
        self.sum_us
    }

    /// How many recorded values are at most `bound` microseconds; exact when `bound` is one of
    /// [`exact_bounds_us`].
    #[cfg_attr(not(feature = "prometheus"), allow(dead_code))] // the exposition's histogram
    pub(crate) fn count_at_most(&self, bound: u64) -> u64 {
        self.counts
            .iter()
            .enumerate()
            .take_while(|(b, _)| upper_bound(*b) <= bound)
            .map(|(_, c)| u64::from(*c))
            .sum()
    }

    /// The value at quantile `q` (0..=1), as the upper bound of its bucket (never above the max).
    pub(crate) fn quantile_us(&self, q: f64) -> Option<u64> {
        if self.total == 0 {
            return None;
        }
        let rank = ((q.clamp(0.0, 1.0) * self.total as f64).ceil() as u64).max(1);
        let mut seen = 0u64;
        for (b, c) in self.counts.iter().enumerate() {
            seen += u64::from(*c);
            if seen >= rank {
                return Some(upper_bound(b).min(self.max_us));
            }
        }
        Some(self.max_us)
    }
}

/// Bucket bounds (microseconds) a cumulative count is exact at: `2^(e+1) - 1` for `e` in
/// `from_exp..=to_exp` (e.g. 9..=23: about 1 ms to 16.8 s, doubling).
#[cfg_attr(not(feature = "prometheus"), allow(dead_code))] // the exposition's histogram
pub(crate) fn exact_bounds_us(from_exp: u32, to_exp: u32) -> Vec<u64> {
    (from_exp.max(4)..=to_exp.min(MAX_EXP - 1))
        .map(|e| (1u64 << (e + 1)) - 1)
        .collect()
}

/// Request counters for one time slot, as read (a plain copy of a [`Window`]'s atomics).
#[derive(Clone, Default)]
pub(crate) struct Counts {
    pub(crate) requests: u64,
    pub(crate) server_errors: u64,
    pub(crate) client_errors: u64,
    pub(crate) latency: Histogram,
}

/// A counter cell: `u32` in the ring's slots (a slot holds seconds of traffic), `u64` in the
/// running total.
trait Cell: Sync + Send {
    fn zero() -> Self;
    fn incr(&self);
    fn add(&self, n: u64);
    fn get(&self) -> u64;
    fn reset(&self);
}

impl Cell for AtomicU32 {
    fn zero() -> Self {
        AtomicU32::new(0)
    }
    fn incr(&self) {
        self.fetch_add(1, Ordering::Relaxed);
    }
    fn add(&self, n: u64) {
        self.fetch_add(u32::try_from(n).unwrap_or(u32::MAX), Ordering::Relaxed);
    }
    fn get(&self) -> u64 {
        u64::from(self.load(Ordering::Relaxed))
    }
    fn reset(&self) {
        self.store(0, Ordering::Relaxed);
    }
}

impl Cell for AtomicU64 {
    fn zero() -> Self {
        AtomicU64::new(0)
    }
    fn incr(&self) {
        self.fetch_add(1, Ordering::Relaxed);
    }
    fn add(&self, n: u64) {
        self.fetch_add(n, Ordering::Relaxed);
    }
    fn get(&self) -> u64 {
        self.load(Ordering::Relaxed)
    }
    fn reset(&self) {
        self.store(0, Ordering::Relaxed);
    }
}

/// Counters updated without a lock: one atomic add per bucket hit, one for the sum, a load (and
/// rarely a `fetch_max`) for the max, one add per error. The request count is the buckets' sum.
struct AtomicCounts<C> {
    buckets: Box<[C]>,
    server_errors: AtomicU64,
    client_errors: AtomicU64,
    sum_us: AtomicU64,
    max_us: AtomicU64,
}

impl<C: Cell> AtomicCounts<C> {
    fn new() -> Self {
        Self {
            buckets: (0..BUCKETS).map(|_| C::zero()).collect(),
            server_errors: AtomicU64::new(0),
            client_errors: AtomicU64::new(0),
            sum_us: AtomicU64::new(0),
            max_us: AtomicU64::new(0),
        }
    }

    fn record(&self, status: u16, us: u64) {
        self.buckets[bucket_of(us)].incr();
        self.sum_us.fetch_add(us, Ordering::Relaxed);
        if self.max_us.load(Ordering::Relaxed) < us {
            self.max_us.fetch_max(us, Ordering::Relaxed);
        }
        match status {
            500..=599 => self.server_errors.fetch_add(1, Ordering::Relaxed),
            400..=499 => self.client_errors.fetch_add(1, Ordering::Relaxed),
            _ => 0,
        };
    }

    fn reset(&self) {
        self.buckets.iter().for_each(C::reset);
        self.server_errors.store(0, Ordering::Relaxed);
        self.client_errors.store(0, Ordering::Relaxed);
        self.sum_us.store(0, Ordering::Relaxed);
        self.max_us.store(0, Ordering::Relaxed);
    }

    /// Moves what these counters hold into `into` (a slot retiring into the running total).
    fn retire_into<D: Cell>(&self, into: &AtomicCounts<D>) {
        for (c, d) in self.buckets.iter().zip(into.buckets.iter()) {
            let n = c.get();
            if n > 0 {
                d.add(n);
            }
        }
        for (c, d) in [
            (&self.server_errors, &into.server_errors),
            (&self.client_errors, &into.client_errors),
            (&self.sum_us, &into.sum_us),
        ] {
            d.fetch_add(c.load(Ordering::Relaxed), Ordering::Relaxed);
        }
        into.max_us
            .fetch_max(self.max_us.load(Ordering::Relaxed), Ordering::Relaxed);
        self.reset();
    }

    /// Adds what these counters hold to `out`.
    fn add_to(&self, out: &mut Counts) {
        let mut requests = 0u64;
        for (o, c) in out.latency.counts.iter_mut().zip(self.buckets.iter()) {
            let n = c.get();
            requests += n;
            *o = o.saturating_add(u32::try_from(n).unwrap_or(u32::MAX));
        }
        out.requests += requests;
        out.latency.total += requests;
        out.latency.sum_us = out
            .latency
            .sum_us
            .saturating_add(self.sum_us.load(Ordering::Relaxed));
        out.latency.max_us = out.latency.max_us.max(self.max_us.load(Ordering::Relaxed));
        out.server_errors += self.server_errors.load(Ordering::Relaxed);
        out.client_errors += self.client_errors.load(Ordering::Relaxed);
    }
}

/// A duration in whole microseconds, without 128-bit arithmetic (saturating after 584,000 years).
pub(crate) fn micros(d: Duration) -> u64 {
    d.as_secs()
        .saturating_mul(1_000_000)
        .saturating_add(u64::from(d.subsec_micros()))
}

/// The slot number an empty ring slot carries.
const EMPTY: u64 = u64::MAX;

struct Slot {
    number: AtomicU64,
    counts: AtomicCounts<AtomicU32>,
}

/// A ring of time slots plus what older slots held: a sliding window in fixed memory, recorded
/// into from any thread without a lock. A request costs two atomic adds (its bucket, the sum),
/// a load for the max, and one add more when it is an error.
///
/// The first request of a new slot number claims the ring slot (a compare-and-swap) and moves
/// what it held into the running total; a request recorded concurrently into that slot in the
/// instant of the move may be counted in the new period rather than the old one. A request whose
/// slot was already reused for a later period is counted in the total only.
pub(crate) struct Window {
    slot_us: u64,
    ring: Box<[Slot]>,
    /// What the slots held before they were reused.
    retired: AtomicCounts<AtomicU64>,
    start: Instant,
}

impl Window {
    pub(crate) fn new(start: Instant, slot: Duration, slots: usize) -> Self {
        Self {
            slot_us: (slot.as_micros().min(u128::from(u64::MAX)) as u64).max(1),
            ring: (0..slots.max(1))
                .map(|_| Slot {
                    number: AtomicU64::new(EMPTY),
                    counts: AtomicCounts::new(),
                })
                .collect(),
            retired: AtomicCounts::new(),
            start,
        }
    }

    fn slot_number(&self, at: Instant) -> u64 {
        micros(at.saturating_duration_since(self.start)) / self.slot_us
    }

    #[cfg(test)]
    pub(crate) fn record(&self, at: Instant, status: u16, latency_us: u64) {
        self.record_at(
            micros(at.saturating_duration_since(self.start)),
            status,
            latency_us,
        );
    }

    /// [`Window::record`] at `at_us` microseconds after the window's start.
    pub(crate) fn record_at(&self, at_us: u64, status: u16, latency_us: u64) {
        let n = at_us / self.slot_us;
        let slot = &self.ring[(n % self.ring.len() as u64) as usize];
        let mut current = slot.number.load(Ordering::Acquire);
        while current != n {
            if current != EMPTY && current > n {
                // The slot already holds a later period: too late for the window.
                self.retired.record(status, latency_us);
                return;
            }
            match slot
                .number
                .compare_exchange(current, n, Ordering::AcqRel, Ordering::Acquire)
            {
                Ok(_) => {
                    slot.counts.retire_into(&self.retired);
                    current = n;
                }
                Err(seen) => current = seen,
            }
        }
        slot.counts.record(status, latency_us);
    }

    /// Everything recorded within `span` before `now` (rounded up to whole slots; at most the
    /// ring's length), or since the start when `span` is `None`.
    #[cfg(test)]
    pub(crate) fn sum(&self, now: Instant, span: Option<Duration>) -> Counts {
        let mut out = Counts::default();
        self.sum_into(now, span, &mut out);
        out
    }

    /// [`Window::sum`], added to `out`.
    pub(crate) fn sum_into(&self, now: Instant, span: Option<Duration>, out: &mut Counts) {
        let Some(span) = span else {
            self.retired.add_to(out);
            for slot in self.ring.iter() {
                if slot.number.load(Ordering::Acquire) != EMPTY {
                    slot.counts.add_to(out);
                }
            }
            return;
        };
        let current = self.slot_number(now);
        let wanted = (span.as_micros().div_ceil(u128::from(self.slot_us)) as u64).max(1);
        let oldest = current.saturating_sub(wanted - 1);
        for slot in self.ring.iter() {
            let number = slot.number.load(Ordering::Acquire);
            if number != EMPTY && number >= oldest && number <= current {
                slot.counts.add_to(out);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_are_monotonic_and_bounded() {
        let mut last = 0;
        for us in [
            0u64,
            1,
            15,
            16,
            17,
            100,
            1_000,
            123_456,
            10_000_000,
            u64::MAX,
        ] {
            let b = bucket_of(us);
            assert!(b >= last && b < BUCKETS, "{us} -> {b}");
            if us < (1 << MAX_EXP) {
                assert!(
                    upper_bound(b) >= us,
                    "{us} above its bucket's bound {}",
                    upper_bound(b)
                );
                assert!(upper_bound(b) as f64 <= us as f64 * 1.125 + 1.0);
            }
            last = b;
        }
    }

    #[test]
    fn quantiles_within_an_eighth() {
        let mut h = Histogram::default();
        for us in 1..=1000u64 {
            h.record(us * 1000);
        }
        let p50 = h.quantile_us(0.5).unwrap_or(0) as f64;
        let p99 = h.quantile_us(0.99).unwrap_or(0) as f64;
        assert!((500_000.0..=562_500.0).contains(&p50), "{p50}");
        assert!((990_000.0..=1_000_000.0).contains(&p99), "{p99}");
        assert_eq!(h.quantile_us(1.0), Some(1_000_000));
        assert_eq!(Histogram::default().quantile_us(0.5), None);
    }

    #[test]
    fn cumulative_counts_are_exact_at_the_exact_bounds() {
        let mut h = Histogram::default();
        let values = [
            0u64, 15, 16, 1_000, 1_023, 1_024, 2_047, 2_048, 5_000, 70_000,
        ];
        for v in values {
            h.record(v);
        }
        for bound in exact_bounds_us(4, 20) {
            let want = values.iter().filter(|v| **v <= bound).count() as u64;
            assert_eq!(h.count_at_most(bound), want, "bound {bound}");
        }
        assert_eq!(h.sum_us(), values.iter().sum::<u64>());
        assert_eq!(h.total(), values.len() as u64);
    }

    #[test]
    fn window_forgets_old_slots_but_keeps_the_total() {
        let start = Instant::now();
        let w = Window::new(start, Duration::from_secs(10), 6);
        w.record(start, 500, 100);
        w.record(start + Duration::from_secs(35), 200, 100);
        let later = start + Duration::from_secs(65);
        assert_eq!(w.sum(later, Some(Duration::from_secs(60))).requests, 1);
        assert_eq!(w.sum(later, None).requests, 2);
        assert_eq!(w.sum(later, None).server_errors, 1);
        // Writing into a reused slot drops what it held.
        w.record(start + Duration::from_secs(120), 200, 100);
        assert_eq!(
            w.sum(
                start + Duration::from_secs(120),
                Some(Duration::from_secs(600))
            )
            .requests,
            2
        );
    }
}
