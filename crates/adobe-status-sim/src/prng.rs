//! A tiny deterministic PRNG (SplitMix64).
//!
//! The simulator must produce the same registry and the same scenario for the same seed on every
//! platform and every run, and the crate has no `rand` dependency; SplitMix64 is a few lines, has
//! good statistical quality for this purpose and can be keyed cheaply (seed, stream, index), which
//! lets every incident or maintenance be generated independently of all others.

/// SplitMix64 generator state.
#[derive(Debug, Clone)]
pub(crate) struct SplitMix64(u64);

/// The SplitMix64 finaliser: a good 64-bit mixing function on its own.
pub(crate) fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl SplitMix64 {
    pub(crate) fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// A generator for one item of one stream, independent of every other item: this is what
    /// makes the scenario a pure function of (seed, time) instead of a replayed sequence.
    pub(crate) fn keyed(seed: u64, stream: u64, index: i64) -> Self {
        Self(mix(seed ^ mix(stream) ^ mix(index as u64).rotate_left(17)))
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform-ish value in `0..n` (0 when `n == 0`); the modulo bias is irrelevant here.
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.next_u64() % n
        }
    }

    /// Value in `lo..=hi` (returns `lo` when the range is empty).
    pub(crate) fn range(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            return lo;
        }
        let span = (hi - lo) as u64 + 1;
        lo + self.below(span) as i64
    }

    /// True with probability `percent`/100.
    pub(crate) fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    /// One element of a slice, `None` only when the slice is empty.
    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        let idx = self.below(items.len() as u64) as usize;
        items.get(idx)
    }

    /// `k` distinct elements of `items` (all of them when `k >= len`), in their original order so
    /// that the output looks like registry order rather than random order.
    pub(crate) fn sample<T: Clone>(&mut self, items: &[T], k: usize) -> Vec<T> {
        let mut idx: Vec<usize> = (0..items.len()).collect();
        // Partial Fisher-Yates: the first k positions become a uniform sample.
        let k = k.min(items.len());
        for i in 0..k {
            let j = i + self.below((idx.len() - i) as u64) as usize;
            idx.swap(i, j);
        }
        let mut chosen: Vec<usize> = idx.into_iter().take(k).collect();
        chosen.sort_unstable();
        chosen
            .into_iter()
            .filter_map(|i| items.get(i).cloned())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_and_keyed() {
        let a: Vec<u64> = {
            let mut r = SplitMix64::new(42);
            (0..4).map(|_| r.next_u64()).collect()
        };
        let b: Vec<u64> = {
            let mut r = SplitMix64::new(42);
            (0..4).map(|_| r.next_u64()).collect()
        };
        assert_eq!(a, b);
        assert_ne!(
            SplitMix64::keyed(1, 2, 3).next_u64(),
            SplitMix64::keyed(1, 2, 4).next_u64()
        );
    }

    #[test]
    fn sample_is_distinct_and_ordered() {
        let mut r = SplitMix64::new(7);
        let items: Vec<u32> = (0..20).collect();
        for k in 0..25 {
            let s = r.sample(&items, k);
            assert_eq!(s.len(), k.min(20));
            assert!(s.windows(2).all(|w| w[0] < w[1]));
        }
        assert!(r.pick::<u32>(&[]).is_none());
        assert_eq!(r.range(5, 5), 5);
    }
}
