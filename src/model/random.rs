//! Random streams as pure functions of (master seed, replication, purpose, entity).
//!
//! This is how vetsim gets common random numbers *by construction*: the work a case needs is drawn
//! from the stream keyed by that case's identity, not from a generator shared with the rest of the
//! simulation, so it cannot depend on staffing, on the order in which events happen or on the
//! thread that runs the replication. Two scenarios that differ only in staffing see exactly the same
//! hits, efforts, delays and routings.
//!
//! Each stream is SplitMix64 (Steele, Lea & Flood 2014) started from a mix of the four keys: a
//! 64-bit counter advanced by a fixed odd constant, each output a bijective mix of the counter.
//! Why SplitMix64 and not a generator with a larger state such as Xoshiro256++: a stream is started
//! for every case and purpose (two or three per case), and most are asked for one or two numbers;
//! SplitMix64 starts with one mix where Xoshiro256++ needs four SplitMix64 steps to fill its
//! state. Its 2^64 period is far beyond the few thousand numbers the longest stream uses (an
//! arrival stream: met-2023's business-as-usual allegations draw about 7,500 a replication), it
//! passes BigCrush, and streams of different keys start at unrelated points of that period (two of
//! a replication's streams overlap with a chance of about 1e-10). It is written here, so its values never change with a crate.

use std::convert::Infallible;

/// The generator behind every stream: SplitMix64.
#[derive(Debug, Clone)]
pub struct StreamRng {
    state: u64,
}

impl StreamRng {
    /// The stream that starts after `state` (its first output is `mix64(state + GOLDEN)`).
    #[inline]
    pub fn from_state(state: u64) -> StreamRng {
        StreamRng { state }
    }
}

impl rand::TryRng for StreamRng {
    type Error = Infallible;

    #[inline]
    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        // The upper half: the better-mixed bits.
        self.try_next_u64().map(|x| (x >> 32) as u32)
    }

    #[inline]
    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        self.state = self.state.wrapping_add(GOLDEN);
        Ok(mix64(self.state))
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        for chunk in dst.chunks_mut(8) {
            let x = self.try_next_u64()?.to_le_bytes();
            chunk.copy_from_slice(&x[..chunk.len()]);
        }
        Ok(())
    }
}

/// What a stream is used for. The discriminants are part of the output's identity: changing one
/// changes every result, so they are fixed here and never reordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u64)]
pub enum Purpose {
    /// Retired (hit rates were drawn by category index; they are assumptions now): kept so that
    /// no other purpose ever takes its number.
    HitRate = 1,
    /// Positions of hits among the records (entity: category).
    Hits = 2,
    /// Work a case needs (entity: case id).
    Effort = 3,
    /// Elapsed delay before a case can be worked (entity: case id).
    Delay = 4,
    /// Which routing outcome a closed case takes (entity: case id).
    Route = 5,
    /// Arrival times and conversions of a stream (entity: stream index).
    Arrivals = 6,
    /// Retired (counted routing shares were drawn by case type index; they are assumptions now).
    RoutingShares = 7,
    /// Retired (the screening pace and factor were drawn by number; they are assumptions now).
    Throughput = 8,
    /// An assumption's slot, once per replication (entity: the slot's name key,
    /// `scenario::assume::name_key`).
    Assumption = 9,
}

/// SplitMix64's output function (Steele, Lea & Flood 2014): a bijective 64-bit mix.
#[inline]
pub fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

const GOLDEN: u64 = 0x9e37_79b9_7f4a_7c15;

/// Combines keys into one well-mixed 64-bit value; order matters.
#[inline]
pub fn combine(a: u64, b: u64) -> u64 {
    mix64(a.wrapping_add(GOLDEN) ^ mix64(b.wrapping_add(GOLDEN.rotate_left(17))))
}

/// The seed of a replication's streams: fixed for (seed, replication).
#[inline]
pub fn replication_key(seed: u64, replication: u64) -> u64 {
    combine(mix64(seed ^ 0x7665_7473_696d_0001), replication)
}

/// The stream for one purpose and entity within a replication.
#[inline]
pub fn stream(rep_key: u64, purpose: Purpose, entity: u64) -> StreamRng {
    stream_of(purpose_key(rep_key, purpose), entity)
}

/// The key of every stream of one purpose within a replication: computed once per replication for
/// the per-case purposes, then [`stream_of`] gives `stream(rep_key, purpose, entity)` for a case.
#[inline]
pub fn purpose_key(rep_key: u64, purpose: Purpose) -> u64 {
    combine(rep_key, purpose as u64)
}

/// The stream of `entity` under a [`purpose_key`].
#[inline]
pub fn stream_of(purpose_key: u64, entity: u64) -> StreamRng {
    StreamRng::from_state(combine(purpose_key, entity))
}

/// Identities of cases. They depend only on where a case comes from, never on when it is handled.
pub mod case_id {
    use super::combine;

    /// The hit of category `category` on record `record` (0-based among the records still to check).
    #[inline]
    pub fn hit(category: usize, record: u64) -> u64 {
        combine(combine(1, category as u64), record)
    }
    /// The `index`-th arrival (counting every arrival, converted or not) of stream `stream`.
    #[inline]
    pub fn arrival(stream: usize, index: u64) -> u64 {
        combine(combine(2, stream as u64), index)
    }
    /// The `index`-th case of backlog `backlog`.
    #[inline]
    pub fn backlog(backlog: usize, index: u64) -> u64 {
        combine(combine(3, backlog as u64), index)
    }
    /// The `slot`-th case opened when case `parent` closes.
    #[inline]
    pub fn child(parent: u64, slot: usize) -> u64 {
        combine(combine(4, parent), slot as u64)
    }
}

/// A uniform draw in (0, 1]: never 0, so `ln` is finite.
#[inline]
pub fn open_unit<R: rand::Rng + ?Sized>(rng: &mut R) -> f64 {
    ((rng.next_u64() >> 11) + 1) as f64 * (1.0 / (1u64 << 53) as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng;

    #[test]
    fn streams_are_pure_functions_of_their_keys() {
        let k = replication_key(42, 7);
        let a: Vec<u64> = {
            let mut r = stream(k, Purpose::Effort, 99);
            (0..4).map(|_| r.next_u64()).collect()
        };
        let b: Vec<u64> = {
            let mut r = stream(replication_key(42, 7), Purpose::Effort, 99);
            (0..4).map(|_| r.next_u64()).collect()
        };
        assert_eq!(a, b);
        let mut c = stream(k, Purpose::Delay, 99);
        assert_ne!(a[0], c.next_u64());
        let mut d = stream(replication_key(42, 8), Purpose::Effort, 99);
        assert_ne!(a[0], d.next_u64());
    }

    /// Value stability: these exact numbers are part of every result; if this test fails, the
    /// random streams changed and every output in `output/` will change with them.
    #[test]
    fn stream_values_are_stable() {
        let mut r = stream(replication_key(1, 0), Purpose::Effort, case_id::hit(0, 0));
        let got = r.next_u64();
        let mut again = stream(replication_key(1, 0), Purpose::Effort, case_id::hit(0, 0));
        assert_eq!(got, again.next_u64());
        assert_eq!(mix64(0), 0);
        assert_eq!(mix64(1), 0x5692_161d_100b_05e5);
    }

    /// The generator is SplitMix64 itself: the reference implementation's outputs for the state
    /// 1234567 (Vigna's splitmix64.c).
    #[test]
    fn streams_are_splitmix64() {
        let mut r = StreamRng::from_state(1_234_567);
        let got: Vec<u64> = (0..5).map(|_| r.next_u64()).collect();
        assert_eq!(
            got,
            [
                6_457_827_717_110_365_317,
                3_203_168_211_198_807_973,
                9_817_491_932_198_370_423,
                4_593_380_528_125_082_431,
                16_408_922_859_458_223_821,
            ]
        );
        let mut r = StreamRng::from_state(1_234_567);
        assert_eq!(r.next_u32(), (got[0] >> 32) as u32);
        let mut bytes = [0u8; 11];
        let mut r = StreamRng::from_state(1_234_567);
        r.fill_bytes(&mut bytes);
        assert_eq!(bytes[..8], got[0].to_le_bytes());
        assert_eq!(bytes[8..], got[1].to_le_bytes()[..3]);
    }

    #[test]
    fn a_purpose_key_gives_the_same_stream() {
        let k = replication_key(3, 9);
        for p in [Purpose::Effort, Purpose::Delay, Purpose::Route] {
            let mut a = stream(k, p, 1234);
            let mut b = stream_of(purpose_key(k, p), 1234);
            assert_eq!(a.next_u64(), b.next_u64());
        }
    }

    #[test]
    fn case_ids_differ_by_origin() {
        let ids = [
            case_id::hit(0, 5),
            case_id::hit(1, 5),
            case_id::arrival(0, 5),
            case_id::backlog(0, 5),
            case_id::child(case_id::hit(0, 5), 0),
            case_id::child(case_id::hit(0, 5), 1),
        ];
        for i in 0..ids.len() {
            for j in 0..i {
                assert_ne!(ids[i], ids[j]);
            }
        }
    }

    #[test]
    fn open_unit_is_in_half_open_interval() {
        let mut r = stream(1, Purpose::Hits, 0);
        for _ in 0..10_000 {
            let u = open_unit(&mut r);
            assert!(u > 0.0 && u <= 1.0);
        }
    }
}
