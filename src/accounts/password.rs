//! Passwords: the policy (length, common passwords) and argon2id hashing off the async threads.

use std::collections::HashSet;
use std::sync::LazyLock;

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};

/// Shortest accepted password, in characters.
pub const MIN_LEN: usize = 12;
/// Longest accepted password, in characters (argon2 is slow on purpose; unbounded input is not).
pub const MAX_LEN: usize = 128;

/// The 30,000 most common passwords from the zxcvbn project (MIT licence), one per line.
static COMMON: LazyLock<HashSet<&'static str>> =
    LazyLock::new(|| include_str!("common_passwords.txt").lines().collect());

/// Why a new password is refused; each maps to a message key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Weakness {
    /// Fewer than [`MIN_LEN`] characters.
    TooShort,
    /// More than [`MAX_LEN`] characters.
    TooLong,
    /// A common password, perhaps with digits or symbols appended, or one character repeated.
    Common,
    /// Contains the account's e-mail name or display name.
    Personal,
}

impl Weakness {
    /// The i18n key of the message shown on the form.
    pub fn message_key(self) -> &'static str {
        match self {
            Self::TooShort => "password-too-short",
            Self::TooLong => "password-too-long",
            Self::Common => "password-common",
            Self::Personal => "password-personal",
        }
    }
}

/// Checks a new password against the policy; `personal` are strings it must not contain
/// (the e-mail's local part, the display name).
pub fn check(password: &str, personal: &[&str]) -> Result<(), Weakness> {
    let len = password.chars().count();
    if len < MIN_LEN {
        return Err(Weakness::TooShort);
    }
    if len > MAX_LEN {
        return Err(Weakness::TooLong);
    }
    let lower = password.to_lowercase();
    let stem = lower.trim_end_matches(|c: char| c.is_ascii_digit() || c.is_ascii_punctuation());
    let mut chars = lower.chars();
    let first = chars.next();
    let one_char_repeated = chars.all(|c| Some(c) == first);
    if COMMON.contains(lower.as_str())
        || (stem.chars().count() >= 4 && COMMON.contains(stem))
        || one_char_repeated
    {
        return Err(Weakness::Common);
    }
    for p in personal {
        let p = p.trim().to_lowercase();
        if p.chars().count() >= 4 && lower.contains(&p) {
            return Err(Weakness::Personal);
        }
    }
    Ok(())
}

/// Hashing or verification could not run.
#[derive(Debug, thiserror::Error)]
#[error("password hashing failed: {0}")]
pub struct HashError(String);

/// Hashes `password` with argon2id into a PHC string, on the blocking pool.
pub async fn hash(password: String) -> Result<String, HashError> {
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .hash_password(password.as_bytes())
            .map(|h| h.to_string())
            .map_err(|e| HashError(e.to_string()))
    })
    .await
    .map_err(|e| HashError(e.to_string()))?
}

/// A valid hash of a random password, verified against when an account does not exist so that a
/// login takes as long either way.
static DUMMY_HASH: LazyLock<Option<String>> = LazyLock::new(|| {
    Argon2::default()
        .hash_password(hex::encode(rand::random::<[u8; 16]>()).as_bytes())
        .map(|h| h.to_string())
        .ok()
});

/// Marks a stored password hash that no password matches (demonstration accounts); no PHC string
/// starts with it.
pub const UNUSABLE_PREFIX: char = '!';

/// Whether a stored hash can never verify: empty (a deleted account) or marked [`UNUSABLE_PREFIX`].
pub fn is_unusable(stored: &str) -> bool {
    stored.is_empty() || stored.starts_with(UNUSABLE_PREFIX)
}

/// Checks `password` against a stored PHC string (or a dummy when `stored` is `None` or
/// [unusable](is_unusable)), on the blocking pool. `Ok(false)` for a wrong password.
pub async fn verify(password: String, stored: Option<String>) -> Result<bool, HashError> {
    tokio::task::spawn_blocking(move || {
        // An account that cannot log in costs as long to refuse as a wrong password.
        let stored = stored.filter(|s| !is_unusable(s));
        let exists = stored.is_some();
        let Some(phc) = stored.or_else(|| DUMMY_HASH.clone()) else {
            return Err(HashError("no dummy hash".into()));
        };
        let parsed = PasswordHash::new(&phc).map_err(|e| HashError(e.to_string()))?;
        let ok = Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok();
        Ok(ok && exists)
    })
    .await
    .map_err(|e| HashError(e.to_string()))?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_long_common_and_personal_passwords_are_refused() {
        assert_eq!(check("short1!", &[]), Err(Weakness::TooShort));
        assert_eq!(check(&"x1".repeat(65), &[]), Err(Weakness::TooLong));
        assert_eq!(check("qwerty123456", &[]), Err(Weakness::Common));
        assert_eq!(
            check("password123456!", &[]),
            Err(Weakness::Common),
            "a common word with digits appended"
        );
        assert_eq!(check("aaaaaaaaaaaaaaa", &[]), Err(Weakness::Common));
        assert_eq!(
            check("wangxiaoming-2026-ok", &["wangxiaoming", "小明"]),
            Err(Weakness::Personal)
        );
        assert_eq!(check("correct horse battery staple", &["li"]), Ok(()));
        assert_eq!(
            check("人工智能治理需要大家一起来参与", &[]),
            Ok(()),
            "Chinese passwords count characters"
        );
    }

    #[actix_web::test]
    async fn a_hash_verifies_its_password_and_nothing_else() {
        let phc = hash("correct horse battery staple".into())
            .await
            .expect("hash");
        assert!(phc.starts_with("$argon2id$"));
        assert!(
            verify("correct horse battery staple".into(), Some(phc.clone()))
                .await
                .expect("verify")
        );
        assert!(
            !verify("wrong horse battery staple".into(), Some(phc))
                .await
                .expect("verify")
        );
        assert!(
            !verify("anything at all".into(), None)
                .await
                .expect("verify")
        );
    }

    #[actix_web::test]
    async fn an_unusable_hash_refuses_every_password_without_an_error() {
        for stored in ["!demo", "!", ""] {
            assert!(is_unusable(stored));
            assert!(
                !verify("!demo".into(), Some(stored.into()))
                    .await
                    .expect("refused, not failed"),
                "{stored:?}"
            );
        }
        assert!(!is_unusable("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA"));
    }
}
