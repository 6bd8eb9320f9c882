//! The mails accounts send, rendered in the recipient's language (subject, text and HTML parts).

use askama::Template;
use fluent_templates::fluent_bundle::FluentValue;

use super::User;
use crate::i18n::Locale;
use crate::mail::OutgoingMail;

#[derive(Template)]
#[template(path = "mail/account_link.txt")]
struct LinkText<'a> {
    locale: Locale,
    greeting: String,
    intro: String,
    link: &'a str,
    expiry: String,
}

#[derive(Template)]
#[template(path = "mail/account_link.html")]
struct LinkHtml<'a> {
    locale: Locale,
    greeting: String,
    intro: String,
    action: String,
    link: &'a str,
    expiry: String,
}

fn link_mail(user: &User, link: &str, key: String, kind: &str) -> OutgoingMail {
    let l = user.locale;
    let intro = l.t(&format!("mail-{kind}-intro"));
    let expiry = l.t(&format!("mail-{kind}-expiry"));
    let greeting = l.t_args(
        "mail-greeting",
        &[("name", FluentValue::from(user.display_name.clone()))],
    );
    let text = LinkText {
        locale: l,
        greeting: greeting.clone(),
        intro: intro.clone(),
        link,
        expiry: expiry.clone(),
    }
    .render();
    let html = LinkHtml {
        locale: l,
        greeting,
        intro,
        action: l.t(&format!("mail-{kind}-action")),
        link,
        expiry,
    }
    .render();
    OutgoingMail {
        key,
        to: user.email.clone(),
        subject: l.t(&format!("mail-{kind}-subject")),
        // Rendering fills fields into fixed text; it cannot fail on this data, but if it ever did
        // the link alone still lets the person act.
        text: text.unwrap_or_else(|_| link.to_owned()),
        html: html.unwrap_or_else(|_| link.to_owned()),
    }
}

/// The mail with the e-mail verification link; `token_hash` makes its outbox key unique.
pub fn verification(user: &User, link: &str, token_hash: &str) -> OutgoingMail {
    link_mail(
        user,
        link,
        format!("verify:{}:{token_hash}", user.id),
        "verify",
    )
}

/// The mail with the password reset link.
pub fn password_reset(user: &User, link: &str, token_hash: &str) -> OutgoingMail {
    link_mail(
        user,
        link,
        format!("reset:{}:{token_hash}", user.id),
        "reset",
    )
}
