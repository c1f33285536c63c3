//! Numbers the parser cannot hold: `1e400` is valid JSON, but it overflows a
//! double, and simd-json rejects the whole record for it.
//!
//! The filter never needs such a number's value, so the processor parses a
//! scratch copy in which each one is masked as `0` padded with spaces to the
//! same length (offsets are kept), and emits the record's original bytes.
//! Guarantees: only numbers that are valid JSON syntax and overflow a double
//! are masked, never text inside strings, so invalid JSON stays invalid; no
//! allocation.

/// Mask every out-of-range number of `buf` in place; whether any was.
pub fn mask_out_of_range(buf: &mut [u8]) -> bool {
    let mut masked = false;
    let mut i = 0;
    while i < buf.len() {
        match buf[i] {
            b'"' => i = string_end(buf, i),
            b'-' | b'0'..=b'9' => {
                let start = i;
                while i < buf.len()
                    && matches!(buf[i], b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9')
                {
                    i += 1;
                }
                let token = &buf[start..i];
                if out_of_range(token) {
                    buf[start] = b'0';
                    buf[start + 1..i].fill(b' ');
                    masked = true;
                }
            }
            _ => i += 1,
        }
    }
    masked
}

/// Just past the string whose opening quote is at `at` (or the end).
fn string_end(buf: &[u8], at: usize) -> usize {
    let mut i = at + 1;
    while i < buf.len() {
        match buf[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    buf.len()
}

/// A JSON number (RFC 8259 grammar) whose value is beyond a double.
fn out_of_range(token: &[u8]) -> bool {
    valid_number(token)
        && std::str::from_utf8(token)
            .ok()
            .and_then(|t| t.parse::<f64>().ok())
            .is_some_and(|v| !v.is_finite())
}

/// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`
fn valid_number(t: &[u8]) -> bool {
    let mut i = usize::from(t.first() == Some(&b'-'));
    let digits = |i: &mut usize| {
        let from = *i;
        while t.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i > from
    };
    match t.get(i) {
        Some(b'0') => i += 1,
        Some(b'1'..=b'9') => {
            digits(&mut i);
        }
        _ => return false,
    }
    if t.get(i) == Some(&b'.') {
        i += 1;
        if !digits(&mut i) {
            return false;
        }
    }
    if matches!(t.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(t.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if !digits(&mut i) {
            return false;
        }
    }
    i == t.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn masked(text: &str) -> (String, bool) {
        let mut buf = text.as_bytes().to_vec();
        let any = mask_out_of_range(&mut buf);
        (String::from_utf8(buf).unwrap(), any)
    }

    #[test]
    fn masks_only_valid_numbers_beyond_a_double() {
        assert_eq!(
            masked(r#"{"a":1e400,"b":[-1E+400,2],"c":"1e400"}"#),
            (r#"{"a":0    ,"b":[0      ,2],"c":"1e400"}"#.into(), true)
        );
        let big = format!(r#"{{"n":{}}}"#, "9".repeat(400));
        assert_eq!(masked(&big).0, format!(r#"{{"n":0{}}}"#, " ".repeat(399)));
        for same in [
            r#"{"n":1e308,"m":-0,"k":4.9e-324,"z":1e-400}"#,
            r#"{"n":1e}"#,
            r#"{"n":01e400}"#,
            r#"{"n":1.e400}"#,
            r#"{"s":"\"1e400"}"#,
        ] {
            assert_eq!(masked(same), (same.to_string(), false), "{same}");
        }
    }
}
