//! Event time for state: a compact 32-bit timestamp, CloudTrail `eventTime`
//! parsing, window durations (`10d`, `1h`, `15m`, `30s`) and RFC 3339 display.
//!
//! Guarantees:
//! - [`Time`] is whole seconds since 2010-01-01T00:00:00Z ([`EPOCH_UNIX`]) in
//!   a `u32`, so it covers every CloudTrail record ever written (the service
//!   launched in November 2013) until 2146. Fractions of a second are dropped
//!   (rounded towards the past), so two records in the same second compare
//!   equal.
//! - [`Time::parse`] never allocates and accepts exactly
//!   `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM|±HHMM)`, with calendar checks
//!   (no February 30th). A leap second (`:60`) counts as the next second.
//!   Times before the epoch or after 2146 are errors, not clamped.
//! - [`Window`] (a duration of event time) lives in `model::duration`, so
//!   rules can parse `within:` with the same parser; it is re-exported here.

use crate::model::calendar::{civil_from_days, days_from_civil};
use std::fmt;

pub use crate::model::duration::Window;

/// 2010-01-01T00:00:00Z in Unix seconds: time zero of [`Time`].
pub const EPOCH_UNIX: i64 = 1_262_304_000;

/// Seconds since 2010-01-01T00:00:00Z.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Time(pub u32);

/// Why an event time did not parse.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimeError {
    /// Not of the form `YYYY-MM-DDTHH:MM:SS[.f](Z|±HH:MM)`.
    Syntax,
    /// A field is out of range: month 13, February 30th, hour 24, ...
    Field,
    /// Before 2010-01-01T00:00:00Z.
    BeforeEpoch,
    /// After 2146-02-07T06:28:15Z, the last second a `u32` holds.
    AfterEnd,
}

impl fmt::Display for TimeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TimeError::Syntax => "not a time of the form 2026-01-15T10:00:00Z",
            TimeError::Field => "a date or time field is out of range",
            TimeError::BeforeEpoch => "time is before 2010-01-01T00:00:00Z",
            TimeError::AfterEnd => "time is after 2146",
        })
    }
}

impl std::error::Error for TimeError {}

impl Time {
    pub const MIN: Time = Time(0);
    pub const MAX: Time = Time(u32::MAX);

    /// From Unix seconds; `None` outside the representable range.
    pub fn from_unix(secs: i64) -> Option<Time> {
        u32::try_from(secs.checked_sub(EPOCH_UNIX)?).ok().map(Time)
    }

    pub fn unix(self) -> i64 {
        EPOCH_UNIX + i64::from(self.0)
    }

    /// Seconds since the 2010 epoch.
    pub fn secs(self) -> u32 {
        self.0
    }

    /// `self + window`, stopping at [`Time::MAX`].
    pub fn saturating_add(self, window: Window) -> Time {
        Time(self.0.saturating_add(window.0))
    }

    /// Parse a CloudTrail `eventTime` such as `2026-01-15T10:00:00Z` or
    /// `2026-01-15T10:00:00.123Z`. Also accepts a string or byte slice taken
    /// straight out of the JSON (no quotes).
    pub fn parse(stamp: impl AsRef<[u8]>) -> Result<Time, TimeError> {
        parse_bytes(stamp.as_ref())
    }
}

/// [`Time::parse`] for a stream of records close in time: remembers the
/// minute of the last plain stamp (`YYYY-MM-DDTHH:MM:SSZ`), so a stamp of the
/// same minute costs a comparison and two digits. Its answers are exactly
/// [`Time::parse`]'s (a unit test compares them).
#[derive(Clone, Copy, Debug, Default)]
pub struct TimeCache {
    /// The first 17 bytes (`YYYY-MM-DDTHH:MM:`) of the last plain stamp.
    minute: Option<[u8; 17]>,
    /// Its time with the seconds at zero.
    base: u32,
}

impl TimeCache {
    pub fn parse(&mut self, stamp: &[u8]) -> Result<Time, TimeError> {
        if let ([head @ .., s1, s2, b'Z' | b'z'], Some(minute)) = (stamp, &self.minute) {
            if head == minute && s1.is_ascii_digit() && s2.is_ascii_digit() {
                let second = u32::from(s1 - b'0') * 10 + u32::from(s2 - b'0');
                if second <= 60 {
                    if let Some(secs) = self.base.checked_add(second) {
                        return Ok(Time(secs));
                    }
                }
            }
        }
        let time = parse_bytes(stamp)?;
        self.minute = None;
        if let [head @ .., s1, s2, b'Z' | b'z'] = stamp {
            if let (Ok(minute), Ok(second)) = (<[u8; 17]>::try_from(head), digits(&[*s1, *s2])) {
                if let Some(base) = time.0.checked_sub(second as u32) {
                    self.minute = Some(minute);
                    self.base = base;
                }
            }
        }
        Ok(time)
    }
}

fn digits(b: &[u8]) -> Result<i64, TimeError> {
    let mut n = 0i64;
    for &c in b {
        if !c.is_ascii_digit() {
            return Err(TimeError::Syntax);
        }
        n = n * 10 + i64::from(c - b'0');
    }
    Ok(n)
}

fn parse_bytes(b: &[u8]) -> Result<Time, TimeError> {
    if b.len() < 20
        || b[4] != b'-'
        || b[7] != b'-'
        || !matches!(b[10], b'T' | b't')
        || b[13] != b':'
        || b[16] != b':'
    {
        return Err(TimeError::Syntax);
    }
    let (year, month, day) = (digits(&b[0..4])?, digits(&b[5..7])?, digits(&b[8..10])?);
    let (hour, minute, second) = (
        digits(&b[11..13])?,
        digits(&b[14..16])?,
        digits(&b[17..19])?,
    );
    if !(1..=12).contains(&month)
        || day < 1
        || day > days_in_month(year, month)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return Err(TimeError::Field);
    }
    let mut rest = &b[19..];
    if let Some((&b'.', frac)) = rest.split_first() {
        let n = frac.iter().take_while(|c| c.is_ascii_digit()).count();
        if n == 0 {
            return Err(TimeError::Syntax);
        }
        rest = &frac[n..];
    }
    let offset = match rest {
        b"Z" | b"z" => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] | [sign @ (b'+' | b'-'), h1, h2, m1, m2] => {
            let (h, m) = (digits(&[*h1, *h2])?, digits(&[*m1, *m2])?);
            if h > 23 || m > 59 {
                return Err(TimeError::Field);
            }
            let s = h * 3600 + m * 60;
            if *sign == b'+' {
                s
            } else {
                -s
            }
        }
        _ => return Err(TimeError::Syntax),
    };
    let unix =
        days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second - offset;
    let secs = unix - EPOCH_UNIX;
    if secs < 0 {
        Err(TimeError::BeforeEpoch)
    } else {
        u32::try_from(secs)
            .map(Time)
            .map_err(|_| TimeError::AfterEnd)
    }
}

fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// RFC 3339 in UTC, the way CloudTrail writes it: `2026-01-15T10:00:00Z`.
impl fmt::Display for Time {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let unix = self.unix();
        let (days, secs) = (unix.div_euclid(86_400), unix.rem_euclid(86_400));
        let (y, mo, d) = civil_from_days(days);
        write!(
            f,
            "{y:04}-{mo:02}-{d:02}T{:02}:{:02}:{:02}Z",
            secs / 3600,
            secs / 60 % 60,
            secs % 60
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unix(stamp: &str) -> i64 {
        Time::parse(stamp).unwrap().unix()
    }

    #[test]
    fn parses_cloudtrail_times() {
        assert_eq!(unix("2010-01-01T00:00:00Z"), EPOCH_UNIX);
        assert_eq!(Time::parse("2010-01-01T00:00:00Z"), Ok(Time(0)));
        assert_eq!(unix("2026-01-15T10:00:00Z"), 1_768_471_200);
        // Fractions are dropped, never rounded up.
        assert_eq!(unix("2026-01-15T10:00:00.999Z"), 1_768_471_200);
        assert_eq!(unix("2026-01-15T10:00:00.5z"), 1_768_471_200);
        assert_eq!(unix("2026-01-15T12:00:00+02:00"), 1_768_471_200);
        assert_eq!(unix("2026-01-15T05:30:00-0430"), 1_768_471_200);
        assert_eq!(unix("2024-02-29T00:00:00Z"), 1_709_164_800);
        assert_eq!(unix("2016-12-31T23:59:60Z"), unix("2017-01-01T00:00:00Z"));
        assert_eq!(
            Time::parse(b"2013-11-13T00:00:00Z".as_slice())
                .unwrap()
                .unix(),
            1_384_300_800
        );
    }

    #[test]
    fn rejects_bad_times() {
        use TimeError::*;
        for (stamp, err) in [
            ("", Syntax),
            ("2026-01-15", Syntax),
            ("2026-01-15T10:00:00", Syntax),
            ("2026-01-15 10:00:00Z", Syntax),
            ("2026-01-15T10:00:00.Z", Syntax),
            ("2026-01-15T10:00:00ZZ", Syntax),
            ("2026-01-15T10:00:00+2:00", Syntax),
            ("2026-0a-15T10:00:00Z", Syntax),
            ("+026-01-15T10:00:00Z", Syntax),
            ("2026-13-15T10:00:00Z", Field),
            ("2026-02-29T10:00:00Z", Field),
            ("2100-02-29T10:00:00Z", Field),
            ("2026-04-31T10:00:00Z", Field),
            ("2026-01-15T24:00:00Z", Field),
            ("2026-01-15T10:60:00Z", Field),
            ("2026-01-15T10:00:00+24:00", Field),
            ("2009-12-31T23:59:59Z", BeforeEpoch),
            ("2010-01-01T00:30:00+01:00", BeforeEpoch),
            ("2146-02-07T06:28:16Z", AfterEnd),
        ] {
            assert_eq!(Time::parse(stamp), Err(err), "{stamp}");
        }
        assert_eq!(Time::parse("2146-02-07T06:28:15Z"), Ok(Time::MAX));
    }

    #[test]
    fn the_cache_parses_exactly_as_parse() {
        let mut stamps = vec![
            "2026-01-15T10:00:00Z",
            "2026-01-15T10:00:59Z",
            "2026-01-15T10:00:60Z",
            "2026-01-15T10:00:61Z",
            "2026-01-15T10:00:5aZ",
            "2026-01-15T10:00:07z",
            "2026-01-15T10:00:07.9Z",
            "2026-01-15T10:00:07+01:00",
            "2026-01-15T10:01:07Z",
            "2016-12-31T23:59:60Z",
            "2016-12-31T23:59:59Z",
            "2026-02-30T10:00:00Z",
            "2026-02-30T10:00:01Z",
            "2010-01-01T00:00:00Z",
            "2010-01-01T00:00:30Z",
            "2146-02-07T06:28:15Z",
            "2146-02-07T06:28:16Z",
            "2146-02-07T06:28:00Z",
            "2146-02-07T06:28:59Z",
            "2026-01-15T10:00:0Z",
            "2026-01-15T10:00:00ZZ",
            "",
        ];
        let shuffled: Vec<&str> = stamps.iter().rev().copied().collect();
        stamps.extend(shuffled);
        let mut cache = TimeCache::default();
        for stamp in stamps {
            assert_eq!(cache.parse(stamp.as_bytes()), Time::parse(stamp), "{stamp}");
        }
    }

    #[test]
    fn displays_rfc3339_and_round_trips() {
        assert_eq!(Time(0).to_string(), "2010-01-01T00:00:00Z");
        assert_eq!(Time::MAX.to_string(), "2146-02-07T06:28:15Z");
        let mut s = 0u32;
        while s < u32::MAX - 86_399 * 37 {
            let t = Time(s);
            assert_eq!(Time::parse(t.to_string()), Ok(t));
            s += 86_399 * 37 + 1234;
        }
        assert_eq!(Time::from_unix(EPOCH_UNIX - 1), None);
        assert_eq!(
            Time::from_unix(1_768_471_200).unwrap().to_string(),
            "2026-01-15T10:00:00Z"
        );
    }

    #[test]
    fn adds_windows_saturating() {
        assert_eq!(Time(5).saturating_add(Window::secs(10)), Time(15));
        assert_eq!(Time(5).saturating_add(Window(u32::MAX)), Time::MAX);
    }
}
