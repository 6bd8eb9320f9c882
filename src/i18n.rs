//! The one lookup for user-visible text: Fluent resources under `src/i18n/`, zh-CN first.

use std::borrow::Cow;
use std::collections::HashMap;

use chrono::{FixedOffset, NaiveDateTime, Offset, TimeZone, Utc};
use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader, langid, static_loader};

static_loader! {
    static LOCALES = {
        locales: "./src/i18n",
        fallback_language: "zh-CN",
        // Isolation marks around arguments would show up in plain-text mails and titles.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

static ZH_CN: LanguageIdentifier = langid!("zh-CN");
static EN: LanguageIdentifier = langid!("en");

/// A language the interface speaks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Locale {
    /// Simplified Chinese, the default.
    #[default]
    ZhCn,
    /// English.
    En,
}

impl Locale {
    /// Every supported locale, the default first.
    pub const ALL: [Self; 2] = [Self::ZhCn, Self::En];

    /// The BCP 47 tag, as used in `<html lang>`, `?lang=` and the cookie.
    pub fn tag(self) -> &'static str {
        match self {
            Self::ZhCn => "zh-CN",
            Self::En => "en",
        }
    }

    /// Parses a tag loosely: `zh`, `zh-cn`, `zh-Hans`, `en-GB` and the like.
    pub fn from_tag(tag: &str) -> Option<Self> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "zh" => Some(Self::ZhCn),
            "en" => Some(Self::En),
            _ => None,
        }
    }

    /// Picks the best supported language from an `Accept-Language` header, honouring q-values.
    pub fn negotiate(accept_language: &str) -> Option<Self> {
        let mut best: Option<(f32, Self)> = None;
        for part in accept_language.split(',') {
            let mut pieces = part.split(';');
            let Some(locale) = pieces.next().and_then(Self::from_tag) else {
                continue;
            };
            let q = pieces
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            if q > 0.0 && best.is_none_or(|(bq, _)| q > bq) {
                best = Some((q, locale));
            }
        }
        best.map(|(_, l)| l)
    }

    /// The language the switch link offers.
    pub fn other(self) -> Self {
        match self {
            Self::ZhCn => Self::En,
            Self::En => Self::ZhCn,
        }
    }

    fn id(self) -> &'static LanguageIdentifier {
        match self {
            Self::ZhCn => &ZH_CN,
            Self::En => &EN,
        }
    }

    /// The text for `key`.
    pub fn t(self, key: &str) -> String {
        LOCALES.lookup(self.id(), key)
    }

    /// The text for `key` with named arguments.
    pub fn t_args(self, key: &str, args: &[(&'static str, FluentValue<'static>)]) -> String {
        let args: HashMap<Cow<'static, str>, FluentValue<'static>> = args
            .iter()
            .map(|(k, v)| (Cow::Borrowed(*k), v.clone()))
            .collect();
        LOCALES.lookup_with_args(self.id(), key, &args)
    }

    /// A UTC time shown in Beijing time (UTC+8), the way each language writes dates.
    pub fn datetime(self, utc: &NaiveDateTime) -> String {
        let local = beijing().from_utc_datetime(utc);
        match self {
            Self::ZhCn => local.format("%Y年%-m月%-d日 %H:%M").to_string(),
            Self::En => local.format("%-d %b %Y, %H:%M (UTC+8)").to_string(),
        }
    }

    /// A UTC time's date in Beijing time.
    pub fn date(self, utc: &NaiveDateTime) -> String {
        let local = beijing().from_utc_datetime(utc);
        match self {
            Self::ZhCn => local.format("%Y年%-m月%-d日").to_string(),
            Self::En => local.format("%-d %b %Y").to_string(),
        }
    }
}

/// Asia/Shanghai, which has had no daylight saving since 1991.
pub fn beijing() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).unwrap_or_else(|| Utc.fix())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    #[test]
    fn accept_language_prefers_the_highest_quality_supported_language() {
        assert_eq!(Locale::negotiate("en-US,en;q=0.9"), Some(Locale::En));
        assert_eq!(
            Locale::negotiate("fr;q=1, en;q=0.5, zh-CN;q=0.8"),
            Some(Locale::ZhCn)
        );
        assert_eq!(Locale::negotiate("de, fr"), None);
        assert_eq!(Locale::negotiate("zh-Hans-CN"), Some(Locale::ZhCn));
        assert_eq!(Locale::negotiate("en;q=0"), None);
    }

    #[test]
    fn every_key_used_in_chinese_exists_in_english_and_back() {
        let keys = |src: &str| -> Vec<String> {
            src.lines()
                .filter_map(|l| l.split_once(" =").map(|(k, _)| k.trim().to_owned()))
                .filter(|k| !k.is_empty() && !k.starts_with('#') && !k.starts_with('.'))
                .collect()
        };
        let zh = keys(include_str!("i18n/zh-CN/main.ftl"));
        let en = keys(include_str!("i18n/en/main.ftl"));
        assert!(!zh.is_empty());
        for k in &zh {
            assert!(en.contains(k), "missing in en: {k}");
        }
        for k in &en {
            assert!(zh.contains(k), "missing in zh-CN: {k}");
        }
    }

    #[test]
    fn times_show_in_beijing_time() {
        let utc = NaiveDate::from_ymd_opt(2026, 11, 25)
            .and_then(|d| d.and_hms_opt(17, 30, 0))
            .expect("valid");
        assert_eq!(Locale::ZhCn.datetime(&utc), "2026年11月26日 01:30");
        assert_eq!(Locale::En.date(&utc), "26 Nov 2026");
    }
}
