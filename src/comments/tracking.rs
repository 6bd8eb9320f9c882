//! Tracking numbers such as `YJ-2026-7Q4M-K2XD`: the year and 40 random bits in Crockford base32,
//! which avoids letters that read like digits and can be typed back without ambiguity.

use chrono::{Datelike, NaiveDateTime};

const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// A fresh tracking number for a comment posted at `now`.
pub fn generate(now: NaiveDateTime) -> String {
    let bits: u64 = rand::random::<u64>() >> 24;
    let chars: String = (0..8)
        .rev()
        .map(|i| ALPHABET[((bits >> (i * 5)) & 31) as usize] as char)
        .collect();
    format!("YJ-{}-{}-{}", now.year(), &chars[..4], &chars[4..])
}

/// Normalises a tracking number as typed (case, O for 0, I and L for 1, missing hyphens);
/// `None` when it cannot be one.
pub fn normalize(raw: &str) -> Option<String> {
    let compact: String = raw
        .trim()
        .chars()
        .filter(|c| *c != '-' && !c.is_whitespace())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let rest = compact.strip_prefix("YJ")?;
    if rest.len() != 12 || !rest.is_ascii() {
        return None;
    }
    let (year, code) = rest.split_at(4);
    if !year.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let code: String = code
        .chars()
        .map(|c| match c {
            'O' => '0',
            'I' | 'L' => '1',
            other => other,
        })
        .collect();
    if !code.bytes().all(|b| ALPHABET.contains(&b)) {
        return None;
    }
    Some(format!("YJ-{year}-{}-{}", &code[..4], &code[4..]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    #[test]
    fn numbers_look_like_the_example_and_differ() {
        let now = NaiveDate::from_ymd_opt(2026, 11, 25)
            .and_then(|d| d.and_hms_opt(12, 0, 0))
            .expect("valid");
        let a = generate(now);
        assert_eq!(a.len(), "YJ-2026-7Q4M-K2XD".len());
        assert!(a.starts_with("YJ-2026-"));
        assert_eq!(normalize(&a).as_deref(), Some(a.as_str()));
        let many: std::collections::HashSet<String> = (0..1000).map(|_| generate(now)).collect();
        assert_eq!(many.len(), 1000);
    }

    #[test]
    fn typed_numbers_are_forgiven_their_case_and_look_alike_letters() {
        assert_eq!(
            normalize("yj-2026-7q4m-k2xd").as_deref(),
            Some("YJ-2026-7Q4M-K2XD")
        );
        assert_eq!(
            normalize("YJ2026 7Q4M KOXL").as_deref(),
            Some("YJ-2026-7Q4M-K0X1")
        );
        for bad in [
            "",
            "YJ-2026-7Q4M",
            "XX-2026-7Q4M-K2XD",
            "YJ-20A6-7Q4M-K2XD",
            "YJ-2026-7Q4M-K2XU",
            "YJ-2026-7Q4M-K2X中",
        ] {
            assert_eq!(normalize(bad), None, "{bad}");
        }
    }
}
