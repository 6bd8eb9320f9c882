//! Delivering one queued mail: over SMTP when `SMTP_URL` is set, otherwise as a `.eml` file in
//! `MAIL_DIR`, so a demo or a development instance never loses a mail and never needs a relay.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::PoolConfig;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{Message, SmtpTransport, Transport as _};
use url::Url;

use super::QueuedMail;
use crate::config::Config;

/// Longest wait for one SMTP command; the worker's lease is sized against it.
pub const SMTP_TIMEOUT: Duration = Duration::from_secs(30);

/// Open SMTP connections kept per instance; the worker runs one sender per connection.
pub const SMTP_CONNECTIONS: u32 = 4;

/// Why a transport could not be set up from the configuration.
#[derive(Debug, thiserror::Error)]
pub enum TransportError {
    /// `SMTP_URL` could not be turned into an SMTP client.
    #[error("SMTP_URL: {0}")]
    Smtp(String),
    /// `MAIL_DIR` could not be created.
    #[error("MAIL_DIR: cannot create {}: {source}", path.display())]
    MailDir {
        /// The folder.
        path: PathBuf,
        /// The file system's error.
        source: std::io::Error,
    },
}

/// Why one mail was not delivered; the worker records it and retries later.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// The recipient is not a mail address.
    #[error("recipient {0:?} is not a mail address: {1}")]
    Recipient(String, lettre::address::AddressError),
    /// The message could not be assembled.
    #[error("cannot build the message: {0}")]
    Message(#[from] lettre::error::Error),
    /// The relay refused the mail or could not be reached.
    #[error("SMTP: {0}")]
    Smtp(#[from] lettre::transport::smtp::Error),
    /// The `.eml` file could not be written.
    #[error("writing {}: {source}", path.display())]
    File {
        /// The file.
        path: PathBuf,
        /// The file system's error.
        source: std::io::Error,
    },
}

#[derive(Clone)]
enum Delivery {
    Smtp {
        client: SmtpTransport,
        shown: String,
    },
    Folder(PathBuf),
}

/// Where and how mail leaves the application; cheap to clone (the SMTP pool is shared).
#[derive(Clone)]
pub struct Transport {
    delivery: Delivery,
    from: Mailbox,
    /// The right-hand side of every Message-ID: the host of `BASE_URL`.
    id_domain: String,
}

impl Transport {
    /// Builds the transport `config` asks for: SMTP for `SMTP_URL`, else files in `MAIL_DIR`
    /// (created now, so a folder that cannot be written is reported at start).
    pub fn from_config(config: &Config) -> Result<Self, TransportError> {
        let delivery = match &config.smtp_url {
            Some(url) => smtp(url)?,
            None => {
                let dir = std::path::absolute(&config.mail_dir)
                    .unwrap_or_else(|_| config.mail_dir.clone());
                std::fs::create_dir_all(&dir).map_err(|source| TransportError::MailDir {
                    path: dir.clone(),
                    source,
                })?;
                Delivery::Folder(dir)
            }
        };
        Ok(Self {
            delivery,
            from: config.mail_from.clone(),
            id_domain: config.base_url.host_str().unwrap_or("localhost").to_owned(),
        })
    }

    /// Where mails go, for the log; never includes credentials.
    pub fn describe(&self) -> String {
        match &self.delivery {
            Delivery::Smtp { shown, .. } => format!("SMTP relay {shown}"),
            Delivery::Folder(dir) => format!(".eml files in {}", dir.display()),
        }
    }

    /// The Message-ID of `mail`: the same for every attempt, so a mail sent again after a crash
    /// between sending and recording is recognisable as a duplicate by its recipient's software.
    pub fn message_id(&self, mail: &QueuedMail) -> String {
        format!(
            "<outbox-{}.{:016x}@{}>",
            mail.id,
            fnv1a(&mail.key),
            self.id_domain
        )
    }

    /// Delivers `mail`. Blocking: the worker calls it on the blocking thread pool.
    pub fn send(&self, mail: &QueuedMail) -> Result<(), SendError> {
        let message = self.message(mail)?;
        match &self.delivery {
            Delivery::Smtp { client, .. } => {
                client.send(&message)?;
            }
            Delivery::Folder(dir) => write_eml(dir, mail.id, &message.formatted())?,
        }
        Ok(())
    }

    fn message(&self, mail: &QueuedMail) -> Result<Message, SendError> {
        let to: Mailbox = mail
            .to
            .parse()
            .map_err(|e| SendError::Recipient(mail.to.clone(), e))?;
        let mut builder = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(mail.subject.as_str())
            .message_id(Some(self.message_id(mail)))
            .date(SystemTime::from(mail.created_at.and_utc()));
        if let Some(url) = &mail.list_unsubscribe {
            // RFC 8058: a mail client may unsubscribe with one POST to this URL, no page needed.
            builder = builder
                .raw_header(HeaderValue::new(
                    HeaderName::new_from_ascii_str("List-Unsubscribe"),
                    format!("<{url}>"),
                ))
                .raw_header(HeaderValue::new(
                    HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
                    "List-Unsubscribe=One-Click".to_owned(),
                ));
        }
        Ok(builder.multipart(MultiPart::alternative_plain_html(
            mail.text.clone(),
            mail.html.clone(),
        ))?)
    }
}

/// An SMTP client for `smtp://` (no TLS: a local relay) or `smtps://` (TLS from the first byte),
/// logging in when the URL carries `user:password`.
fn smtp(url: &Url) -> Result<Delivery, TransportError> {
    let host = match url.host() {
        Some(url::Host::Domain(d)) => d.to_owned(),
        Some(url::Host::Ipv4(a)) => a.to_string(),
        Some(url::Host::Ipv6(a)) => a.to_string(),
        None => return Err(TransportError::Smtp("names no host".into())),
    };
    let (builder, default_port) = match url.scheme() {
        "smtps" => (
            SmtpTransport::relay(&host).map_err(|e| TransportError::Smtp(e.to_string()))?,
            465,
        ),
        _ => (SmtpTransport::builder_dangerous(&host), 25),
    };
    let port = url.port().unwrap_or(default_port);
    let mut builder = builder
        .port(port)
        .timeout(Some(SMTP_TIMEOUT))
        .pool_config(PoolConfig::new().max_size(SMTP_CONNECTIONS));
    if !url.username().is_empty() {
        let decode = |s: &str| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8()
                .map(|c| c.into_owned())
                .map_err(|_| TransportError::Smtp("user or password is not UTF-8".into()))
        };
        builder = builder.credentials(Credentials::new(
            decode(url.username())?,
            decode(url.password().unwrap_or(""))?,
        ));
    }
    Ok(Delivery::Smtp {
        client: builder.build(),
        shown: format!("{}://{}:{port}", url.scheme(), url.host_str().unwrap_or("")),
    })
}

/// Writes `outbox-{id}.eml` through a temporary file, so a reader never sees half a mail and a
/// retry replaces the file instead of adding a second one.
fn write_eml(dir: &Path, id: i32, bytes: &[u8]) -> Result<(), SendError> {
    let path = dir.join(format!("outbox-{id}.eml"));
    let partial = dir.join(format!(".outbox-{id}.eml.partial"));
    let fail = |source| SendError::File {
        path: path.clone(),
        source,
    };
    std::fs::write(&partial, bytes).map_err(fail)?;
    std::fs::rename(&partial, &path).map_err(fail)
}

/// FNV-1a: a hash that stays the same across builds and Rust versions, so a Message-ID does too.
fn fnv1a(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(pairs: &[(&str, &str)]) -> Config {
        Config::from_lookup(|name| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| Ok((*v).to_owned()))
        })
        .expect("valid config")
    }

    #[test]
    fn smtp_urls_build_clients_whose_description_hides_credentials() {
        let cases = [
            (
                "smtp://relay:secret@127.0.0.1:2525",
                "SMTP relay smtp://127.0.0.1:2525",
            ),
            ("smtp://localhost", "SMTP relay smtp://localhost:25"),
            (
                "smtps://u%40x:secret@mail.example.cn",
                "SMTP relay smtps://mail.example.cn:465",
            ),
            ("smtp://[::1]:2525", "SMTP relay smtp://[::1]:2525"),
        ];
        for (url, shown) in cases {
            let transport = Transport::from_config(&config(&[("SMTP_URL", url)])).expect(url);
            assert_eq!(transport.describe(), shown);
        }
    }

    #[test]
    fn the_message_id_names_the_row_and_the_public_host() {
        let transport = Transport::from_config(&config(&[
            ("SMTP_URL", "smtp://127.0.0.1:2525"),
            ("BASE_URL", "https://yijian.example.gov.cn/"),
        ]))
        .expect("transport");
        let mail = QueuedMail {
            id: 42,
            key: "a".into(),
            to: "citizen@example.cn".into(),
            subject: String::new(),
            text: String::new(),
            html: String::new(),
            attempts: 3,
            created_at: chrono::DateTime::UNIX_EPOCH.naive_utc(),
            list_unsubscribe: None,
        };
        assert_eq!(
            transport.message_id(&mail),
            "<outbox-42.af63dc4c8601ec8c@yijian.example.gov.cn>"
        );
    }

    #[test]
    fn the_key_hash_is_stable() {
        // Fixed values: a change would give every queued mail a new Message-ID on upgrade.
        assert_eq!(fnv1a(""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a("a"), 0xaf63_dc4c_8601_ec8c);
    }
}
