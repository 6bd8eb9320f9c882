//! The receipt mail: what was recorded, under which number, and how to say "this was not me".

use askama::Template;
use chrono::NaiveDateTime;
use fluent_templates::fluent_bundle::FluentValue;

use super::{Stance, Visibility};
use crate::accounts::User;
use crate::i18n::Locale;
use crate::mail::OutgoingMail;

/// The facts a receipt mail states.
pub struct Receipt<'a> {
    /// The author.
    pub user: &'a User,
    /// The consultation's title in the author's language.
    pub consultation_title: &'a str,
    /// The article's label (empty for the whole draft).
    pub article_label: &'a str,
    /// The tracking number.
    pub tracking: &'a str,
    /// SHA-256 of the recorded content.
    pub content_hash: &'a str,
    /// The stance, for comments.
    pub stance: Option<Stance>,
    /// Who may read it.
    pub visibility: Visibility,
    /// When it was recorded (UTC).
    pub posted_at: NaiveDateTime,
    /// The receipt page.
    pub receipt_url: String,
    /// The "this was not me" link.
    pub dispute_url: String,
}

#[derive(Template)]
#[template(path = "mail/receipt.txt")]
struct ReceiptText<'a> {
    locale: Locale,
    greeting: String,
    r: &'a Receipt<'a>,
    when: String,
    stance: String,
    visibility: String,
}

#[derive(Template)]
#[template(path = "mail/receipt.html")]
struct ReceiptHtml<'a> {
    locale: Locale,
    greeting: String,
    r: &'a Receipt<'a>,
    when: String,
    stance: String,
    visibility: String,
}

impl Receipt<'_> {
    /// Renders the mail in the author's language; its outbox key is the tracking number.
    pub fn render(&self) -> OutgoingMail {
        let l = self.user.locale;
        let greeting = l.t_args(
            "mail-greeting",
            &[("name", FluentValue::from(self.user.display_name.clone()))],
        );
        let when = l.datetime(&self.posted_at);
        let stance = self
            .stance
            .map(|s| l.t(&format!("stance-{}", s.as_str())))
            .unwrap_or_else(|| l.t("comment-reply"));
        let visibility = l.t(&format!("visibility-{}", self.visibility.as_str()));
        let text = ReceiptText {
            locale: l,
            greeting: greeting.clone(),
            r: self,
            when: when.clone(),
            stance: stance.clone(),
            visibility: visibility.clone(),
        }
        .render();
        let html = ReceiptHtml {
            locale: l,
            greeting,
            r: self,
            when,
            stance,
            visibility,
        }
        .render();
        OutgoingMail {
            key: format!("receipt:{}", self.tracking),
            to: self.user.email.clone(),
            subject: l.t_args(
                "mail-receipt-subject",
                &[("tracking", FluentValue::from(self.tracking.to_owned()))],
            ),
            // Rendering fills fields into fixed text; should it ever fail, the links still carry the facts.
            text: text.unwrap_or_else(|_| format!("{}\n{}", self.receipt_url, self.dispute_url)),
            html: html.unwrap_or_else(|_| format!("{}<br>{}", self.receipt_url, self.dispute_url)),
        }
    }
}
