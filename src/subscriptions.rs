//! Digest subscriptions: anyone subscribes by e-mail to a consultation or one of its articles
//! (double opt-in), signed-in users with one click; one link in every digest unsubscribes.

use askama::Template;
use chrono::{Duration, NaiveDateTime};
use sha2::{Digest, Sha256};

use crate::accounts::throttle::{self, ThrottleError, Throttled};
use crate::accounts::{Token, User, parse_email, token_hash};
use crate::config::SecretKey;
use crate::consultations::{Consultation, RiskTier};
use crate::db::subscriptions::{self as q, ListedRow, NewSubscriptionRow};
use crate::db::{self, DbConnection, DbError};
use crate::i18n::Locale;
use crate::mail::{self, OutgoingMail};

/// How long a confirmation link works; an unconfirmed subscription is deleted after it.
pub const CONFIRM_DAYS: i64 = 7;

/// How often digests come.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Frequency {
    /// Every Beijing calendar day.
    Daily,
    /// Every ISO week (Monday to Sunday, Beijing time).
    Weekly,
}

impl Frequency {
    /// Both, in the order forms offer them.
    pub const ALL: [Self; 2] = [Self::Daily, Self::Weekly];

    /// The stored and form value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Daily => "daily",
            Self::Weekly => "weekly",
        }
    }

    /// Parses the stored form, refusing anything else.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.as_str() == s)
    }
}

/// Longest topic tag a subscription to new consultations filters by, in characters.
pub const MAX_TOPIC_CHARS: usize = 50;

/// What is followed: a consultation, one article of it, or new consultations.
#[derive(Clone, Debug)]
pub struct Target {
    /// The consultation; `None`: every new consultation (matching `topic` and `tier`).
    pub consultation: Option<Consultation>,
    /// The article's id, number and label, when only one article is followed.
    pub article: Option<(i32, i32, String)>,
    /// New consultations with this topic tag only.
    pub topic: Option<String>,
    /// New consultations of this risk tier only.
    pub tier: Option<RiskTier>,
}

impl Target {
    /// New consultations, all of them or those with topic tag `topic` or of risk tier `tier`;
    /// `None` when the topic is too long or holds control characters.
    pub fn new_consultations(topic: Option<&str>, tier: Option<RiskTier>) -> Option<Self> {
        let topic = topic.map(str::trim).filter(|t| !t.is_empty());
        if topic
            .is_some_and(|t| t.chars().count() > MAX_TOPIC_CHARS || t.chars().any(char::is_control))
        {
            return None;
        }
        Some(Self {
            consultation: None,
            article: None,
            topic: topic.map(str::to_owned),
            tier,
        })
    }
}

/// A subscription request as the form sends it, checked.
#[derive(Clone, Debug)]
pub struct Request {
    /// Where the digests go; ignored for a signed-in, verified user, whose own address is used.
    pub email: String,
    /// How often.
    pub frequency: Frequency,
    /// Language of the mails: the page's.
    pub locale: Locale,
}

/// What subscribing did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Subscribed {
    /// A confirmation mail was queued (or, over the per-address limit, silently not).
    ConfirmationSent,
    /// The subscription is active at once: a signed-in user with a verified address.
    Active,
}

/// Why a subscription operation did not happen.
#[derive(Debug, thiserror::Error)]
pub enum SubscriptionError {
    /// The e-mail address is not one.
    #[error("invalid e-mail address")]
    InvalidEmail,
    /// The link is unknown, used or expired.
    #[error("invalid or expired link")]
    InvalidToken,
    /// Not this user's subscription.
    #[error("no such subscription")]
    NotFound,
    /// Too many mails asked from this client.
    #[error(transparent)]
    Throttled(#[from] Throttled),
    /// The database failed.
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<diesel::result::Error> for SubscriptionError {
    fn from(e: diesel::result::Error) -> Self {
        Self::Db(DbError::Query(e))
    }
}

impl From<ThrottleError> for SubscriptionError {
    fn from(e: ThrottleError) -> Self {
        match e {
            ThrottleError::Throttled(t) => Self::Throttled(t),
            ThrottleError::Db(d) => Self::Db(d),
        }
    }
}

/// Where the links in subscription mails point, and the key their unsubscribe tokens derive from.
#[derive(Clone, Debug)]
pub struct Links {
    /// The site's public origin.
    pub base_url: url::Url,
    /// The application's secret key.
    pub secret: SecretKey,
}

impl Links {
    /// The page that confirms a subscription.
    pub fn confirm(&self, token: &str) -> String {
        let mut url = self.base_url.clone();
        url.set_path("/subscriptions/confirm");
        url.query_pairs_mut().clear().append_pair("token", token);
        url.to_string()
    }

    /// The unsubscribe URL of a subscription whose nonce is `nonce`: the page behind the link in
    /// the body, and the target of the one-click POST.
    pub fn unsubscribe(&self, nonce: &str) -> String {
        let mut url = self.base_url.clone();
        url.set_path(&format!(
            "/unsubscribe/{}",
            unsubscribe_token(&self.secret, nonce)
        ));
        url.set_query(None);
        url.to_string()
    }

    /// A page of the site, as an absolute URL.
    pub fn page(&self, path: &str) -> String {
        let mut url = self.base_url.clone();
        url.set_path(path);
        url.set_query(None);
        url.to_string()
    }

    /// The absolute address of `path` on the site, at the element with id `anchor`.
    pub fn page_at(&self, path: &str, anchor: &str) -> String {
        let mut url = self.base_url.clone();
        url.set_path(path);
        url.set_query(None);
        url.set_fragment(Some(anchor));
        url.to_string()
    }
}

/// The unsubscribe token of a subscription: derived from the secret key and the row's random
/// nonce, so every digest can carry it without the database storing it. Only its hash is
/// stored: a copy of the database unsubscribes nobody, and the token says nothing about the row.
pub fn unsubscribe_token(secret: &SecretKey, nonce: &str) -> String {
    let mut h = Sha256::new();
    h.update(secret.expose().as_bytes());
    h.update(b"\0yijian-unsubscribe\0");
    h.update(nonce.as_bytes());
    hex::encode(h.finalize())
}

/// Finds the consultation `slug` and, when `article_number` is given, that article of the
/// version readers see.
pub fn target(
    conn: &mut DbConnection,
    slug: &str,
    article_number: Option<i32>,
) -> Result<Option<Target>, DbError> {
    let Some(consultation) = db::consultations::by_slug(conn, slug)? else {
        return Ok(None);
    };
    let article = match (article_number, consultation.current_version_id) {
        (None, _) => None,
        (Some(_), None) => return Ok(None),
        (Some(n), Some(version)) => match db::drafts::article_ref(conn, version, n)? {
            Some((id, label)) => Some((id, n, label)),
            None => return Ok(None),
        },
    };
    Ok(Some(Target {
        consultation: Some(consultation),
        article,
        topic: None,
        tier: None,
    }))
}

/// Subscribes: a signed-in user with a verified address at once; anyone else gets a
/// confirmation mail, at most [`throttle::MAIL_RECIPIENT`] an hour per address (more are dropped
/// silently, so the answer never tells what an address receives) and [`throttle::MAIL_ADDRESS`]
/// per client.
pub fn subscribe(
    conn: &mut DbConnection,
    target: &Target,
    req: &Request,
    user: Option<&User>,
    client: &str,
    links: &Links,
    now: NaiveDateTime,
) -> Result<Subscribed, SubscriptionError> {
    let verified_user = user.filter(|u| u.is_verified());
    let email = match verified_user {
        Some(u) => u.email.clone(),
        None => parse_email(&req.email).map_err(|_| SubscriptionError::InvalidEmail)?,
    };
    db::transaction(conn, |conn| {
        let nonce = hex::encode(rand::random::<[u8; 32]>());
        let unsubscribe_hash = token_hash(&unsubscribe_token(&links.secret, &nonce));
        let mut row = NewSubscriptionRow {
            email: &email,
            user_id: user.map(|u| u.id),
            consultation_id: target.consultation.as_ref().map(|c| c.id),
            article_id: target.article.as_ref().map(|a| a.0),
            topic: target.topic.as_deref(),
            risk_tier: target.tier.map(RiskTier::as_str),
            frequency: req.frequency.as_str(),
            locale: req.locale.tag(),
            confirm_hash: None,
            unsubscribe_nonce: &nonce,
            unsubscribe_hash: &unsubscribe_hash,
            created_at: now,
            confirmed_at: None,
        };
        if verified_user.is_some() {
            row.confirmed_at = Some(now);
            let id = q::insert(conn, &row)?;
            if let Some(sub) = q::by_id(conn, id)? {
                q::delete_same_target(conn, &sub)?;
            }
            return Ok(Subscribed::Active);
        }
        throttle::check(conn, &throttle::MAIL_ADDRESS, client, now)?;
        throttle::hit(conn, &throttle::MAIL_ADDRESS, client, now)?;
        if throttle::check(conn, &throttle::MAIL_RECIPIENT, &email, now).is_err() {
            return Ok(Subscribed::ConfirmationSent);
        }
        throttle::hit(conn, &throttle::MAIL_RECIPIENT, &email, now)?;
        let token = Token::generate();
        row.confirm_hash = Some(&token.hash);
        let id = q::insert(conn, &row)?;
        let mail = confirmation_mail(
            req.locale,
            &email,
            target,
            &links.confirm(&token.plain),
            format!("subscribe:{id}"),
        );
        mail::enqueue(conn, &mail, now)?;
        Ok(Subscribed::ConfirmationSent)
    })
}

/// Confirms the subscription a confirmation link was sent for; returns the page to go on to (the
/// consultation's, or the list of consultations).
pub fn confirm(
    conn: &mut DbConnection,
    token: &str,
    now: NaiveDateTime,
) -> Result<String, SubscriptionError> {
    db::transaction(conn, |conn| {
        let since = now - Duration::days(CONFIRM_DAYS);
        let sub = q::pending_by_confirm_hash(conn, &token_hash(token), since)?
            .ok_or(SubscriptionError::InvalidToken)?;
        if !q::confirm(conn, sub.id, now)? {
            return Err(SubscriptionError::InvalidToken);
        }
        q::delete_same_target(conn, &sub)?;
        match sub.consultation_id {
            Some(id) => {
                let c = db::consultations::by_id(conn, id)?.ok_or(SubscriptionError::NotFound)?;
                Ok(format!("/c/{}", c.slug))
            }
            None => Ok("/".to_owned()),
        }
    })
}

/// Ends the subscription an unsubscribe token belongs to; false when there is none (any more).
pub fn unsubscribe(conn: &mut DbConnection, token: &str) -> Result<bool, DbError> {
    db::transaction(conn, |conn| {
        match q::by_unsubscribe_hash(conn, &token_hash(token))? {
            Some(sub) => Ok(q::delete(conn, sub.id)?),
            None => Ok(false),
        }
    })
}

/// The subscriptions a signed-in user made or receives.
pub fn list(conn: &mut DbConnection, user: &User) -> Result<Vec<ListedRow>, DbError> {
    Ok(q::for_owner(conn, user.id, &user.email)?)
}

/// Ends subscription `id` for its owner: the account that made it or the address it goes to.
pub fn remove(conn: &mut DbConnection, user: &User, id: i32) -> Result<(), SubscriptionError> {
    db::transaction(conn, |conn| {
        let sub = q::by_id(conn, id)?
            .filter(|s| s.user_id == Some(user.id) || s.email == user.email)
            .ok_or(SubscriptionError::NotFound)?;
        q::delete(conn, sub.id)?;
        Ok(())
    })
}

/// Deletes subscriptions not confirmed within [`CONFIRM_DAYS`]; returns how many.
pub fn expire(conn: &mut DbConnection, now: NaiveDateTime) -> Result<usize, DbError> {
    Ok(q::delete_unconfirmed_before(
        conn,
        now - Duration::days(CONFIRM_DAYS),
    )?)
}

#[derive(Template)]
#[template(path = "mail/account_link.txt")]
struct ConfirmText<'a> {
    locale: Locale,
    greeting: String,
    intro: String,
    link: &'a str,
    expiry: String,
}

#[derive(Template)]
#[template(path = "mail/account_link.html")]
struct ConfirmHtml<'a> {
    locale: Locale,
    greeting: String,
    intro: String,
    action: String,
    link: &'a str,
    expiry: String,
}

/// The name of what `target` follows, in `locale`: the title and the article's label, or new
/// consultations and their filter.
pub fn target_name(locale: Locale, target: &Target) -> String {
    match &target.consultation {
        Some(c) => {
            let title = c.title_in(locale);
            match &target.article {
                Some((_, _, label)) => format!("{title} · {label}"),
                None => title.to_owned(),
            }
        }
        None => new_consultations_name(locale, target.topic.as_deref(), target.tier),
    }
}

/// "New consultations", with the topic and tier they are limited to.
pub fn new_consultations_name(
    locale: Locale,
    topic: Option<&str>,
    tier: Option<RiskTier>,
) -> String {
    let mut name = locale.t("subscription-new-consultations");
    if let Some(t) = tier {
        name.push_str(" · ");
        name.push_str(&locale.t(&format!("tier-{}", t.as_str())));
    }
    if let Some(t) = topic {
        name.push_str(" · ");
        name.push_str(t);
    }
    name
}

fn confirmation_mail(
    l: Locale,
    to: &str,
    target: &Target,
    link: &str,
    key: String,
) -> OutgoingMail {
    use fluent_templates::fluent_bundle::FluentValue;
    let intro = l.t_args(
        "mail-subscribe-intro",
        &[("target", FluentValue::from(target_name(l, target)))],
    );
    let greeting = l.t("mail-subscribe-greeting");
    let expiry = l.t("mail-subscribe-expiry");
    let text = ConfirmText {
        locale: l,
        greeting: greeting.clone(),
        intro: intro.clone(),
        link,
        expiry: expiry.clone(),
    }
    .render();
    let html = ConfirmHtml {
        locale: l,
        greeting,
        intro,
        action: l.t("mail-subscribe-action"),
        link,
        expiry,
    }
    .render();
    OutgoingMail {
        key,
        to: to.to_owned(),
        subject: l.t("mail-subscribe-subject"),
        // Rendering fills fields into fixed text; if it ever failed, the link alone still works.
        text: text.unwrap_or_else(|_| link.to_owned()),
        html: html.unwrap_or_else(|_| link.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frequencies_round_trip() {
        for f in Frequency::ALL {
            assert_eq!(Frequency::parse(f.as_str()), Some(f));
        }
        assert_eq!(Frequency::parse("hourly"), None);
    }

    #[test]
    fn unsubscribe_tokens_depend_on_key_and_nonce_and_look_like_link_tokens() {
        let key = SecretKey::parse(&"k".repeat(40)).expect("key");
        let other = SecretKey::parse(&"j".repeat(40)).expect("key");
        let t = unsubscribe_token(&key, "n1");
        assert_eq!(t.len(), 64);
        assert!(t.bytes().all(|b| b.is_ascii_hexdigit()));
        assert_ne!(t, unsubscribe_token(&key, "n2"));
        assert_ne!(t, unsubscribe_token(&other, "n1"));
        assert!(!t.contains("n1"));
    }
}
