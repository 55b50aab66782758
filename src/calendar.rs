//! Calendar dates and the working-day time axis.
//!
//! The simulation runs in continuous *working-day time*: `t = 0.0` is the start of the scenario's first
//! working day and working day index `d` (0-based) spans `[d, d + 1)`. Weekends and bank holidays do not
//! exist on that axis at all, so a case that needs three days of work takes exactly three units of `t`
//! whatever dates it straddles. This module owns everything needed to move between that axis and the
//! civil calendar:
//!
//! * [`Date`], a civil (proleptic Gregorian) date with strict ISO `YYYY-MM-DD` parsing and serde support
//!   (including TOML's native local dates);
//! * [`Weekday`] and [`WorkPattern`], which weekdays are worked and which dates are holidays;
//! * [`Region`] and [`bank_holidays`], the bank holidays of England and Wales, Scotland and Northern
//!   Ireland, exact from a table for the years GOV.UK publishes and by rule otherwise;
//! * [`Calendar`], the mapping between working-day indices (and times) and dates over a fixed span.
//!
//! It is pure computation: no I/O, no printing, no clock. Every function is total — malformed input gives
//! `None`/`Err` or a documented clamp, never a panic.

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

// ---------------------------------------------------------------------------------------------------------
// Civil date arithmetic (Howard Hinnant, "chrono-Compatible Low-Level Date Algorithms")
// ---------------------------------------------------------------------------------------------------------

/// Days from 1970-01-01 to `y-m-d` (proleptic Gregorian). Callers guarantee a valid date with a year well
/// inside `i32`, so the arithmetic cannot overflow.
fn days_from_civil(y: i32, m: u32, d: u32) -> i32 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = (y - era * 400) as u32; // [0, 399]
    let mp = if m > 2 { m - 3 } else { m + 9 }; // March-based month [0, 11]
    let doy = (153 * mp + 2) / 5 + d - 1; // [0, 365]
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy; // [0, 146096]
    era * 146_097 + doe as i32 - 719_468
}

/// Inverse of [`days_from_civil`]: `(year, month, day)` of the date `z` days after 1970-01-01. Callers keep
/// `z` within the supported range (years 1..=9999), far from `i32` overflow.
fn civil_from_days(z: i32) -> (i32, u32, u32) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = (z - era * 146_097) as u32; // [0, 146096]
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
    let y = yoe as i32 + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365]
    let mp = (5 * doy + 2) / 153; // [0, 11]
    let d = doy - (153 * mp + 2) / 5 + 1; // [1, 31]
    let m = if mp < 10 { mp + 3 } else { mp - 9 }; // [1, 12]
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn is_leap_year(y: i32) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

/// Number of days in month `m` (1..=12) of year `y`; 0 for an invalid month.
fn days_in_month(y: i32, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap_year(y) => 29,
        2 => 28,
        _ => 0,
    }
}

/// First and last supported years. Four-digit years keep the ISO form unambiguous and bound all arithmetic.
const MIN_YEAR: i32 = 1;
const MAX_YEAR: i32 = 9999;
/// Days since 1970-01-01 of 0001-01-01 and 9999-12-31 (checked in the tests).
const MIN_DAYS: i32 = -719_162;
const MAX_DAYS: i32 = 2_932_896;

// ---------------------------------------------------------------------------------------------------------
// Date
// ---------------------------------------------------------------------------------------------------------

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// A civil (proleptic Gregorian) date, stored as days since 1970-01-01.
///
/// Only years 0001..=9999 are representable: constructors refuse anything else and [`Date::add_days`]
/// saturates at the ends, so every `Date` prints as a four-digit-year ISO date. Ordering is chronological.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(i32);

/// Why a text is not a date. Messages quote the offending text (shortened if long) and the expected form.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DateError {
    /// Not of the form `YYYY-MM-DD` at all.
    #[error(
        "invalid date {}: expected a date of the form YYYY-MM-DD, e.g. 2023-04-06",
        crate::quote::quoted(text)
    )]
    Malformed {
        /// The offending text (at most 65 characters of it).
        text: String,
    },
    /// Of the right form but naming no real day (e.g. `2023-02-29`, month 13, year 0000).
    #[error(
        "invalid date {}: no such day (expected YYYY-MM-DD with year 0001-9999, month 01-12 \
         and a day that exists in that month)",
        crate::quote::quoted(text)
    )]
    NoSuchDay {
        /// The offending text.
        text: String,
    },
    /// A date followed by a time of day and/or offset, where only a date is meaningful.
    #[error(
        "invalid date {}: a date-time was given but only a date is expected; write it as \
         YYYY-MM-DD without a time of day or offset",
        crate::quote::quoted(text)
    )]
    HasTime {
        /// The offending text (at most 65 characters of it).
        text: String,
    },
}

/// Shortens `text` for an error message so a huge input cannot produce a huge message: one
/// character more than a message shows ([`crate::quote::quoted`] cuts it and marks the cut).
fn shown(text: &str) -> String {
    text.chars().take(crate::quote::SHOWN_CHARS + 1).collect()
}

impl Date {
    /// The earliest representable date, 0001-01-01.
    pub const MIN: Date = Date(MIN_DAYS);
    /// The latest representable date, 9999-12-31.
    pub const MAX: Date = Date(MAX_DAYS);

    /// The date `y-m-d`, or `None` when it does not exist (e.g. 2023-02-29, month 0) or the year is outside
    /// 1..=9999.
    pub fn from_ymd(y: i32, m: u32, d: u32) -> Option<Date> {
        if !(MIN_YEAR..=MAX_YEAR).contains(&y) || !(1..=12).contains(&m) {
            return None;
        }
        if d == 0 || d > days_in_month(y, m) {
            return None;
        }
        Some(Date(days_from_civil(y, m, d)))
    }

    /// Parses strictly `YYYY-MM-DD` (exactly four, two and two ASCII digits; no whitespace, no sign, no
    /// time part). Strictness is deliberate: `06/04/2023` means different days in different countries.
    pub fn parse(s: &str) -> Result<Date, DateError> {
        let b = s.as_bytes();
        let well_formed_prefix = b.len() >= 10
            && b[..4].iter().all(u8::is_ascii_digit)
            && b[4] == b'-'
            && b[5..7].iter().all(u8::is_ascii_digit)
            && b[7] == b'-'
            && b[8..10].iter().all(u8::is_ascii_digit);
        if !well_formed_prefix {
            return Err(DateError::Malformed { text: shown(s) });
        }
        if b.len() > 10 {
            // RFC 3339 / TOML date-times continue with 'T', 't' or a space and then a time.
            return Err(
                if matches!(b[10], b'T' | b't' | b' ') && b.get(11).is_some_and(u8::is_ascii_digit)
                {
                    DateError::HasTime { text: shown(s) }
                } else {
                    DateError::Malformed { text: shown(s) }
                },
            );
        }
        let num = |r: std::ops::Range<usize>| {
            b[r].iter()
                .fold(0u32, |acc, &c| acc * 10 + u32::from(c - b'0'))
        };
        let (y, m, d) = (num(0..4), num(5..7), num(8..10));
        // y <= 9999 so the cast is lossless.
        Date::from_ymd(y as i32, m, d).ok_or_else(|| DateError::NoSuchDay { text: shown(s) })
    }

    /// `(year, month 1..=12, day 1..=31)`.
    pub fn ymd(self) -> (i32, u32, u32) {
        civil_from_days(self.0)
    }

    /// The year.
    pub fn year(self) -> i32 {
        self.ymd().0
    }

    /// Day of the week.
    pub fn weekday(self) -> Weekday {
        // 1970-01-01 was a Thursday (index 3).
        Weekday::from_index((i64::from(self.0) + 3).rem_euclid(7) as usize)
    }

    /// The date `n` calendar days later (earlier for negative `n`), saturating at [`Date::MIN`] and
    /// [`Date::MAX`] rather than overflowing.
    pub fn add_days(self, n: i64) -> Date {
        let z = i64::from(self.0).saturating_add(n);
        // The clamp makes the narrowing cast lossless.
        Date(z.clamp(i64::from(MIN_DAYS), i64::from(MAX_DAYS)) as i32)
    }

    /// The same day of the month `n` months later, or the month's last day when it has no such
    /// day (31 January + 1 month = 28 or 29 February); `None` beyond the years dates may have.
    pub fn add_months(self, n: u32) -> Option<Date> {
        let (y, m, d) = self.ymd();
        let months = i64::from(y) * 12 + i64::from(m - 1) + i64::from(n);
        let (y, m) = (i32::try_from(months / 12).ok()?, (months % 12) as u32 + 1);
        if !(MIN_YEAR..=MAX_YEAR).contains(&y) {
            return None;
        }
        Date::from_ymd(y, m, d.min(days_in_month(y, m)))
    }

    /// `self - earlier` in calendar days (negative when `earlier` is actually later).
    pub fn days_since(self, earlier: Date) -> i64 {
        i64::from(self.0) - i64::from(earlier.0)
    }

    /// Days since 1970-01-01 (negative before it): a compact, stable key.
    pub fn days_since_epoch(self) -> i32 {
        self.0
    }

    /// The date `n` days after 1970-01-01 (before it for negative `n`), saturating at the ends of
    /// the representable span like [`Date::add_days`].
    pub fn from_days_since_epoch(n: i64) -> Date {
        Date(0).add_days(n)
    }

    /// English short month name and year, e.g. `"Apr 2023"` (for chart axes).
    pub fn month_year(self) -> String {
        let (y, m, _) = self.ymd();
        format!("{} {y}", MONTHS[m as usize - 1])
    }

    /// Day, short month and year, e.g. `"6 Apr 2023"` (for chart titles and labels).
    pub fn human(self) -> String {
        let (y, m, d) = self.ymd();
        format!("{d} {} {y}", MONTHS[m as usize - 1])
    }
}

impl fmt::Display for Date {
    /// ISO 8601 calendar date, e.g. `2023-04-06`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = self.ymd();
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

impl FromStr for Date {
    type Err = DateError;
    fn from_str(s: &str) -> Result<Date, DateError> {
        Date::parse(s)
    }
}

impl Serialize for Date {
    /// As the ISO string, so JSON/CSV/TOML outputs read naturally.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// First and last years a date in a scenario may fall in. Dates are represented for years
/// 0001-9999, but a scenario is a plan: bounding its years keeps every date vetsim computes from
/// it (axis ends padded past the horizon, ticks stepped to the next Monday or month) far from the
/// representable ends, where saturating arithmetic would stop a loop from advancing.
pub const PLANNING_FIRST_YEAR: i32 = 1900;
/// See [`PLANNING_FIRST_YEAR`].
pub const PLANNING_LAST_YEAR: i32 = 2199;

/// `d`, if its year is one a scenario may use ([`PLANNING_FIRST_YEAR`] to [`PLANNING_LAST_YEAR`]).
fn in_planning_years<E: de::Error>(d: Date) -> Result<Date, E> {
    if (PLANNING_FIRST_YEAR..=PLANNING_LAST_YEAR).contains(&d.year()) {
        Ok(d)
    } else {
        Err(E::custom(format_args!(
            "{d} is outside the years a scenario may use, {PLANNING_FIRST_YEAR} to \
             {PLANNING_LAST_YEAR}"
        )))
    }
}

/// The key under which the `toml` crate hands a native TOML date/time to serde (as a one-entry map whose
/// value is the date's string form). This is `toml_datetime`'s private protocol, stable across toml 0.5-1.x.
const TOML_DATETIME_FIELD: &str = "$__toml_private_datetime";

struct DateVisitor;

impl<'de> Visitor<'de> for DateVisitor {
    type Value = Date;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            "a date of the form YYYY-MM-DD (a string or a TOML local date), e.g. 2023-04-06",
        )
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Date, E> {
        Date::parse(v)
            .map_err(E::custom)
            .and_then(in_planning_years)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Date, A::Error> {
        let key: Option<String> = map.next_key()?;
        match key.as_deref() {
            Some(TOML_DATETIME_FIELD) => {
                let text: String = map.next_value()?;
                match Date::parse(&text) {
                    Ok(d) => in_planning_years(d),
                    Err(DateError::HasTime { .. }) => Err(de::Error::custom(format_args!(
                        "expected a plain date such as 2023-04-06, found the TOML date-time {}: \
                         a date here must have no time of day or offset",
                        shown(&text)
                    ))),
                    Err(DateError::Malformed { .. }) if text.contains(':') => {
                        Err(de::Error::custom(format_args!(
                            "expected a date such as 2023-04-06, found the TOML time of day {}",
                            shown(&text)
                        )))
                    }
                    Err(e) => Err(de::Error::custom(e)),
                }
            }
            _ => Err(de::Error::invalid_type(de::Unexpected::Map, &self)),
        }
    }
}

impl<'de> Deserialize<'de> for Date {
    /// Accepts an ISO string `"2023-04-06"` or a TOML native local date `2023-04-06`; rejects date-times.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Date, D::Error> {
        // `deserialize_any` because the toml crate presents native dates as a map, not a string.
        deserializer.deserialize_any(DateVisitor)
    }
}

// ---------------------------------------------------------------------------------------------------------
// Weekday
// ---------------------------------------------------------------------------------------------------------

/// A period as people say it: `"6 months"`, `"13 weeks"`, `"90 days"`, `"1 year"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Duration {
    Days(u32),
    Weeks(u32),
    Months(u32),
    Years(u32),
}

impl Duration {
    /// What a duration looks like, for messages.
    pub const FORM: &'static str =
        "a whole number and a unit, e.g. \"6 months\", \"13 weeks\", \"90 days\" or \"1 year\"";

    /// Parses `"N unit"` with N a whole number from 1 and the unit day, week, month or year
    /// (singular or plural); `None` for anything else.
    pub fn parse(s: &str) -> Option<Duration> {
        let mut parts = s.split_whitespace();
        let (n, unit, rest) = (parts.next()?, parts.next()?, parts.next());
        if rest.is_some() || !n.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let n: u32 = n.parse().ok().filter(|n| *n >= 1)?;
        Some(match unit.strip_suffix('s').unwrap_or(unit) {
            "day" => Duration::Days(n),
            "week" => Duration::Weeks(n),
            "month" => Duration::Months(n),
            "year" => Duration::Years(n),
            _ => return None,
        })
    }

    /// The last day of a period of this length that starts on `from`, inclusive: the day before
    /// the same date that long after (3 months from 6 April 2023 ends on 5 July 2023; 1 month
    /// from 31 January ends the day before the last day of February). `None` beyond the years
    /// dates may have.
    pub fn last_day_from(self, from: Date) -> Option<Date> {
        // A span of days ends n - 1 days on, if a date can hold that: past the last date,
        // `add_days` clamps, and "4294967295 days" was taken while "9999 years" was refused.
        let days = |n: i64| {
            (n >= 1 && i64::from(from.0) + n - 1 <= i64::from(MAX_DAYS))
                .then(|| from.add_days(n - 1))
        };
        match self {
            Duration::Days(n) => days(i64::from(n)),
            Duration::Weeks(n) => days(7 * i64::from(n)),
            Duration::Months(n) | Duration::Years(n) => {
                let months = if matches!(self, Duration::Years(_)) {
                    n.checked_mul(12)?
                } else {
                    n
                };
                let after = from.add_months(months)?;
                (after > from).then(|| after.add_days(-1))
            }
        }
    }
}

/// Day of the week, Monday first (ISO 8601 order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Weekday {
    Mon,
    Tue,
    Wed,
    Thu,
    Fri,
    Sat,
    Sun,
}

impl Weekday {
    /// All seven days, Monday first.
    pub const ALL: [Weekday; 7] = [
        Weekday::Mon,
        Weekday::Tue,
        Weekday::Wed,
        Weekday::Thu,
        Weekday::Fri,
        Weekday::Sat,
        Weekday::Sun,
    ];

    /// Monday to Friday, the usual office week.
    pub const MON_TO_FRI: [Weekday; 5] = [
        Weekday::Mon,
        Weekday::Tue,
        Weekday::Wed,
        Weekday::Thu,
        Weekday::Fri,
    ];

    /// Parses a three-letter (`"Mon"`) or full English (`"monday"`) name, case-insensitively.
    pub fn parse(s: &str) -> Option<Weekday> {
        Some(match s.to_ascii_lowercase().as_str() {
            "mon" | "monday" => Weekday::Mon,
            "tue" | "tuesday" => Weekday::Tue,
            "wed" | "wednesday" => Weekday::Wed,
            "thu" | "thursday" => Weekday::Thu,
            "fri" | "friday" => Weekday::Fri,
            "sat" | "saturday" => Weekday::Sat,
            "sun" | "sunday" => Weekday::Sun,
            _ => return None,
        })
    }

    /// 0 for Monday up to 6 for Sunday.
    pub fn index(self) -> usize {
        self as usize
    }

    /// Inverse of [`Weekday::index`], taken modulo 7 so it never panics.
    pub fn from_index(i: usize) -> Weekday {
        Weekday::ALL[i % 7]
    }

    /// The three-letter name, e.g. `"Mon"`.
    pub fn short_name(self) -> &'static str {
        ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"][self.index()]
    }
}

impl fmt::Display for Weekday {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.short_name())
    }
}

impl Serialize for Weekday {
    /// As the three-letter name, e.g. `"Mon"`.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.short_name())
    }
}

struct WeekdayVisitor;

impl Visitor<'_> for WeekdayVisitor {
    type Value = Weekday;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a weekday name such as \"Mon\" or \"Monday\"")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Weekday, E> {
        Weekday::parse(v).ok_or_else(|| {
            E::custom(format_args!(
                "invalid weekday {}: expected Mon, Tue, Wed, Thu, Fri, Sat or Sun \
                 (or the full English name, any case)",
                crate::quote::quoted(v)
            ))
        })
    }
}

impl<'de> Deserialize<'de> for Weekday {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Weekday, D::Error> {
        deserializer.deserialize_str(WeekdayVisitor)
    }
}

// ---------------------------------------------------------------------------------------------------------
// UK bank holidays: England and Wales, Scotland, Northern Ireland
// ---------------------------------------------------------------------------------------------------------

/// A part of the UK with its own bank holidays. GOV.UK publishes one list for each
/// (<https://www.gov.uk/bank-holidays>), and police forces plan by their own: the forces of England and
/// Wales by the first, Police Scotland by the second, the Police Service of Northern Ireland by the third.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Region {
    /// England and Wales.
    EnglandAndWales,
    /// Scotland: 2 January, the first Monday of August and St Andrew's Day, but no Easter Monday and no
    /// late August holiday.
    Scotland,
    /// Northern Ireland: the England and Wales holidays plus St Patrick's Day and the Battle of the Boyne.
    NorthernIreland,
}

impl Region {
    /// All three, in GOV.UK's order.
    pub const ALL: [Region; 3] = [
        Region::EnglandAndWales,
        Region::Scotland,
        Region::NorthernIreland,
    ];

    /// The region's GOV.UK table.
    fn table(self) -> &'static HolidayTable {
        match self {
            Region::EnglandAndWales => &ENGLAND_AND_WALES_TABLE,
            Region::Scotland => &SCOTLAND_TABLE,
            Region::NorthernIreland => &NORTHERN_IRELAND_TABLE,
        }
    }
}

/// Years covered by every region's table.
const TABLE_FIRST_YEAR: i32 = 2022;
const TABLE_LAST_YEAR: i32 = 2027;

/// One region's bank holidays for [`TABLE_FIRST_YEAR`] to [`TABLE_LAST_YEAR`] as
/// `(year, [(month, day), ...])`, sorted: the day off itself, so a substitute day stands in place of the
/// weekend date it replaces.
type HolidayTable = [(i32, &'static [(u32, u32)]); 6];

/// England and Wales bank holidays as published on GOV.UK (<https://www.gov.uk/bank-holidays>). Tabulated
/// because real years contain one-offs no rule knows: 2022's Platinum Jubilee (spring holiday moved to
/// 2 June, extra day 3 June) and the State Funeral of 19 September, and 2023's Coronation holiday on
/// 8 May. Those three were UK-wide, so the other two tables have them too.
///
/// Cross-checked against the Python `holidays` package (0.109, `holidays.UK(subdiv="ENG")`, weekdays only):
/// it agrees date for date, 29 August 2022 included, which this table once lacked.
const ENGLAND_AND_WALES_TABLE: HolidayTable = [
    (
        2022,
        &[
            (1, 3),
            (4, 15),
            (4, 18),
            (5, 2),
            (6, 2),
            (6, 3),
            (8, 29),
            (9, 19),
            (12, 26),
            (12, 27),
        ],
    ),
    (
        2023,
        &[
            (1, 2),
            (4, 7),
            (4, 10),
            (5, 1),
            (5, 8),
            (5, 29),
            (8, 28),
            (12, 25),
            (12, 26),
        ],
    ),
    (
        2024,
        &[
            (1, 1),
            (3, 29),
            (4, 1),
            (5, 6),
            (5, 27),
            (8, 26),
            (12, 25),
            (12, 26),
        ],
    ),
    (
        2025,
        &[
            (1, 1),
            (4, 18),
            (4, 21),
            (5, 5),
            (5, 26),
            (8, 25),
            (12, 25),
            (12, 26),
        ],
    ),
    (
        2026,
        &[
            (1, 1),
            (4, 3),
            (4, 6),
            (5, 4),
            (5, 25),
            (8, 31),
            (12, 25),
            (12, 28),
        ],
    ),
    (
        2027,
        &[
            (1, 1),
            (3, 26),
            (3, 29),
            (5, 3),
            (5, 31),
            (8, 30),
            (12, 27),
            (12, 28),
        ],
    ),
];

/// Scotland's bank holidays as published on GOV.UK (<https://www.gov.uk/bank-holidays>), with the UK-wide
/// one-offs of 2022 and 2023 and one of Scotland's own: Monday 15 June 2026, the "World Cup bank holiday"
/// appointed by Royal Proclamation in February 2026 (Banking and Financial Dealings Act 1971, s. 1(3)) for
/// the men's team's first World Cup finals since 1998.
///
/// Cross-checked against the Python `holidays` package (0.109, `holidays.UK(subdiv="SCT")`, weekdays only):
/// they agree date for date but for one. The package has 15 June 2026, which this table, first written from
/// knowledge of GOV.UK's list, lacked. The package was believed and the day added: it cites the Royal
/// Proclamation, the Scottish Government announced the day ("World Cup bank holiday confirmed", gov.scot,
/// 5 February 2026), and other holiday libraries report that GOV.UK's list has it (GOV.UK itself could not
/// be reached when this was written).
///
/// Bank holidays are not everyone's days off in Scotland: councils set local public holidays (Easter Monday
/// in some places, a September weekend), which a scenario adds as extra holidays.
const SCOTLAND_TABLE: HolidayTable = [
    (
        2022,
        &[
            (1, 3),
            (1, 4),
            (4, 15),
            (5, 2),
            (6, 2),
            (6, 3),
            (8, 1),
            (9, 19),
            (11, 30),
            (12, 26),
            (12, 27),
        ],
    ),
    (
        2023,
        &[
            (1, 2),
            (1, 3),
            (4, 7),
            (5, 1),
            (5, 8),
            (5, 29),
            (8, 7),
            (11, 30),
            (12, 25),
            (12, 26),
        ],
    ),
    (
        2024,
        &[
            (1, 1),
            (1, 2),
            (3, 29),
            (5, 6),
            (5, 27),
            (8, 5),
            (12, 2),
            (12, 25),
            (12, 26),
        ],
    ),
    (
        2025,
        &[
            (1, 1),
            (1, 2),
            (4, 18),
            (5, 5),
            (5, 26),
            (8, 4),
            (12, 1),
            (12, 25),
            (12, 26),
        ],
    ),
    (
        2026,
        &[
            (1, 1),
            (1, 2),
            (4, 3),
            (5, 4),
            (5, 25),
            (6, 15),
            (8, 3),
            (11, 30),
            (12, 25),
            (12, 28),
        ],
    ),
    (
        2027,
        &[
            (1, 1),
            (1, 4),
            (3, 26),
            (5, 3),
            (5, 31),
            (8, 2),
            (11, 30),
            (12, 27),
            (12, 28),
        ],
    ),
];

/// Northern Ireland's bank holidays as published on GOV.UK (<https://www.gov.uk/bank-holidays>): the
/// England and Wales ones, one-offs included, plus St Patrick's Day (17 March) and the Battle of the Boyne
/// (12 July; strictly a public holiday the Secretary of State for Northern Ireland appoints each year, which
/// GOV.UK lists with the bank holidays), each moved to the Monday after when it falls at a weekend.
///
/// Cross-checked against the Python `holidays` package (0.109, `holidays.UK(subdiv="NIR")`, weekdays only):
/// it agrees date for date.
const NORTHERN_IRELAND_TABLE: HolidayTable = [
    (
        2022,
        &[
            (1, 3),
            (3, 17),
            (4, 15),
            (4, 18),
            (5, 2),
            (6, 2),
            (6, 3),
            (7, 12),
            (8, 29),
            (9, 19),
            (12, 26),
            (12, 27),
        ],
    ),
    (
        2023,
        &[
            (1, 2),
            (3, 17),
            (4, 7),
            (4, 10),
            (5, 1),
            (5, 8),
            (5, 29),
            (7, 12),
            (8, 28),
            (12, 25),
            (12, 26),
        ],
    ),
    (
        2024,
        &[
            (1, 1),
            (3, 18),
            (3, 29),
            (4, 1),
            (5, 6),
            (5, 27),
            (7, 12),
            (8, 26),
            (12, 25),
            (12, 26),
        ],
    ),
    (
        2025,
        &[
            (1, 1),
            (3, 17),
            (4, 18),
            (4, 21),
            (5, 5),
            (5, 26),
            (7, 14),
            (8, 25),
            (12, 25),
            (12, 26),
        ],
    ),
    (
        2026,
        &[
            (1, 1),
            (3, 17),
            (4, 3),
            (4, 6),
            (5, 4),
            (5, 25),
            (7, 13),
            (8, 31),
            (12, 25),
            (12, 28),
        ],
    ),
    (
        2027,
        &[
            (1, 1),
            (3, 17),
            (3, 26),
            (3, 29),
            (5, 3),
            (5, 31),
            (7, 12),
            (8, 30),
            (12, 27),
            (12, 28),
        ],
    ),
];

/// True when `year`'s bank holidays come from the published GOV.UK tables (exact, one-offs included) rather
/// than from the rule in [`bank_holidays_by_rule`] (which cannot know about one-offs). The three regions'
/// tables cover the same years.
pub fn bank_holidays_tabulated(year: i32) -> bool {
    (TABLE_FIRST_YEAR..=TABLE_LAST_YEAR).contains(&year)
}

/// `region`'s bank holidays of `year`, sorted ascending.
///
/// Exact for the tabulated years (see [`bank_holidays_tabulated`], 2022-2027). Other years use the standing
/// rule (see [`bank_holidays_by_rule`]); that misses one-off holidays such as 2020's VE Day move and is
/// anachronistic before the current pattern settled (1978 for the early May holiday, 2007 for Scotland's
/// St Andrew's Day). Years outside 1..=9999 give an empty list.
pub fn bank_holidays(region: Region, year: i32) -> Vec<Date> {
    match region.table().iter().find(|(y, _)| *y == year) {
        Some((y, days)) => days
            .iter()
            .filter_map(|&(m, d)| Date::from_ymd(*y, m, d))
            .collect(),
        None => bank_holidays_by_rule(region, year),
    }
}

/// Every `region` bank holiday in `[first, last]` (inclusive), sorted: the holiday list for a
/// [`WorkPattern`] covering a scenario's span.
pub fn bank_holidays_between(region: Region, first: Date, last: Date) -> Vec<Date> {
    if last < first {
        return Vec::new();
    }
    (first.year()..=last.year())
        .flat_map(|year| bank_holidays(region, year))
        .filter(|d| (first..=last).contains(d))
        .collect()
}

/// Easter Sunday of `year` by the anonymous Gregorian computus (Meeus/Jones/Butcher); `None` outside
/// years 1..=9999.
pub fn easter_sunday(year: i32) -> Option<Date> {
    if !(MIN_YEAR..=MAX_YEAR).contains(&year) {
        return None;
    }
    let y = year;
    let a = y % 19;
    let b = y / 100;
    let c = y % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    Date::from_ymd(y, month as u32, day as u32)
}

/// The first `wd` on or after `d`.
fn next_weekday_on_or_after(d: Date, wd: Weekday) -> Date {
    let ahead = (wd.index() + 7 - d.weekday().index()) % 7;
    d.add_days(ahead as i64)
}

/// The last `wd` on or before `d`.
fn last_weekday_on_or_before(d: Date, wd: Weekday) -> Date {
    let back = (d.weekday().index() + 7 - wd.index()) % 7;
    d.add_days(-(back as i64))
}

/// `region`'s bank holidays of `year` by the standing rule, ignoring the table. Sorted; empty outside years
/// 1..=9999.
///
/// Everywhere: New Year's Day, Good Friday, the first and the last Mondays of May, Christmas Day and Boxing
/// Day. Then, after the Banking and Financial Dealings Act 1971 (Schedule 1) as amended and proclaimed:
///
/// * England and Wales: Easter Monday and the last Monday of August;
/// * Scotland: 2 January, the first Monday of August and St Andrew's Day, 30 November (St Andrew's Day
///   Bank Holiday (Scotland) Act 2007);
/// * Northern Ireland: as England and Wales, plus St Patrick's Day (17 March) and the Battle of the Boyne
///   (12 July).
///
/// A fixed-date holiday at a weekend gives way to a substitute day: the next weekday not already a
/// holiday, earlier holidays choosing first. That one rule gives every substitute GOV.UK lists: Christmas
/// on a Sunday keeps Boxing Day on Monday 26 and moves Christmas to Tuesday 27; New Year's Day and
/// 2 January on a Saturday and Sunday become Monday 3 and Tuesday 4 in Scotland; St Andrew's Day, St
/// Patrick's Day and the Boyne move to the Monday after.
pub fn bank_holidays_by_rule(region: Region, year: i32) -> Vec<Date> {
    let (Some(easter), Some(may1), Some(may31), Some(aug1), Some(aug31)) = (
        easter_sunday(year),
        Date::from_ymd(year, 5, 1),
        Date::from_ymd(year, 5, 31),
        Date::from_ymd(year, 8, 1),
        Date::from_ymd(year, 8, 31),
    ) else {
        return Vec::new();
    };
    // Fixed dates, as (month, day), before any substitution.
    let fixed: &[(u32, u32)] = match region {
        Region::EnglandAndWales => &[(1, 1), (12, 25), (12, 26)],
        Region::Scotland => &[(1, 1), (1, 2), (11, 30), (12, 25), (12, 26)],
        Region::NorthernIreland => &[(1, 1), (3, 17), (7, 12), (12, 25), (12, 26)],
    };
    let mut days: Vec<Date> = fixed
        .iter()
        .filter_map(|&(m, d)| Date::from_ymd(year, m, d))
        .collect();
    days.extend([
        easter.add_days(-2),
        next_weekday_on_or_after(may1, Weekday::Mon),
        last_weekday_on_or_before(may31, Weekday::Mon),
    ]);
    match region {
        Region::EnglandAndWales | Region::NorthernIreland => days.extend([
            easter.add_days(1),
            last_weekday_on_or_before(aug31, Weekday::Mon),
        ]),
        Region::Scotland => days.push(next_weekday_on_or_after(aug1, Weekday::Mon)),
    }
    with_substitutes(days)
}

/// `days`, a year's holidays on their own dates, with each one that falls at a weekend replaced by its
/// substitute: the next weekday that is not already a holiday, the earlier weekend holiday choosing first.
/// Sorted and without repeats.
fn with_substitutes(mut days: Vec<Date>) -> Vec<Date> {
    days.sort_unstable();
    let at_weekend = |d: Date| d.weekday() >= Weekday::Sat;
    let mut kept: BTreeSet<Date> = days.iter().copied().filter(|&d| !at_weekend(d)).collect();
    for &d in days.iter().filter(|&&d| at_weekend(d)) {
        // A fortnight holds ten weekdays, more than a year's holidays ever crowd into one.
        if let Some(substitute) = (1..=14)
            .map(|i| d.add_days(i))
            .find(|&s| !at_weekend(s) && !kept.contains(&s))
        {
            kept.insert(substitute);
        }
    }
    kept.into_iter().collect()
}

// ---------------------------------------------------------------------------------------------------------
// Work pattern
// ---------------------------------------------------------------------------------------------------------

/// Which weekdays are worked, plus the individual dates (holidays) that are not worked even so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkPattern {
    /// `worked[i]` for [`Weekday::index`] `i`.
    worked: [bool; 7],
    holidays: BTreeSet<Date>,
}

impl WorkPattern {
    /// A pattern working on `weekdays` (duplicates harmless) except on the `holidays` (holidays that fall on
    /// unworked weekdays are harmless too).
    pub fn new(weekdays: &[Weekday], holidays: impl IntoIterator<Item = Date>) -> WorkPattern {
        let mut worked = [false; 7];
        for w in weekdays {
            worked[w.index()] = true;
        }
        WorkPattern {
            worked,
            holidays: holidays.into_iter().collect(),
        }
    }

    /// True when `d` is worked: its weekday is worked and it is not a holiday.
    pub fn is_working_day(&self, d: Date) -> bool {
        self.worked[d.weekday().index()] && !self.holidays.contains(&d)
    }

    /// The worked weekdays, Monday first.
    pub fn weekdays(&self) -> Vec<Weekday> {
        Weekday::ALL
            .into_iter()
            .filter(|w| self.worked[w.index()])
            .collect()
    }

    /// The holiday dates, ascending.
    pub fn holidays(&self) -> impl Iterator<Item = Date> + '_ {
        self.holidays.iter().copied()
    }

    /// Number of working days in `[from, to)` (`to` exclusive); 0 when `to <= from`. Constant time in the
    /// span length apart from the holidays inside it.
    pub fn working_days_between(&self, from: Date, to: Date) -> u64 {
        if to <= from {
            return 0;
        }
        let n = to.days_since(from) as u64; // > 0
        let per_week = self.worked.iter().filter(|&&w| w).count() as u64;
        let first = from.weekday().index();
        let remainder = (0..(n % 7) as usize)
            .filter(|i| self.worked[(first + i) % 7])
            .count() as u64;
        let lost_to_holidays = self
            .holidays
            .range(from..to)
            .filter(|d| self.worked[d.weekday().index()])
            .count() as u64;
        (n / 7) * per_week + remainder - lost_to_holidays
    }
}

// ---------------------------------------------------------------------------------------------------------
// Calendar
// ---------------------------------------------------------------------------------------------------------

/// Longest span a [`Calendar`] accepts, in calendar days (100 years). Anything longer is a typo, not a plan.
pub const MAX_CALENDAR_SPAN_DAYS: i64 = 36_525;

/// Why a [`Calendar`] cannot be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CalendarError {
    /// The span is backwards.
    #[error("calendar end {end} is before its start {start}")]
    EndBeforeStart {
        /// First date of the span.
        start: Date,
        /// Last date of the span.
        end: Date,
    },
    /// The work pattern leaves no working day in the span.
    #[error(
        "no working day between {start} and {end} inclusive: the work pattern (weekdays and holidays) \
         excludes every date in that span"
    )]
    NoWorkingDays {
        /// First date of the span.
        start: Date,
        /// Last date of the span.
        end: Date,
    },
    /// The span is absurdly long.
    #[error(
        "calendar span {start} to {end} is {days} days, longer than the 100-year limit of \
         {MAX_CALENDAR_SPAN_DAYS} days"
    )]
    SpanTooLong {
        /// First date of the span.
        start: Date,
        /// Last date of the span.
        end: Date,
        /// Length of the span in calendar days.
        days: i64,
    },
}

/// The mapping between working-day indices (and working-day time) and dates over a fixed span.
///
/// Day 0 is the first working day on or after the span's start; the calendar holds every working day up to
/// and including the span's end. Working-day time `t` puts day `d` at `[d, d + 1)`.
#[derive(Debug, Clone)]
pub struct Calendar {
    /// The working days in ascending order; never empty.
    days: Vec<Date>,
}

impl Calendar {
    /// The working days of `pattern` in `[start, end]`.
    ///
    /// Errors when `end < start`, when the span exceeds [`MAX_CALENDAR_SPAN_DAYS`] (100 years), or when it
    /// contains no working day.
    pub fn new(start: Date, end: Date, pattern: &WorkPattern) -> Result<Calendar, CalendarError> {
        if end < start {
            return Err(CalendarError::EndBeforeStart { start, end });
        }
        let span = end.days_since(start);
        if span > MAX_CALENDAR_SPAN_DAYS {
            return Err(CalendarError::SpanTooLong {
                start,
                end,
                days: span,
            });
        }
        let days: Vec<Date> = (0..=span)
            .map(|i| start.add_days(i))
            .filter(|&d| pattern.is_working_day(d))
            .collect();
        if days.is_empty() {
            return Err(CalendarError::NoWorkingDays { start, end });
        }
        Ok(Calendar { days })
    }

    /// Number of working days in the span (at least 1).
    pub fn len(&self) -> usize {
        self.days.len()
    }

    /// Always false: a calendar holds at least one working day. Present for API hygiene.
    pub fn is_empty(&self) -> bool {
        self.days.is_empty()
    }

    /// The date of working day `day`, or `None` past the end.
    pub fn date_of_day(&self, day: usize) -> Option<Date> {
        self.days.get(day).copied()
    }

    /// Index of the first working day on or after `d`: 0 when `d` is on or before day 0, `len()` when `d` is
    /// after the last working day.
    pub fn first_day_on_or_after(&self, d: Date) -> usize {
        self.days.partition_point(|&x| x < d)
    }

    /// Index of the last working day on or before `d`, or `None` when `d` is before day 0.
    pub fn last_day_on_or_before(&self, d: Date) -> Option<usize> {
        self.days.partition_point(|&x| x <= d).checked_sub(1)
    }

    /// Index of `d` when it is one of the calendar's working days.
    pub fn day_of_date(&self, d: Date) -> Option<usize> {
        self.days.binary_search(&d).ok()
    }

    /// The date on which moment `t` (working days since the start of day 0) falls.
    ///
    /// An instant on a day boundary is read as the *end* of the earlier day — work finishing at `t = 1.0`
    /// finished on day 0 — so `t` in `(d, d + 1]` gives day `d`, and `t <= 0` gives day 0. Times past the
    /// span clamp to the last day; NaN gives day 0.
    pub fn date_at_time(&self, t: f64) -> Date {
        let last = self.days.len() - 1;
        let day = if t > 0.0 {
            // ceil(t) - 1 >= 0 for t > 0; the float-to-int cast saturates, then clamp to the span.
            ((t.ceil() - 1.0) as usize).min(last)
        } else {
            // t <= 0, and NaN (every comparison with NaN is false).
            0
        };
        self.days[day]
    }

    /// The working-day time at which date `d` begins: the start of the first working day on or after it
    /// (`len()` as a time when `d` is after the span).
    pub fn time_at_start_of(&self, d: Date) -> f64 {
        self.first_day_on_or_after(d) as f64
    }

    /// First working day (day 0).
    pub fn first_date(&self) -> Date {
        self.days[0]
    }

    /// Last working day (day `len() - 1`).
    pub fn last_date(&self) -> Date {
        self.days[self.days.len() - 1]
    }

    /// All working days, ascending; index = working-day index.
    pub fn days(&self) -> &[Date] {
        &self.days
    }
}

// ---------------------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_end_the_day_before_the_same_date_that_long_after() {
        let d = |s: &str| Date::parse(s).unwrap();
        let last = |text: &str, from: &str| {
            Duration::parse(text)
                .unwrap()
                .last_day_from(d(from))
                .unwrap()
                .to_string()
        };
        assert_eq!(last("3 months", "2023-04-06"), "2023-07-05");
        assert_eq!(last("1 month", "2024-01-31"), "2024-02-28"); // 29 Feb 2024, less a day
        assert_eq!(last("1 month", "2023-01-31"), "2023-02-27");
        assert_eq!(last("90 days", "2023-04-06"), "2023-07-04");
        assert_eq!(last("1 day", "2023-04-06"), "2023-04-06");
        assert_eq!(last("2 weeks", "2023-04-06"), "2023-04-19");
        assert_eq!(last("1 year", "2024-02-29"), "2025-02-27");
        assert_eq!(last("18 months", "2023-10-15"), "2025-04-14");
        for bad in [
            "",
            "6",
            "months",
            "0 months",
            "6 fortnights",
            "-1 days",
            "1.5 months",
            "6 months later",
        ] {
            assert_eq!(Duration::parse(bad), None, "{bad:?}");
        }
        assert_eq!(Duration::parse("1 months"), Some(Duration::Months(1)));
        assert_eq!(Duration::parse(" 6  weeks "), Some(Duration::Weeks(6)));
        // Past the last date a scenario can hold: no end, in every unit alike.
        for far in [
            "9999 years",
            "4294967295 days",
            "700000 weeks",
            "100000 months",
        ] {
            let dur = Duration::parse(far).unwrap();
            assert_eq!(dur.last_day_from(d("2024-01-01")), None, "{far}");
        }
        assert_eq!(last("1 day", "9999-12-31"), "9999-12-31");
        assert_eq!(
            Duration::Days(2).last_day_from(d("9999-12-31")),
            None,
            "one day past the last"
        );
    }

    fn date(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    fn ymd(y: i32, m: u32, d: u32) -> Date {
        Date::from_ymd(y, m, d).unwrap()
    }

    fn ew_mon_fri(from_year: i32, to_year: i32) -> WorkPattern {
        WorkPattern::new(
            &Weekday::MON_TO_FRI,
            (from_year..=to_year).flat_map(|y| bank_holidays(Region::EnglandAndWales, y)),
        )
    }

    #[test]
    fn civil_round_trip_1900_to_2100_every_day() {
        let mut expected = ymd(1900, 1, 1).days_since_epoch();
        let mut count = 0;
        for y in 1900..2100 {
            for m in 1..=12 {
                for d in 1..=days_in_month(y, m) {
                    let date = Date::from_ymd(y, m, d).unwrap();
                    assert_eq!(date.days_since_epoch(), expected, "{y}-{m}-{d}");
                    assert_eq!(date.ymd(), (y, m, d));
                    assert_eq!(Date::parse(&date.to_string()), Ok(date));
                    expected += 1;
                    count += 1;
                }
            }
        }
        assert_eq!(count, 73_049); // 200 years incl. 49 leap years (2000 yes, 1900 no)
    }

    #[test]
    fn epoch_and_bounds() {
        assert_eq!(ymd(1970, 1, 1).days_since_epoch(), 0);
        assert_eq!(ymd(1, 1, 1), Date::MIN);
        assert_eq!(ymd(9999, 12, 31), Date::MAX);
        assert_eq!(Date::MIN.ymd(), (1, 1, 1));
        assert_eq!(Date::MAX.ymd(), (9999, 12, 31));
        assert_eq!(Date::MIN.to_string(), "0001-01-01");
        assert_eq!(Date::MAX.add_days(1), Date::MAX);
        assert_eq!(Date::MIN.add_days(-1), Date::MIN);
        assert_eq!(Date::MAX.add_days(i64::MAX), Date::MAX);
        assert_eq!(Date::MIN.add_days(i64::MIN), Date::MIN);
        assert_eq!(Date::MIN.days_since(Date::MAX), -3_652_058);
        assert_eq!(ymd(2023, 3, 1).add_days(-1), ymd(2023, 2, 28));
        assert_eq!(ymd(2024, 3, 1).add_days(-1), ymd(2024, 2, 29));
        assert_eq!(ymd(2023, 4, 6).days_since(ymd(2023, 1, 20)), 76);
    }

    #[test]
    fn from_ymd_rejects_invalid() {
        assert_eq!(Date::from_ymd(2023, 2, 29), None);
        assert!(Date::from_ymd(2024, 2, 29).is_some());
        assert_eq!(Date::from_ymd(1900, 2, 29), None);
        assert!(Date::from_ymd(2000, 2, 29).is_some());
        assert_eq!(Date::from_ymd(2023, 4, 31), None);
        assert_eq!(Date::from_ymd(2023, 0, 1), None);
        assert_eq!(Date::from_ymd(2023, 13, 1), None);
        assert_eq!(Date::from_ymd(2023, 1, 0), None);
        assert_eq!(Date::from_ymd(0, 1, 1), None);
        assert_eq!(Date::from_ymd(10_000, 1, 1), None);
        assert_eq!(Date::from_ymd(i32::MIN, u32::MAX, u32::MAX), None);
        assert_eq!(Date::from_ymd(i32::MAX, 1, 1), None);
    }

    #[test]
    fn known_weekdays() {
        assert_eq!(date("2023-04-06").weekday(), Weekday::Thu);
        assert_eq!(date("1970-01-01").weekday(), Weekday::Thu);
        assert_eq!(date("2000-02-29").weekday(), Weekday::Tue);
        assert_eq!(date("1969-12-31").weekday(), Weekday::Wed);
        assert_eq!(date("0001-01-01").weekday(), Weekday::Mon);
        assert_eq!(date("2023-01-20").weekday(), Weekday::Fri);
    }

    #[test]
    fn parse_is_strict() {
        assert_eq!(date("2023-04-06"), ymd(2023, 4, 6));
        assert_eq!("2023-04-06".parse::<Date>(), Ok(ymd(2023, 4, 6)));
        for bad in [
            "",
            "2023-4-6",
            "06/04/2023",
            " 2023-04-06",
            "2023-04-06 ",
            "+2023-04-06",
            "2023/04/06",
            "20230406",
            "2023-04-0x",
            "２０２３-04-06",
        ] {
            let e = Date::parse(bad).unwrap_err();
            assert!(matches!(e, DateError::Malformed { .. }), "{bad:?}: {e:?}");
            let msg = e.to_string();
            assert!(msg.contains(&format!("{bad:?}")), "{msg}");
            assert!(msg.contains("YYYY-MM-DD"), "{msg}");
        }
        for bad in ["2023-02-29", "2023-13-01", "0000-01-01", "2023-04-00"] {
            let e = Date::parse(bad).unwrap_err();
            assert!(matches!(e, DateError::NoSuchDay { .. }), "{bad:?}: {e:?}");
            assert!(e.to_string().contains(bad));
        }
        let e = Date::parse("2023-04-06T10:00:00").unwrap_err();
        assert!(matches!(e, DateError::HasTime { .. }));
        assert!(e.to_string().contains("2023-04-06T10:00:00"));
        // Long junk is shortened in the message.
        let long = "x".repeat(10_000);
        assert!(Date::parse(&long).unwrap_err().to_string().len() < 200);
        // Multi-byte characters near the cut do not panic.
        assert!(Date::parse(&"é".repeat(100)).is_err());
    }

    #[test]
    fn weekday_names() {
        for (i, w) in Weekday::ALL.into_iter().enumerate() {
            assert_eq!(w.index(), i);
            assert_eq!(Weekday::from_index(i), w);
            assert_eq!(Weekday::parse(w.short_name()), Some(w));
            assert_eq!(Weekday::parse(&w.short_name().to_uppercase()), Some(w));
        }
        assert_eq!(Weekday::parse("monday"), Some(Weekday::Mon));
        assert_eq!(Weekday::parse("MON"), Some(Weekday::Mon));
        assert_eq!(Weekday::parse("Wednesday"), Some(Weekday::Wed));
        assert_eq!(Weekday::parse("SUNDAY"), Some(Weekday::Sun));
        assert_eq!(Weekday::parse("tues"), None);
        assert_eq!(Weekday::parse("M"), None);
        assert_eq!(Weekday::parse(""), None);
        assert_eq!(Weekday::parse(" mon"), None);
    }

    #[test]
    fn serde_json_round_trips() {
        let d = ymd(2023, 4, 6);
        assert_eq!(serde_json::to_string(&d).unwrap(), "\"2023-04-06\"");
        assert_eq!(serde_json::from_str::<Date>("\"2023-04-06\"").unwrap(), d);
        assert!(serde_json::from_str::<Date>("20230406").is_err());
        assert!(serde_json::from_str::<Date>("{\"a\": 1}").is_err());
        assert_eq!(serde_json::to_string(&Weekday::Mon).unwrap(), "\"Mon\"");
        assert_eq!(
            serde_json::from_str::<Vec<Weekday>>("[\"mon\", \"Friday\"]").unwrap(),
            vec![Weekday::Mon, Weekday::Fri]
        );
        let e = serde_json::from_str::<Weekday>("\"Funday\"").unwrap_err();
        assert!(e.to_string().contains("Funday"), "{e}");
    }

    #[derive(Debug, Deserialize)]
    struct W {
        d: Date,
    }

    #[derive(Debug, Deserialize)]
    struct Days {
        days: Vec<Weekday>,
    }

    #[test]
    fn toml_native_and_string_dates() {
        let native: W = toml::from_str("d = 2023-04-06").unwrap();
        assert_eq!(native.d, ymd(2023, 4, 6));
        let string: W = toml::from_str("d = \"2023-04-06\"").unwrap();
        assert_eq!(string.d, ymd(2023, 4, 6));

        let e = toml::from_str::<W>("d = 2023-02-30")
            .unwrap_err()
            .to_string();
        assert!(e.contains("day"), "{e}");

        let e = toml::from_str::<W>("d = \"2023-02-30\"")
            .unwrap_err()
            .to_string();
        assert!(e.contains("2023-02-30") && e.contains("no such day"), "{e}");

        let e = toml::from_str::<W>("d = \"06/04/2023\"")
            .unwrap_err()
            .to_string();
        assert!(e.contains("06/04/2023") && e.contains("YYYY-MM-DD"), "{e}");

        for dt in [
            "2023-04-06T10:00:00",
            "2023-04-06 10:00:00",
            "2023-04-06T10:00:00Z",
            "2023-04-06T10:00:00+01:00",
        ] {
            let e = toml::from_str::<W>(&format!("d = {dt}"))
                .unwrap_err()
                .to_string();
            assert!(e.contains("date-time") && e.contains("time of day"), "{e}");
        }
        let e = toml::from_str::<W>("d = 10:00:00").unwrap_err().to_string();
        assert!(e.contains("time of day") && e.contains("10:00:00"), "{e}");

        let e = toml::from_str::<W>("d = 20230406").unwrap_err().to_string();
        assert!(e.contains("YYYY-MM-DD"), "{e}");
        let e = toml::from_str::<W>("[d]\nx = 1").unwrap_err().to_string();
        assert!(e.contains("YYYY-MM-DD"), "{e}");

        let days: Days = toml::from_str("days = [\"Mon\", \"tuesday\"]").unwrap();
        assert_eq!(days.days, vec![Weekday::Mon, Weekday::Tue]);
        assert!(toml::from_str::<Days>("days = [\"Mo\"]").is_err());
    }

    /// GOV.UK's published lists, written out literally, one string of dates per year (the Python `holidays`
    /// package, 0.109, gives the same weekdays; see the tables' comments).
    fn gov_uk(region: Region, year: i32) -> Vec<Date> {
        let list = match (region, year) {
            (Region::EnglandAndWales, 2022) => {
                "2022-01-03 2022-04-15 2022-04-18 2022-05-02 2022-06-02 2022-06-03 2022-08-29 \
                 2022-09-19 2022-12-26 2022-12-27"
            }
            (Region::EnglandAndWales, 2023) => {
                "2023-01-02 2023-04-07 2023-04-10 2023-05-01 2023-05-08 2023-05-29 2023-08-28 \
                 2023-12-25 2023-12-26"
            }
            (Region::EnglandAndWales, 2024) => {
                "2024-01-01 2024-03-29 2024-04-01 2024-05-06 2024-05-27 2024-08-26 2024-12-25 \
                 2024-12-26"
            }
            (Region::EnglandAndWales, 2025) => {
                "2025-01-01 2025-04-18 2025-04-21 2025-05-05 2025-05-26 2025-08-25 2025-12-25 \
                 2025-12-26"
            }
            (Region::EnglandAndWales, 2026) => {
                "2026-01-01 2026-04-03 2026-04-06 2026-05-04 2026-05-25 2026-08-31 2026-12-25 \
                 2026-12-28"
            }
            (Region::EnglandAndWales, 2027) => {
                "2027-01-01 2027-03-26 2027-03-29 2027-05-03 2027-05-31 2027-08-30 2027-12-27 \
                 2027-12-28"
            }
            (Region::Scotland, 2022) => {
                "2022-01-03 2022-01-04 2022-04-15 2022-05-02 2022-06-02 2022-06-03 2022-08-01 \
                 2022-09-19 2022-11-30 2022-12-26 2022-12-27"
            }
            (Region::Scotland, 2023) => {
                "2023-01-02 2023-01-03 2023-04-07 2023-05-01 2023-05-08 2023-05-29 2023-08-07 \
                 2023-11-30 2023-12-25 2023-12-26"
            }
            (Region::Scotland, 2024) => {
                "2024-01-01 2024-01-02 2024-03-29 2024-05-06 2024-05-27 2024-08-05 2024-12-02 \
                 2024-12-25 2024-12-26"
            }
            (Region::Scotland, 2025) => {
                "2025-01-01 2025-01-02 2025-04-18 2025-05-05 2025-05-26 2025-08-04 2025-12-01 \
                 2025-12-25 2025-12-26"
            }
            (Region::Scotland, 2026) => {
                "2026-01-01 2026-01-02 2026-04-03 2026-05-04 2026-05-25 2026-06-15 2026-08-03 \
                 2026-11-30 2026-12-25 2026-12-28"
            }
            (Region::Scotland, 2027) => {
                "2027-01-01 2027-01-04 2027-03-26 2027-05-03 2027-05-31 2027-08-02 2027-11-30 \
                 2027-12-27 2027-12-28"
            }
            (Region::NorthernIreland, 2022) => {
                "2022-01-03 2022-03-17 2022-04-15 2022-04-18 2022-05-02 2022-06-02 2022-06-03 \
                 2022-07-12 2022-08-29 2022-09-19 2022-12-26 2022-12-27"
            }
            (Region::NorthernIreland, 2023) => {
                "2023-01-02 2023-03-17 2023-04-07 2023-04-10 2023-05-01 2023-05-08 2023-05-29 \
                 2023-07-12 2023-08-28 2023-12-25 2023-12-26"
            }
            (Region::NorthernIreland, 2024) => {
                "2024-01-01 2024-03-18 2024-03-29 2024-04-01 2024-05-06 2024-05-27 2024-07-12 \
                 2024-08-26 2024-12-25 2024-12-26"
            }
            (Region::NorthernIreland, 2025) => {
                "2025-01-01 2025-03-17 2025-04-18 2025-04-21 2025-05-05 2025-05-26 2025-07-14 \
                 2025-08-25 2025-12-25 2025-12-26"
            }
            (Region::NorthernIreland, 2026) => {
                "2026-01-01 2026-03-17 2026-04-03 2026-04-06 2026-05-04 2026-05-25 2026-07-13 \
                 2026-08-31 2026-12-25 2026-12-28"
            }
            (Region::NorthernIreland, 2027) => {
                "2027-01-01 2027-03-17 2027-03-26 2027-03-29 2027-05-03 2027-05-31 2027-07-12 \
                 2027-08-30 2027-12-27 2027-12-28"
            }
            _ => unreachable!(),
        };
        list.split_whitespace().map(date).collect()
    }

    #[test]
    fn tables_match_gov_uk() {
        for region in Region::ALL {
            for year in 2022..=2027 {
                assert!(bank_holidays_tabulated(year));
                assert_eq!(
                    bank_holidays(region, year),
                    gov_uk(region, year),
                    "{region:?} {year}"
                );
            }
        }
        assert!(!bank_holidays_tabulated(2021));
        assert!(!bank_holidays_tabulated(2028));
        // Every bank holiday is a weekday of its own year.
        for region in Region::ALL {
            for year in 2000..=2100 {
                let days = bank_holidays(region, year);
                assert!(days.windows(2).all(|w| w[0] < w[1]), "{year} sorted");
                for d in days {
                    assert!(d.weekday() < Weekday::Sat, "{region:?} {d}");
                    assert_eq!(d.year(), year);
                }
            }
        }
    }

    /// A one-off change to the standing rule in a tabulated year.
    struct OneOff {
        name: &'static str,
        regions: &'static [Region],
        added: &'static [&'static str],
        removed: &'static [&'static str],
    }

    /// Every one-off change in the tabulated years.
    const ONE_OFFS: [OneOff; 4] = [
        OneOff {
            name: "Platinum Jubilee: spring holiday moved from 30 May to 2 June, and 3 June",
            regions: &Region::ALL,
            added: &["2022-06-02", "2022-06-03"],
            removed: &["2022-05-30"],
        },
        OneOff {
            name: "State Funeral of Queen Elizabeth II",
            regions: &Region::ALL,
            added: &["2022-09-19"],
            removed: &[],
        },
        OneOff {
            name: "Coronation of King Charles III",
            regions: &Region::ALL,
            added: &["2023-05-08"],
            removed: &[],
        },
        OneOff {
            name: "World Cup bank holiday",
            regions: &[Region::Scotland],
            added: &["2026-06-15"],
            removed: &[],
        },
    ];

    #[test]
    fn each_table_is_the_rule_except_named_one_offs() {
        for region in Region::ALL {
            for year in 2022..=2027 {
                let mut expected = bank_holidays_by_rule(region, year);
                for one_off in ONE_OFFS.iter().filter(|o| o.regions.contains(&region)) {
                    let name = one_off.name;
                    let in_year = |list: &[&str]| -> Vec<Date> {
                        list.iter()
                            .map(|s| date(s))
                            .filter(|d| d.year() == year)
                            .collect()
                    };
                    for d in in_year(one_off.removed) {
                        assert!(expected.contains(&d), "{name}: {d} is not in the rule");
                        expected.retain(|&x| x != d);
                    }
                    for d in in_year(one_off.added) {
                        assert!(!expected.contains(&d), "{name}: {d} is in the rule");
                        expected.push(d);
                    }
                }
                expected.sort();
                assert_eq!(bank_holidays(region, year), expected, "{region:?} {year}");
            }
        }
    }

    #[test]
    fn rule_counts_every_holiday_once_on_a_weekday_of_its_year() {
        // England and Wales 8, Scotland 9, Northern Ireland 10 days, whatever the weekdays: no
        // substitute lands on another holiday or a weekend, or leaves the year.
        for (region, count) in [
            (Region::EnglandAndWales, 8),
            (Region::Scotland, 9),
            (Region::NorthernIreland, 10),
        ] {
            for year in 1..=9999 {
                let days = bank_holidays_by_rule(region, year);
                assert_eq!(days.len(), count, "{region:?} {year}");
                assert!(days.windows(2).all(|w| w[0] < w[1]), "{region:?} {year}");
                assert!(
                    days.iter()
                        .all(|d| d.weekday() < Weekday::Sat && d.year() == year),
                    "{region:?} {year}"
                );
            }
            assert_eq!(bank_holidays_by_rule(region, 0), Vec::new());
            assert_eq!(bank_holidays_by_rule(region, 10_000), Vec::new());
            assert_eq!(bank_holidays(region, i32::MAX), Vec::new());
            assert_eq!(bank_holidays(region, i32::MIN), Vec::new());
        }
    }

    #[test]
    fn rule_christmas_and_new_year_substitutes() {
        let ew = |year| bank_holidays_by_rule(Region::EnglandAndWales, year);
        // 2021: Jan 1 Fri; Dec 25 Sat -> Mon 27, Tue 28.
        let r = ew(2021);
        assert!(r.contains(&date("2021-01-01")));
        assert!(r.contains(&date("2021-12-27")) && r.contains(&date("2021-12-28")));
        // 2022: Jan 1 Sat -> Mon 3; Dec 25 Sun -> Mon 26, Tue 27.
        let r = ew(2022);
        assert_eq!(r[0], date("2022-01-03"));
        assert_eq!(&r[r.len() - 2..], &[date("2022-12-26"), date("2022-12-27")]);
        // 2017: Jan 1 Sun -> Mon 2.
        assert_eq!(ew(2017)[0], date("2017-01-02"));
        // 2020: Dec 25 Fri, 26 Sat -> Mon 28.
        let r = ew(2020);
        assert_eq!(&r[r.len() - 2..], &[date("2020-12-25"), date("2020-12-28")]);
        // 2032: Dec 25 Sat -> Mon 27, Tue 28 in every region.
        for region in Region::ALL {
            let r = bank_holidays_by_rule(region, 2032);
            assert_eq!(&r[r.len() - 2..], &[date("2032-12-27"), date("2032-12-28")]);
        }
    }

    /// Whether `d` is a bank holiday in `region`.
    fn is_holiday(region: Region, d: &str) -> bool {
        let d = date(d);
        bank_holidays(region, d.year()).contains(&d)
    }

    #[test]
    fn known_scottish_and_northern_irish_days() {
        use Region::*;
        // (date, England and Wales, Scotland, Northern Ireland), from the tables.
        for (d, ew, sct, ni) in [
            ("2023-07-12", false, false, true), // Battle of the Boyne, a Wednesday
            ("2023-11-30", false, true, false), // St Andrew's Day, a Thursday
            ("2024-01-02", false, true, false), // 2 January
            ("2022-12-27", true, true, true),   // Christmas substitute (25th a Sunday)
            ("2022-01-04", false, true, false), // 2 January substitute (1st Sat, 2nd Sun)
            ("2023-01-03", false, true, false), // 2 January's substitute (1st a Sunday)
            ("2027-01-04", false, true, false), // 2 January substitute (2nd a Saturday)
            ("2024-12-02", false, true, false), // St Andrew's Day substitute (30th a Saturday)
            ("2025-12-01", false, true, false), // St Andrew's Day substitute (30th a Sunday)
            ("2024-03-18", false, false, true), // St Patrick's Day substitute (17th a Sunday)
            ("2025-07-14", false, false, true), // Boyne substitute (12th a Saturday)
            ("2026-07-13", false, false, true), // Boyne substitute (12th a Sunday)
            ("2023-04-10", true, false, true),  // Easter Monday: none in Scotland
            ("2023-08-07", false, true, false), // first Monday of August: Scotland's summer holiday
            ("2023-08-28", true, false, true),  // last Monday of August: not in Scotland
            ("2023-05-08", true, true, true),   // the Coronation, UK-wide
            ("2022-09-19", true, true, true),   // the State Funeral, UK-wide
            ("2026-06-15", false, true, false), // the World Cup bank holiday, Scotland only
        ] {
            assert_eq!(is_holiday(EnglandAndWales, d), ew, "{d} England and Wales");
            assert_eq!(is_holiday(Scotland, d), sct, "{d} Scotland");
            assert_eq!(is_holiday(NorthernIreland, d), ni, "{d} Northern Ireland");
        }
        // Years by rule.
        for (region, d) in [
            (Scotland, "2028-01-03"),        // 1 January a Saturday
            (Scotland, "2028-01-04"),        // and 2 January a Sunday
            (Scotland, "2034-01-03"),        // 1 January a Sunday, 2 January the Monday
            (Scotland, "2030-12-02"),        // St Andrew's Day a Saturday
            (Scotland, "2031-12-01"),        // St Andrew's Day a Sunday
            (NorthernIreland, "2029-03-19"), // St Patrick's Day a Saturday
            (NorthernIreland, "2030-03-18"), // St Patrick's Day a Sunday
            (NorthernIreland, "2031-07-14"), // the Boyne a Saturday
            (NorthernIreland, "2028-07-12"), // the Boyne a Wednesday
        ] {
            assert!(!bank_holidays_tabulated(date(d).year()));
            assert!(is_holiday(region, d), "{region:?} {d}");
        }
        assert!(is_holiday(Scotland, "2034-01-02"));
        assert!(!is_holiday(Scotland, "2028-04-17")); // Easter Monday 2028
        assert!(is_holiday(NorthernIreland, "2028-04-17"));
    }

    #[test]
    fn easter_known_years() {
        assert_eq!(easter_sunday(2019), Some(date("2019-04-21")));
        assert_eq!(easter_sunday(2038), Some(date("2038-04-25")));
        assert_eq!(easter_sunday(2285), Some(date("2285-03-22")));
        assert_eq!(easter_sunday(2023), Some(date("2023-04-09")));
        assert_eq!(easter_sunday(2024), Some(date("2024-03-31")));
        assert_eq!(easter_sunday(0), None);
        for y in 1583..=2500 {
            assert_eq!(easter_sunday(y).unwrap().weekday(), Weekday::Sun, "{y}");
        }
    }

    #[test]
    fn holidays_between() {
        let h = bank_holidays_between(
            Region::EnglandAndWales,
            date("2023-12-20"),
            date("2024-01-02"),
        );
        assert_eq!(
            h,
            vec![date("2023-12-25"), date("2023-12-26"), date("2024-01-01")]
        );
        let h = bank_holidays_between(Region::Scotland, date("2023-12-20"), date("2024-01-02"));
        assert_eq!(
            h,
            vec![
                date("2023-12-25"),
                date("2023-12-26"),
                date("2024-01-01"),
                date("2024-01-02")
            ]
        );
        for region in Region::ALL {
            assert!(
                bank_holidays_between(region, date("2024-01-02"), date("2024-01-01")).is_empty()
            );
        }
    }

    #[test]
    fn working_days_between_counts() {
        let p = ew_mon_fri(2022, 2024);
        // Hand count, Mon-Fri, [2023-01-20 Fri, 2023-04-06 Thu):
        //   January: Fri 20; 23-27; 30-31                      = 1 + 5 + 2 = 8
        //   February (1st a Wednesday, exactly four weeks)    = 20
        //   March (1st a Wednesday): four weeks + Wed-Fri 29-31 = 23
        //   April: Mon 3, Tue 4, Wed 5                          = 3
        //   No bank holiday in the range (Good Friday is 7 April): 8 + 20 + 23 + 3 = 54.
        assert_eq!(
            p.working_days_between(date("2023-01-20"), date("2023-04-06")),
            54
        );
        assert_eq!(
            p.working_days_between(date("2023-04-06"), date("2023-01-20")),
            0
        );
        assert_eq!(
            p.working_days_between(date("2023-04-06"), date("2023-04-06")),
            0
        );
        // Brute force agreement over many spans, holidays included.
        let base = date("2022-12-01");
        for a in 0..60 {
            for len in 0..200 {
                let from = base.add_days(a);
                let to = from.add_days(len);
                let brute = (0..len)
                    .filter(|&i| p.is_working_day(from.add_days(i)))
                    .count() as u64;
                assert_eq!(p.working_days_between(from, to), brute, "{from}..{to}");
            }
        }
        // Whole representable range: no overflow, no panic.
        let all = WorkPattern::new(&Weekday::ALL, []);
        assert_eq!(
            all.working_days_between(Date::MIN, Date::MAX),
            Date::MAX.days_since(Date::MIN) as u64
        );
    }

    #[test]
    fn work_pattern_accessors() {
        let p = WorkPattern::new(
            &[Weekday::Fri, Weekday::Mon, Weekday::Mon],
            [date("2023-04-07")],
        );
        assert_eq!(p.weekdays(), vec![Weekday::Mon, Weekday::Fri]);
        assert_eq!(p.holidays().collect::<Vec<_>>(), vec![date("2023-04-07")]);
        assert!(!p.is_working_day(date("2023-04-07"))); // Good Friday
        assert!(p.is_working_day(date("2023-04-10"))); // a Monday, not a holiday here
        assert!(!p.is_working_day(date("2023-04-11"))); // Tuesday, unworked
    }

    #[test]
    fn calendar_easter_2023() {
        let p = ew_mon_fri(2023, 2024);
        let cal = Calendar::new(date("2023-04-06"), date("2024-04-05"), &p).unwrap();
        assert!(!cal.is_empty());
        assert_eq!(cal.date_of_day(0), Some(date("2023-04-06")));
        // Good Friday 7 Apr and Easter Monday 10 Apr are skipped, as is the weekend.
        assert_eq!(cal.date_of_day(1), Some(date("2023-04-11")));
        assert_eq!(cal.date_of_day(cal.len()), None);
        assert_eq!(cal.first_date(), date("2023-04-06"));
        assert_eq!(cal.last_date(), date("2024-04-05"));
        assert_eq!(cal.days().len(), cal.len());
        // len agrees with the pattern's count over [start, end + 1).
        assert_eq!(
            cal.len() as u64,
            p.working_days_between(date("2023-04-06"), date("2024-04-06"))
        );

        assert_eq!(cal.date_at_time(0.0), date("2023-04-06"));
        assert_eq!(cal.date_at_time(1e-12), date("2023-04-06"));
        assert_eq!(cal.date_at_time(0.5), date("2023-04-06"));
        assert_eq!(cal.date_at_time(1.0), date("2023-04-06"));
        assert_eq!(cal.date_at_time(1.5), date("2023-04-11"));
        assert_eq!(cal.date_at_time(2.0), date("2023-04-11"));
        assert_eq!(cal.date_at_time(1e9), cal.last_date());
        assert_eq!(cal.date_at_time(f64::INFINITY), cal.last_date());
        assert_eq!(cal.date_at_time(f64::NAN), date("2023-04-06"));
        assert_eq!(cal.date_at_time(-3.0), date("2023-04-06"));
        assert_eq!(cal.date_at_time(f64::NEG_INFINITY), date("2023-04-06"));
        assert_eq!(cal.date_at_time(cal.len() as f64), cal.last_date());

        // Index lookups.
        assert_eq!(cal.first_day_on_or_after(date("2023-01-01")), 0);
        assert_eq!(cal.first_day_on_or_after(date("2023-04-06")), 0);
        assert_eq!(cal.first_day_on_or_after(date("2023-04-07")), 1);
        assert_eq!(cal.first_day_on_or_after(date("2023-04-10")), 1);
        assert_eq!(cal.first_day_on_or_after(date("2023-04-11")), 1);
        assert_eq!(cal.first_day_on_or_after(date("2030-01-01")), cal.len());
        assert_eq!(cal.last_day_on_or_before(date("2023-04-05")), None);
        assert_eq!(cal.last_day_on_or_before(date("2023-04-06")), Some(0));
        assert_eq!(cal.last_day_on_or_before(date("2023-04-10")), Some(0));
        assert_eq!(cal.last_day_on_or_before(date("2023-04-11")), Some(1));
        assert_eq!(
            cal.last_day_on_or_before(date("2030-01-01")),
            Some(cal.len() - 1)
        );
        assert_eq!(cal.day_of_date(date("2023-04-11")), Some(1));
        assert_eq!(cal.day_of_date(date("2023-04-10")), None);
        assert_eq!(cal.time_at_start_of(date("2023-04-08")), 1.0);
        for (i, &d) in cal.days().iter().enumerate() {
            assert_eq!(cal.first_day_on_or_after(d), i);
            assert_eq!(cal.last_day_on_or_before(d), Some(i));
            assert_eq!(cal.date_at_time(i as f64 + 0.25), d);
            assert_eq!(cal.date_at_time(i as f64 + 1.0), d);
        }
    }

    #[test]
    fn calendar_starting_on_a_weekend() {
        let p = ew_mon_fri(2023, 2023);
        let cal = Calendar::new(date("2023-06-03"), date("2023-06-30"), &p).unwrap();
        assert_eq!(date("2023-06-03").weekday(), Weekday::Sat);
        assert_eq!(cal.date_of_day(0), Some(date("2023-06-05")));
        assert_eq!(cal.date_of_day(0).unwrap().weekday(), Weekday::Mon);
        assert_eq!(cal.first_day_on_or_after(date("2023-06-03")), 0);
        assert_eq!(cal.last_day_on_or_before(date("2023-06-04")), None);
        assert_eq!(cal.len(), 20);
    }

    #[test]
    fn calendar_errors() {
        let p = ew_mon_fri(2023, 2023);
        let e = Calendar::new(date("2023-04-06"), date("2023-04-05"), &p).unwrap_err();
        assert!(matches!(e, CalendarError::EndBeforeStart { .. }));
        assert!(e.to_string().contains("2023-04-05") && e.to_string().contains("2023-04-06"));

        let none = WorkPattern::new(&[], []);
        let e = Calendar::new(date("2023-01-01"), date("2023-12-31"), &none).unwrap_err();
        assert!(matches!(e, CalendarError::NoWorkingDays { .. }));
        let msg = e.to_string();
        assert!(
            msg.contains("2023-01-01") && msg.contains("2023-12-31"),
            "{msg}"
        );

        // A span made only of a weekend and a bank holiday.
        let e = Calendar::new(date("2023-04-07"), date("2023-04-10"), &p).unwrap_err();
        assert!(matches!(e, CalendarError::NoWorkingDays { .. }));

        let e = Calendar::new(Date::MIN, Date::MAX, &p).unwrap_err();
        assert!(matches!(e, CalendarError::SpanTooLong { .. }));
        assert!(e.to_string().contains("100-year"));
        // Exactly at the limit is fine.
        let start = date("2000-01-01");
        let cal = Calendar::new(start, start.add_days(MAX_CALENDAR_SPAN_DAYS), &p).unwrap();
        assert!(cal.len() > 20_000);

        // A single working day.
        let cal = Calendar::new(date("2023-04-06"), date("2023-04-06"), &p).unwrap();
        assert_eq!(cal.len(), 1);
        assert_eq!(cal.date_at_time(5.0), date("2023-04-06"));
    }
}
