//! Numbers as text, fast and byte for byte what `Display` (`{}`) gives: reals through `ryu`,
//! integers through `itoa`.
//!
//! Why: a row of `replications.csv` holds a dozen or more real numbers (19 for screen-v1-stress,
//! with 13 integers and 2 dates), and writing a row through `core::fmt` (Grisu with a Dragon
//! fallback, then the general padding machinery) and the CSV writer's per-field checks took
//! about 30,000 instructions (callgrind), most of what is left after the simulation of a long
//! run. Ryū finds the same digits (the shortest that read back to the same `f64`, and of those
//! the nearest) in about 700 instructions a number (callgrind); only the layout differs (`1.0`,
//! `1e-7` where `Display` writes `1`, `0.0000001`), and [`push_f64`] lays the digits out as
//! `Display` does: plain decimal, never an exponent, no trailing zeros after the point, `-` for
//! negative numbers and negative zero.
//!
//! The two part ways on exact ties only: when a value lies exactly halfway between the two
//! nearest shortest candidates, Ryū rounds to even and `Display` up (`1090377292581276.25` is
//! `...276.2` for Ryū, `...276.3` for `Display`). A tie needs the exact binary value to have
//! few decimal digits, which [`may_tie`] checks from the bits; those values (halves, quarters
//! and other short binary fractions, and whole numbers from 2^53 up: rare among results, since
//! sums of random durations have some 50 significant decimal digits) go through `Display`
//! itself. The equality is tested on millions of values across the whole range of `f64`.

/// Appends `x` exactly as `format!("{x}")` would.
pub fn push_f64(out: &mut Vec<u8>, x: f64) {
    if !x.is_finite() || may_tie(x) {
        // NaN, the infinities and possible ties: rare, and `Display` is the reference.
        use std::io::Write as _;
        write!(out, "{x}").expect("writing into a Vec cannot fail");
        return;
    }
    let mut buf = ryu::Buffer::new();
    let text = buf.format_finite(x).as_bytes();
    let Some(e) = text.iter().position(|&c| c == b'e') else {
        // Plain decimal (`0.000123`, `12.5`, `1000.0`): as `Display`, but for the `.0` Ryū
        // gives whole numbers.
        out.extend_from_slice(text.strip_suffix(b".0").unwrap_or(text));
        return;
    };
    // Below 1e-5 or from 1e16 up, Ryū writes `de-7` or `d.ddde21`: lay the digits out plainly.
    let exponent = parse_exponent(&text[e + 1..]);
    let (negative, mantissa) = match text[..e].split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, &text[..e]),
    };
    // The digits without the point, and where the point goes: after `point` digits (which may
    // be zero or negative, or more than there are digits).
    let mut digits = [0u8; 32];
    let mut n = 0usize;
    let mut point = None;
    for &c in mantissa {
        if c == b'.' {
            point = Some(n);
        } else if let Some(slot) = digits.get_mut(n) {
            *slot = c;
            n += 1;
        }
    }
    let mut point = point.unwrap_or(n) as i64 + exponent;
    let mut digits = &digits[..n];
    while let Some((b'0', rest)) = digits.split_first() {
        digits = rest;
        point -= 1;
    }
    while let Some((b'0', rest)) = digits.split_last() {
        digits = rest;
    }
    if negative {
        out.push(b'-');
    }
    let len = digits.len() as i64;
    if point <= 0 {
        out.extend_from_slice(b"0.");
        out.extend(std::iter::repeat_n(b'0', (-point) as usize));
        out.extend_from_slice(digits);
    } else if point < len {
        let (whole, frac) = digits.split_at(point as usize);
        out.extend_from_slice(whole);
        out.push(b'.');
        out.extend_from_slice(frac);
    } else {
        out.extend_from_slice(digits);
        out.extend(std::iter::repeat_n(b'0', (point - len) as usize));
    }
}

/// Whether Ryū's and `Display`'s shortest digits of the finite `x` could differ: when `x` may
/// lie exactly halfway between the two nearest shortest candidates. False for zero.
///
/// Why it is enough: write `|x| = m * 2^q` with `m` odd. For `q < 0` the exact decimal expansion
/// of `x` ends at the `-q`-th digit after the point (`2^-k = 5^k / 10^k`), so it has
/// `floor(log10 |x|) + 1 - q` significant digits. A tie needs the exact value to be a shortest
/// candidate (at most 17 digits) plus half a unit in the next digit: at most 18 significant
/// digits. `floor(log10 |x|)` is bounded below from the binary exponent, one lower for safety.
/// Integers below 2^53 print exactly (no tie); above it ties are possible, but such values are
/// not written in practice, so they are all sent the safe way.
fn may_tie(x: f64) -> bool {
    let bits = x.abs().to_bits();
    let exponent = (bits >> 52) as i64;
    let fraction = bits & ((1u64 << 52) - 1);
    let (m, e) = if exponent == 0 {
        (fraction, -1074)
    } else {
        (fraction | (1u64 << 52), exponent - 1075)
    };
    if m == 0 {
        return false;
    }
    let q = e + i64::from(m.trailing_zeros());
    if q >= 0 {
        return x.abs() >= 9_007_199_254_740_992.0; // 2^53
    }
    // |x| >= 2^top, so log10 |x| >= top * log10(2).
    let top = e + 63 - i64::from(m.leading_zeros());
    let log10_floor_at_least = (top as f64 * std::f64::consts::LOG10_2).floor() as i64 - 1;
    log10_floor_at_least + 1 - q <= 18
}

/// The decimal exponent after Ryū's `e` (an optional `-` and at most three digits).
fn parse_exponent(s: &[u8]) -> i64 {
    let (sign, digits) = match s.split_first() {
        Some((b'-', rest)) => (-1, rest),
        _ => (1, s),
    };
    sign * digits
        .iter()
        .fold(0i64, |acc, &c| acc * 10 + i64::from(c.wrapping_sub(b'0')))
}

/// Appends `x` as [`push_f64`] does, with `.0` after a whole number (`0.0`, `12.0`, `-0.0`), so
/// that a column of reals reads as one type of number: pandas and polars infer a column's type
/// from its text, and polars from its first rows only, so a `0` among `0.5`s reads as an integer
/// column and then fails. Not finite values are written as `Display` writes them.
pub fn push_real(out: &mut Vec<u8>, x: f64) {
    let start = out.len();
    push_f64(out, x);
    if x.is_finite() && !out[start..].contains(&b'.') {
        out.extend_from_slice(b".0");
    }
}

/// `x` as [`push_real`] writes it.
pub fn real(x: f64) -> String {
    let mut v = Vec::with_capacity(24);
    push_real(&mut v, x);
    String::from_utf8(v).expect("digits, signs and points are ASCII")
}

/// Appends an unsigned integer exactly as `format!("{v}")` would.
pub fn push_u64(out: &mut Vec<u8>, v: u64) {
    out.extend_from_slice(itoa::Buffer::new().format(v).as_bytes());
}

#[cfg(test)]
mod tests {
    use super::{push_f64, push_real, push_u64, real};
    use crate::stats::test_rng::Rng;

    fn ours(x: f64) -> String {
        let mut v = Vec::new();
        push_f64(&mut v, x);
        String::from_utf8(v).unwrap()
    }

    /// Random bit patterns cover every exponent (tiny subnormals to 1e308, where `Display`
    /// writes hundreds of digits); the other loops cover the values the engine writes (times,
    /// sums of hours, shares) with many ties and round numbers; then the edge cases by name.
    #[test]
    fn reals_are_written_exactly_as_display_writes_them() {
        let mut rng = Rng(11);
        let check = |x: f64| assert_eq!(ours(x), x.to_string(), "bits {:#x}", x.to_bits());
        for _ in 0..1_000_000 {
            check(f64::from_bits(rng.next()));
        }
        for _ in 0..1_000_000 {
            let scale = [1e-9, 1e-3, 1.0, 1e3, 1e6, 1e15, 1e17, 1e22][rng.below(8) as usize];
            check(rng.unit() * scale);
            check(-(rng.below(1_000_000) as f64) / 64.0);
            check(rng.below(100_000) as f64 / 1000.0);
            // Few binary digits after the point: where exact ties live.
            check((rng.next() >> rng.below(64)) as f64 / (1u64 << rng.below(40)) as f64);
        }
        for x in [
            0.0,
            -0.0,
            1.0,
            -1.0,
            0.1,
            0.2 + 0.1,
            1e-5,
            1e-7,
            123456.0,
            1e15,
            1e16,
            1e17,
            1e21,
            1e22,
            1e23,
            9007199254740993.0,
            f64::MAX,
            f64::MIN,
            f64::MIN_POSITIVE,
            f64::from_bits(1),
            f64::EPSILON,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ] {
            check(x);
        }
    }

    #[test]
    fn integers_are_written_exactly_as_display_writes_them() {
        let mut rng = Rng(12);
        for v in [0, 1, 9, 10, 99, 100, u64::from(u32::MAX), u64::MAX]
            .into_iter()
            .chain((0..10_000).map(|_| rng.next() >> rng.below(64)))
        {
            let mut out = Vec::new();
            push_u64(&mut out, v);
            assert_eq!(String::from_utf8(out).unwrap(), v.to_string());
        }
    }

    #[test]
    fn reals_always_carry_a_point_and_read_back_to_the_same_value() {
        for (x, want) in [
            (0.0, "0.0"),
            (-0.0, "-0.0"),
            (1.0, "1.0"),
            (12.0, "12.0"),
            (0.5, "0.5"),
            (1e16, "10000000000000000.0"),
            (1e-7, "0.0000001"),
            (-3.25, "-3.25"),
        ] {
            assert_eq!(real(x), want, "{x:?}");
        }
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        for _ in 0..200_000 {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let x = f64::from_bits(state);
            if !x.is_finite() {
                continue;
            }
            let mut v = Vec::new();
            push_real(&mut v, x);
            let t = std::str::from_utf8(&v).unwrap();
            assert!(t.contains('.'), "{t}");
            assert_eq!(t.parse::<f64>().unwrap().to_bits(), x.to_bits(), "{t}");
        }
    }
}
