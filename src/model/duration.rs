//! A duration of event time in whole seconds (`10d`, `1h30m`): first-seen
//! `within:` windows and `--dedupe-window`; and [`parse_interval`], the
//! wall-clock intervals of the run loop (`--stats-interval`,
//! `--state-save-interval`, which allow milliseconds).
//!
//! Guarantees: [`Window::parse`] accepts one or more `<digits><unit>`
//! groups, unit one of `w d h m s` (`1h30m`), surrounding spaces allowed;
//! the total must be at least one second and fit in 32 bits (136 years).
//! [`Window`]'s `Display` writes a string `parse` reads back to the same
//! value. Rules and the engine share this one parser (rules cannot import
//! the engine).

use std::fmt;
use std::time::Duration;

/// A length of event time in whole seconds: a first-seen or dedupe window.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Window(pub u32);

impl Window {
    pub const fn secs(s: u32) -> Window {
        Window(s)
    }
    pub const fn minutes(m: u32) -> Window {
        Window(m * 60)
    }
    pub const fn hours(h: u32) -> Window {
        Window(h * 3600)
    }
    pub const fn days(d: u32) -> Window {
        Window(d * 86_400)
    }

    pub fn as_secs(self) -> u32 {
        self.0
    }

    /// Parse `10d`, `1h`, `15m`, `30s`, `2w`, or a sum such as `1h30m`.
    pub fn parse(text: &str) -> Result<Window, String> {
        let bad = || format!("'{text}' is not a duration (e.g. 30s, 15m, 1h, 10d, 1h30m)");
        let mut total: u64 = 0;
        let mut rest = text.trim().as_bytes();
        if rest.is_empty() {
            return Err(bad());
        }
        while !rest.is_empty() {
            let n = rest.iter().take_while(|c| c.is_ascii_digit()).count();
            if n == 0 || n > 10 || n == rest.len() {
                return Err(bad());
            }
            let value: u64 = std::str::from_utf8(&rest[..n])
                .ok()
                .and_then(|d| d.parse().ok())
                .ok_or_else(bad)?;
            let unit: u64 = match rest[n] {
                b's' => 1,
                b'm' => 60,
                b'h' => 3600,
                b'd' => 86_400,
                b'w' => 7 * 86_400,
                _ => return Err(bad()),
            };
            total = total.saturating_add(value.saturating_mul(unit));
            rest = &rest[n + 1..];
        }
        match u32::try_from(total) {
            Ok(0) => Err(format!("'{text}' is zero: a window must be at least 1s")),
            Ok(s) => Ok(Window(s)),
            Err(_) => Err(format!("'{text}' is too long: at most 136 years")),
        }
    }
}

/// The largest unit that divides the window exactly: `10d`, `90m`, `3601s`.
impl fmt::Display for Window {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.0;
        for (unit, size) in [("w", 604_800), ("d", 86_400), ("h", 3600), ("m", 60)] {
            if s != 0 && s.is_multiple_of(size) {
                return write!(f, "{}{unit}", s / size);
            }
        }
        write!(f, "{s}s")
    }
}

/// A wall-clock interval for the run loop (`--stats-interval`,
/// `--state-save-interval`): `10s`, `1m`, `100ms`, `1h`, `1.5h`, or plain
/// seconds (`2`); at least 1 ms.
pub fn parse_interval(text: &str) -> Result<Duration, String> {
    let t = text.trim();
    let split = t
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let scale = match unit.trim() {
        "ms" => 0.001,
        "" | "s" => 1.0,
        "m" => 60.0,
        "h" => 3600.0,
        _ => f64::NAN,
    };
    number
        .parse::<f64>()
        .ok()
        .map(|n| n * scale)
        .filter(|secs| secs.is_finite() && *secs >= 0.001 && *secs <= 1e9)
        .map(Duration::from_secs_f64)
        .ok_or_else(|| format!("'{text}' is not a duration (e.g. 100ms, 10s, 1m, 1h)"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_windows() {
        assert_eq!(Window::parse("10d"), Ok(Window::days(10)));
        assert_eq!(Window::parse("1h"), Ok(Window::hours(1)));
        assert_eq!(Window::parse("15m"), Ok(Window::minutes(15)));
        assert_eq!(Window::parse("30s"), Ok(Window::secs(30)));
        assert_eq!(Window::parse("2w"), Ok(Window::days(14)));
        assert_eq!(Window::parse(" 1h30m "), Ok(Window::minutes(90)));
        for bad in [
            "",
            "10",
            "d",
            "10x",
            "1.5h",
            "-1h",
            "1h 30m",
            "0s",
            "200000d",
            "99999999999s",
        ] {
            assert!(Window::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(Window::days(10).to_string(), "10d");
        assert_eq!(Window::minutes(90).to_string(), "90m");
        assert_eq!(Window::days(14).to_string(), "2w");
        assert_eq!(Window::secs(3601).to_string(), "3601s");
    }

    #[test]
    fn display_round_trips() {
        for s in [1, 59, 60, 3601, 86_400, 604_800, 1_209_600, u32::MAX] {
            assert_eq!(Window::parse(&Window(s).to_string()), Ok(Window(s)));
        }
    }
}
