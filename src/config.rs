//! Settings read from the environment, with defaults that serve the demo.

use std::net::SocketAddr;
use std::path::PathBuf;

use lettre::message::Mailbox;
use url::Url;

/// A configuration value that could not be used; the message names the variable.
#[derive(Debug, thiserror::Error)]
#[error("{var}: {reason}")]
pub struct ConfigError {
    /// The environment variable at fault.
    pub var: &'static str,
    /// What is wrong with its value, in one line.
    pub reason: String,
}

/// Which database to use, decided from `DATABASE_URL` before any connection is tried.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// An embedded SQLite file.
    Sqlite(PathBuf),
    /// A PostgreSQL server, as a libpq URL.
    Postgres(String),
}

impl DatabaseUrl {
    /// Parses `DATABASE_URL`: `postgres://` / `postgresql://` select PostgreSQL, `sqlite:` or a plain
    /// path selects SQLite, and anything else with a scheme is refused rather than taken as a file name.
    pub fn parse(raw: &str) -> Result<Self, ConfigError> {
        let err = |reason: String| ConfigError {
            var: "DATABASE_URL",
            reason,
        };
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(err("is empty".into()));
        }
        let lower = trimmed.to_ascii_lowercase();
        if lower.starts_with("postgres://") || lower.starts_with("postgresql://") {
            Url::parse(trimmed).map_err(|e| err(format!("not a valid PostgreSQL URL: {e}")))?;
            return Ok(Self::Postgres(trimmed.to_owned()));
        }
        if let Some(path) = trimmed
            .strip_prefix("sqlite://")
            .or_else(|| trimmed.strip_prefix("sqlite:"))
        {
            if path.is_empty() {
                return Err(err("sqlite: URL names no file".into()));
            }
            return Ok(Self::Sqlite(PathBuf::from(path)));
        }
        // A near-miss such as `postgress://` or `pg://` must not silently become a SQLite file.
        if let Some((scheme, _)) = trimmed.split_once(':')
            && (trimmed.contains("://") || lower.starts_with("postg") || lower.starts_with("pg"))
            && !(scheme.len() == 1 && cfg!(windows))
        {
            return Err(err(format!(
                "unsupported scheme '{scheme}': use postgres://USER@HOST:PORT/DB, sqlite:PATH or a file path"
            )));
        }
        Ok(Self::Sqlite(PathBuf::from(trimmed)))
    }

    /// A description for logs that never includes a password.
    pub fn redacted(&self) -> String {
        match self {
            Self::Sqlite(path) => format!("SQLite file {}", absolute(path).display()),
            Self::Postgres(url) => match Url::parse(url) {
                Ok(mut u) => {
                    if u.password().is_some() {
                        let _ = u.set_password(Some("***"));
                    }
                    format!("PostgreSQL {u}")
                }
                Err(_) => "PostgreSQL".into(),
            },
        }
    }
}

fn absolute(path: &std::path::Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

/// The secret that signs tokens and cookies; never printed.
#[derive(Clone)]
pub struct SecretKey(String);

impl SecretKey {
    /// Shortest accepted key, in characters.
    pub const MIN_LEN: usize = 32;

    /// Accepts a key of at least [`Self::MIN_LEN`] characters.
    pub fn parse(raw: &str) -> Result<Self, String> {
        if raw.chars().count() < Self::MIN_LEN {
            return Err(format!("must be at least {} characters", Self::MIN_LEN));
        }
        Ok(Self(raw.to_owned()))
    }

    /// A fresh random key (64 hex characters).
    pub fn generate() -> Self {
        Self(hex::encode(rand::random::<[u8; 32]>()))
    }

    /// The key material.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey(***)")
    }
}

/// Everything the application needs to start.
#[derive(Clone, Debug)]
pub struct Config {
    /// `DATABASE_URL`.
    pub database: DatabaseUrl,
    /// `BIND`: the address the HTTP server listens on.
    pub bind: SocketAddr,
    /// `BASE_URL`: the public origin used in absolute links (mails).
    pub base_url: Url,
    /// `SECRET_KEY`; when unset, one stored in the database is used (created on first start).
    pub secret_key: Option<SecretKey>,
    /// `SMTP_URL`: the relay mail is sent through; unset means mails are written to `mail_dir`.
    pub smtp_url: Option<Url>,
    /// `MAIL_DIR`: the folder mails are written to as `.eml` files when `SMTP_URL` is unset.
    pub mail_dir: PathBuf,
    /// `ATTACHMENTS_DIR`: where uploaded position papers are stored, named by their SHA-256
    /// (several instances must share it).
    pub attachments_dir: PathBuf,
    /// `MAIL_FROM`: the sender of every mail.
    pub mail_from: Mailbox,
}

impl Config {
    /// Reads the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var_os(name).map(|v| v.into_string()))
    }

    /// Reads settings through `lookup`, which yields `Err` for a value that is not valid Unicode.
    pub fn from_lookup(
        lookup: impl Fn(&str) -> Option<Result<String, std::ffi::OsString>>,
    ) -> Result<Self, ConfigError> {
        let get = |var: &'static str| -> Result<Option<String>, ConfigError> {
            match lookup(var) {
                None => Ok(None),
                Some(Ok(v)) if v.trim().is_empty() => Ok(None),
                Some(Ok(v)) => Ok(Some(v)),
                Some(Err(_)) => Err(ConfigError {
                    var,
                    reason: "is not valid UTF-8".into(),
                }),
            }
        };
        let invalid = |var: &'static str| move |reason: String| ConfigError { var, reason };

        let database =
            DatabaseUrl::parse(&get("DATABASE_URL")?.unwrap_or_else(|| "yijian.db".into()))?;
        let bind: SocketAddr = get("BIND")?
            .unwrap_or_else(|| "127.0.0.1:8080".into())
            .trim()
            .parse()
            .map_err(|e| {
                invalid("BIND")(format!("expected HOST:PORT such as 127.0.0.1:8080 ({e})"))
            })?;
        let base_url = match get("BASE_URL")? {
            Some(raw) => {
                let url = Url::parse(raw.trim()).map_err(|e| invalid("BASE_URL")(e.to_string()))?;
                if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
                    return Err(invalid("BASE_URL")(
                        "must be an http:// or https:// URL".into(),
                    ));
                }
                url
            }
            None => Url::parse(&format!("http://{bind}/"))
                .map_err(|e| invalid("BIND")(e.to_string()))?,
        };
        let secret_key = get("SECRET_KEY")?
            .map(|raw| SecretKey::parse(&raw).map_err(invalid("SECRET_KEY")))
            .transpose()?;
        let smtp_url = get("SMTP_URL")?
            .map(|raw| {
                let url = Url::parse(raw.trim()).map_err(|e| invalid("SMTP_URL")(e.to_string()))?;
                if !matches!(url.scheme(), "smtp" | "smtps") || url.host().is_none() {
                    return Err(invalid("SMTP_URL")(
                        "must be smtp://HOST:PORT or smtps://HOST:PORT".into(),
                    ));
                }
                Ok(url)
            })
            .transpose()?;
        let mail_from = get("MAIL_FROM")?
            .unwrap_or_else(|| "意见征集 yijian <noreply@localhost>".into())
            .parse::<Mailbox>()
            .map_err(|e| invalid("MAIL_FROM")(format!("not a mail address: {e}")))?;
        let mail_dir = PathBuf::from(get("MAIL_DIR")?.unwrap_or_else(|| "yijian-mail".into()));
        let attachments_dir =
            PathBuf::from(get("ATTACHMENTS_DIR")?.unwrap_or_else(|| "yijian-attachments".into()));
        Ok(Self {
            database,
            bind,
            base_url,
            secret_key,
            smtp_url,
            mail_dir,
            attachments_dir,
            mail_from,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Config::from_lookup(move |name| {
            pairs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| Ok(v.clone()))
        })
    }

    #[test]
    fn defaults_serve_the_demo_on_a_local_sqlite_file() {
        let c = config(&[]).expect("defaults are valid");
        assert_eq!(c.database, DatabaseUrl::Sqlite("yijian.db".into()));
        assert_eq!(c.bind.to_string(), "127.0.0.1:8080");
        assert_eq!(c.base_url.as_str(), "http://127.0.0.1:8080/");
        assert!(c.secret_key.is_none());
        assert!(c.smtp_url.is_none());
    }

    #[test]
    fn without_smtp_mails_go_to_a_folder_named_by_mail_dir() {
        let c = config(&[]).expect("defaults are valid");
        assert_eq!(c.mail_dir, PathBuf::from("yijian-mail"));
        let c = config(&[("MAIL_DIR", "/var/spool/yijian")]).expect("valid");
        assert_eq!(c.mail_dir, PathBuf::from("/var/spool/yijian"));
        let c = config(&[("SMTP_URL", "smtp://user:pw@127.0.0.1:2525")]).expect("valid");
        assert_eq!(c.smtp_url.map(|u| u.port()), Some(Some(2525)));
    }

    #[test]
    fn postgres_urls_select_postgresql() {
        for url in [
            "postgres://postgres@127.0.0.1/db",
            "postgresql://u:p@h:5432/db",
        ] {
            assert!(matches!(
                DatabaseUrl::parse(url),
                Ok(DatabaseUrl::Postgres(_))
            ));
        }
        assert_eq!(
            DatabaseUrl::parse("sqlite:///tmp/x.db").ok(),
            Some(DatabaseUrl::Sqlite("/tmp/x.db".into()))
        );
    }

    #[test]
    fn a_mistyped_postgres_url_is_refused_not_turned_into_a_file() {
        for url in [
            "postgress://u@h/db",
            "postgre://h/db",
            "pg://h/db",
            "mysql://h/db",
        ] {
            let e = DatabaseUrl::parse(url).expect_err(url);
            assert_eq!(e.var, "DATABASE_URL");
            assert!(e.to_string().contains("unsupported scheme"), "{e}");
        }
    }

    #[test]
    fn bad_values_name_their_variable() {
        let cases = [
            ("BIND", "localhost"),
            ("BASE_URL", "ftp://x"),
            ("SECRET_KEY", "short"),
            ("SMTP_URL", "http://mail"),
            ("MAIL_FROM", "not an address"),
        ];
        for (var, value) in cases {
            let e = config(&[(var, value)]).expect_err(var);
            assert_eq!(e.var, var);
            assert!(e.to_string().starts_with(var), "{e}");
        }
    }

    #[test]
    fn secret_key_is_never_printed() {
        let c =
            config(&[("SECRET_KEY", "0123456789abcdef0123456789abcdef-secret")]).expect("valid");
        assert!(!format!("{c:?}").contains("0123456789abcdef"));
    }
}
