//! 统一社会信用代码 (unified social credit code), checked per GB 32100-2015.

/// The 31 characters a code may use: digits and capitals without I, O, S, V and Z.
const CHARSET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
/// Weights of positions 1 to 17 (3^(i-1) mod 31).
const WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];
/// Valid first characters: the registering authority (1–9 for the main registries, A–N for
/// others, Y for the rest).
const AUTHORITIES: &str = "123456789ABCDEFGHJKLMNY";

/// Why a code is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UsccError {
    /// Not 18 characters long (after trimming and upper-casing).
    Length(usize),
    /// The character at this 1-based position is not allowed there.
    BadChar {
        /// 1-based position.
        position: usize,
        /// The character found.
        found: char,
    },
    /// Positions 3 to 8 must be digits (the administrative division code).
    NotDigit {
        /// 1-based position.
        position: usize,
        /// The character found.
        found: char,
    },
    /// Every character is allowed but the 18th does not match the other 17.
    CheckDigit {
        /// The check character the first 17 call for.
        expected: char,
        /// The one given.
        found: char,
    },
}

impl std::fmt::Display for UsccError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Length(n) => write!(f, "must be 18 characters, found {n}"),
            Self::BadChar { position, found } => {
                write!(f, "character {position} ('{found}') is not allowed")
            }
            Self::NotDigit { position, found } => {
                write!(f, "character {position} ('{found}') must be a digit")
            }
            Self::CheckDigit { expected, found } => {
                write!(
                    f,
                    "check digit '{found}' does not match (the first 17 characters call for '{expected}')"
                )
            }
        }
    }
}

fn value(c: char) -> Option<u32> {
    CHARSET.find(c).and_then(|i| u32::try_from(i).ok())
}

/// Checks a code and returns it normalised (trimmed, upper case).
pub fn parse(raw: &str) -> Result<String, UsccError> {
    let code: String = raw.trim().to_uppercase();
    let chars: Vec<char> = code.chars().collect();
    if chars.len() != 18 {
        return Err(UsccError::Length(chars.len()));
    }
    let mut sum = 0;
    for (i, &c) in chars.iter().enumerate().take(17) {
        let position = i + 1;
        let allowed = match position {
            1 => AUTHORITIES.contains(c),
            3..=8 => {
                if !c.is_ascii_digit() {
                    return Err(UsccError::NotDigit { position, found: c });
                }
                true
            }
            _ => value(c).is_some(),
        };
        let v = value(c)
            .filter(|_| allowed)
            .ok_or(UsccError::BadChar { position, found: c })?;
        sum += v * WEIGHTS[i];
    }
    let check = (31 - sum % 31) % 31;
    let expected = CHARSET.chars().nth(check as usize).unwrap_or('0');
    let found = chars[17];
    if value(found).is_none() {
        return Err(UsccError::BadChar {
            position: 18,
            found,
        });
    }
    if found != expected {
        return Err(UsccError::CheckDigit { expected, found });
    }
    Ok(code)
}

/// Completes the first 17 characters of a code with their check character (for generated codes).
pub fn with_check_digit(first17: &str) -> Result<String, UsccError> {
    // An invalid character adds nothing here; `parse` then names it.
    let sum: u32 = first17
        .chars()
        .zip(WEIGHTS)
        .map(|(c, w)| value(c).unwrap_or(0) * w)
        .sum();
    let check = CHARSET
        .chars()
        .nth(((31 - sum % 31) % 31) as usize)
        .unwrap_or('0');
    parse(&format!("{first17}{check}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn published_example_codes_pass() {
        for code in ["91350100M000100Y43", "91110000802100433B"] {
            assert_eq!(parse(code).as_deref(), Ok(code), "{code}");
        }
        assert_eq!(
            parse(" 91350100m000100y43 ").as_deref(),
            Ok("91350100M000100Y43")
        );
    }

    #[test]
    fn a_wrong_check_digit_is_named() {
        assert_eq!(
            parse("91350100M000100Y44"),
            Err(UsccError::CheckDigit {
                expected: '3',
                found: '4'
            })
        );
    }

    #[test]
    fn the_wrong_character_and_its_position_are_named() {
        assert_eq!(
            parse("91350100M000100I43"),
            Err(UsccError::BadChar {
                position: 16,
                found: 'I'
            })
        );
        assert_eq!(
            parse("9135A100M000100Y43"),
            Err(UsccError::NotDigit {
                position: 5,
                found: 'A'
            })
        );
        assert_eq!(
            parse("Z1350100M000100Y43"),
            Err(UsccError::BadChar {
                position: 1,
                found: 'Z'
            })
        );
        assert_eq!(parse("9135010"), Err(UsccError::Length(7)));
    }

    #[test]
    fn any_code_built_with_its_check_digit_passes() {
        for first in [
            "91440300MA5DXXXX0",
            "52100000500019823",
            "31110000400000448",
        ] {
            let code = with_check_digit(first).expect("valid");
            assert_eq!(parse(&code).as_deref(), Ok(code.as_str()));
        }
        assert_eq!(
            with_check_digit("91350100M000100Y4").as_deref(),
            Ok("91350100M000100Y43")
        );
        assert!(with_check_digit("91350100M000100I4").is_err());
    }
}
