//! Consultations: what is being consulted on, by whom, and when comments are accepted.

use chrono::NaiveDateTime;

use crate::i18n::Locale;

/// The risk tier of the rule's subject (分级分类).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RiskTier {
    /// 低风险.
    Low,
    /// 中风险.
    Medium,
    /// 高风险.
    High,
}

impl RiskTier {
    /// Every tier, lowest first.
    pub const ALL: [Self; 3] = [Self::Low, Self::Medium, Self::High];

    /// The stored and URL form.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Low => "low",
            Self::Medium => "medium",
            Self::High => "high",
        }
    }

    /// Parses the stored form, refusing anything else.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

/// Where a consultation stands, derived from the clock and its window.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// Published but not yet accepting comments.
    Upcoming,
    /// Accepting comments.
    Open,
    /// The window has ended.
    Closed,
}

impl Status {
    /// Every status, in the order a consultation passes through them.
    pub const ALL: [Self; 3] = [Self::Upcoming, Self::Open, Self::Closed];

    /// The URL form.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Upcoming => "upcoming",
            Self::Open => "open",
            Self::Closed => "closed",
        }
    }

    /// Parses the URL form.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
    }

    /// The status at `now` of a window `[opens_at, closes_at)`.
    pub fn at(now: NaiveDateTime, opens_at: NaiveDateTime, closes_at: NaiveDateTime) -> Self {
        if now < opens_at {
            Self::Upcoming
        } else if now < closes_at {
            Self::Open
        } else {
            Self::Closed
        }
    }
}

/// A consultation as stored.
#[derive(Clone, Debug)]
pub struct Consultation {
    /// Row id.
    pub id: i32,
    /// URL name, unique.
    pub slug: String,
    /// Title in Chinese.
    pub title: String,
    /// Title in English, when given.
    pub title_en: Option<String>,
    /// Issuing body (发布机关).
    pub issuer: String,
    /// Issuing body in English, when given.
    pub issuer_en: Option<String>,
    /// Short summary in Chinese.
    pub summary: String,
    /// Short summary in English, when given.
    pub summary_en: Option<String>,
    /// Risk tier of the regulated subject.
    pub risk_tier: RiskTier,
    /// Topic tags.
    pub topics: Vec<String>,
    /// A demonstration, not a real consultation.
    pub is_demo: bool,
    /// Start of the comment window (UTC).
    pub opens_at: NaiveDateTime,
    /// End of the comment window (UTC, exclusive).
    pub closes_at: NaiveDateTime,
    /// The draft version readers see.
    pub current_version_id: Option<i32>,
}

impl Consultation {
    /// The status at `now`.
    pub fn status(&self, now: NaiveDateTime) -> Status {
        Status::at(now, self.opens_at, self.closes_at)
    }

    /// The title in `locale`, falling back to the Chinese original.
    pub fn title_in(&self, locale: Locale) -> &str {
        pick(locale, &self.title, self.title_en.as_deref())
    }

    /// The issuing body in `locale`, falling back to the Chinese original.
    pub fn issuer_in(&self, locale: Locale) -> &str {
        pick(locale, &self.issuer, self.issuer_en.as_deref())
    }

    /// The summary in `locale`, falling back to the Chinese original.
    pub fn summary_in(&self, locale: Locale) -> &str {
        pick(locale, &self.summary, self.summary_en.as_deref())
    }
}

fn pick<'a>(locale: Locale, zh: &'a str, en: Option<&'a str>) -> &'a str {
    match (locale, en) {
        (Locale::En, Some(en)) if !en.is_empty() => en,
        _ => zh,
    }
}

/// Which consultations a listing shows.
#[derive(Clone, Copy, Debug, Default)]
pub struct ListFilter {
    /// Only those with this status.
    pub status: Option<Status>,
    /// Only those of this tier.
    pub tier: Option<RiskTier>,
}

/// A consultation's URL name: lowercase ASCII letters, digits and inner hyphens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Slug(String);

impl Slug {
    /// Longest accepted slug.
    pub const MAX_LEN: usize = 64;

    /// Validates a slug, saying what is wrong.
    pub fn parse(raw: &str) -> Result<Self, String> {
        if raw.is_empty() || raw.len() > Self::MAX_LEN {
            return Err(format!("must be 1 to {} characters", Self::MAX_LEN));
        }
        if !raw
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            return Err("may contain only a-z, 0-9 and '-'".into());
        }
        if raw.starts_with('-') || raw.ends_with('-') || raw.contains("--") {
            return Err("may not start or end with '-' or contain '--'".into());
        }
        Ok(Self(raw.to_owned()))
    }

    /// The slug text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn at(d: u32, h: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 11, d)
            .and_then(|d| d.and_hms_opt(h, 0, 0))
            .expect("valid date")
    }

    #[test]
    fn status_follows_the_window() {
        let (opens, closes) = (at(10, 0), at(20, 0));
        assert_eq!(Status::at(at(9, 23), opens, closes), Status::Upcoming);
        assert_eq!(Status::at(opens, opens, closes), Status::Open);
        assert_eq!(Status::at(at(19, 23), opens, closes), Status::Open);
        assert_eq!(Status::at(closes, opens, closes), Status::Closed);
    }

    #[test]
    fn slugs_are_url_safe() {
        assert!(Slug::parse("ai-safety-2026").is_ok());
        for bad in [
            "",
            "AI",
            "a b",
            "-a",
            "a-",
            "a--b",
            "人工智能",
            &"a".repeat(65),
        ] {
            assert!(Slug::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn tiers_and_statuses_round_trip_and_refuse_unknown_values() {
        for t in RiskTier::ALL {
            assert_eq!(RiskTier::parse(t.as_str()), Some(t));
        }
        for s in Status::ALL {
            assert_eq!(Status::parse(s.as_str()), Some(s));
        }
        assert_eq!(RiskTier::parse("extreme"), None);
        assert_eq!(Status::parse("concluded"), None);
    }
}
