//! Calendar arithmetic and the two timestamp styles CloudTrail uses.
//!
//! Pure functions of their arguments (no clock, no randomness): ISO-8601 UTC
//! (`2024-06-03T12:34:56Z`) and the IAM/STS display style
//! (`Jun 3, 2024, 1:02:03 PM`). Valid for any date after 1970.

use super::rng::{num, two};

// Howard Hinnant's civil-from-days / days-from-civil.
pub(super) fn civil_from_days(z: i64) -> (i64, u64, u64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u64;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u64;
    (if m <= 2 { y + 1 } else { y }, m, d)
}
pub(super) fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}
/// `2024-06-03T12:34:56Z`
pub(super) fn iso(out: &mut Vec<u8>, secs: u64) {
    let (y, m, d) = civil_from_days((secs / 86_400) as i64);
    let s = secs % 86_400;
    num(out, y as u64);
    out.push(b'-');
    two(out, m);
    out.push(b'-');
    two(out, d);
    out.push(b'T');
    two(out, s / 3600);
    out.push(b':');
    two(out, s / 60 % 60);
    out.push(b':');
    two(out, s % 60);
    out.push(b'Z');
}
/// IAM/STS style: `Jun 3, 2024, 1:02:03 PM`
pub(super) fn aws_date(out: &mut Vec<u8>, secs: u64) {
    const MON: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let (y, m, d) = civil_from_days((secs / 86_400) as i64);
    let s = secs % 86_400;
    let h = s / 3600;
    put!(out, MON[(m - 1) as usize], " ");
    num(out, d);
    put!(out, ", ");
    num(out, y as u64);
    put!(out, ", ");
    num(
        out,
        match h % 12 {
            0 => 12,
            x => x,
        },
    );
    out.push(b':');
    two(out, s / 60 % 60);
    out.push(b':');
    two(out, s % 60);
    put!(out, if h < 12 { " AM" } else { " PM" });
}
pub(super) fn s_iso(secs: u64) -> String {
    let mut v = Vec::new();
    iso(&mut v, secs);
    String::from_utf8(v).unwrap()
}
