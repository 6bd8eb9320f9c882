//! Consultations: what is being consulted on, by whom, and when comments are accepted.

use chrono::{NaiveDateTime, TimeZone};

use crate::i18n::Locale;
use crate::validation::{FieldError, optional_text, required_text};

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
    /// The window has ended and the drafters have answered every commented article.
    Concluded,
}

impl Status {
    /// Every status, in the order a consultation passes through them.
    pub const ALL: [Self; 4] = [Self::Upcoming, Self::Open, Self::Closed, Self::Concluded];

    /// The URL form.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Upcoming => "upcoming",
            Self::Open => "open",
            Self::Closed => "closed",
            Self::Concluded => "concluded",
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
    /// When the drafters concluded it, having answered every commented article.
    pub concluded_at: Option<NaiveDateTime>,
}

impl Consultation {
    /// The status at `now`.
    pub fn status(&self, now: NaiveDateTime) -> Status {
        match self.concluded_at {
            Some(_) => Status::Concluded,
            None => Status::at(now, self.opens_at, self.closes_at),
        }
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

/// Longest title, in characters.
pub const MAX_TITLE_CHARS: usize = 200;
/// Longest issuing body, in characters.
pub const MAX_ISSUER_CHARS: usize = 100;
/// Longest summary, in characters.
pub const MAX_SUMMARY_CHARS: usize = 2000;
/// Most topic tags.
pub const MAX_TOPICS: usize = 10;
/// Longest topic tag, in characters.
pub const MAX_TOPIC_CHARS: usize = 20;

/// The descriptive fields and window of a consultation, as an administrator edits them.
#[derive(Clone, Debug)]
pub struct ConsultationEdit {
    /// Title.
    pub title: String,
    /// Title in English.
    pub title_en: Option<String>,
    /// Issuing body.
    pub issuer: String,
    /// Issuing body in English.
    pub issuer_en: Option<String>,
    /// Summary.
    pub summary: String,
    /// Summary in English.
    pub summary_en: Option<String>,
    /// Risk tier.
    pub risk_tier: RiskTier,
    /// Topic tags.
    pub topics: Vec<String>,
    /// Start of the window (UTC).
    pub opens_at: NaiveDateTime,
    /// End of the window (UTC).
    pub closes_at: NaiveDateTime,
}

/// The consultation form as typed.
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct ConsultationInput {
    /// Title (may be empty on creation: the draft's first line is used).
    pub title: String,
    /// Title in English.
    pub title_en: String,
    /// Issuing body.
    pub issuer: String,
    /// Issuing body in English.
    pub issuer_en: String,
    /// Summary.
    pub summary: String,
    /// Summary in English.
    pub summary_en: String,
    /// Risk tier.
    pub risk_tier: String,
    /// Topic tags separated by commas (ASCII or full-width) or 、.
    pub topics: String,
    /// First day, YYYY-MM-DD.
    pub opens: String,
    /// Last day, YYYY-MM-DD.
    pub closes: String,
}

impl ConsultationInput {
    /// The form filled from a stored consultation.
    pub fn from_consultation(c: &Consultation) -> Self {
        Self {
            title: c.title.clone(),
            title_en: c.title_en.clone().unwrap_or_default(),
            issuer: c.issuer.clone(),
            issuer_en: c.issuer_en.clone().unwrap_or_default(),
            summary: c.summary.clone(),
            summary_en: c.summary_en.clone().unwrap_or_default(),
            risk_tier: c.risk_tier.as_str().into(),
            topics: c.topics.join(", "),
            opens: day_of(c.opens_at, false),
            closes: day_of(c.closes_at, true),
        }
    }

    /// Validates every field; `title_fallback` stands in for an empty title (a draft's first line).
    pub fn validate(
        &self,
        title_fallback: Option<&str>,
    ) -> Result<ConsultationEdit, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut ok =
            |r: Result<String, FieldError>| r.map_err(|e| errors.push(e)).unwrap_or_default();
        let title = match (self.title.trim().is_empty(), title_fallback) {
            (true, Some(fallback)) => fallback.to_owned(),
            _ => ok(required_text("title", &self.title, MAX_TITLE_CHARS)),
        };
        let issuer = ok(required_text("issuer", &self.issuer, MAX_ISSUER_CHARS));
        let mut opt = |field, raw: &str, max| {
            optional_text(field, raw, max)
                .map_err(|e| errors.push(e))
                .unwrap_or_default()
        };
        let title_en = opt("title_en", &self.title_en, MAX_TITLE_CHARS);
        let issuer_en = opt("issuer_en", &self.issuer_en, MAX_ISSUER_CHARS);
        let summary = opt("summary", &self.summary, MAX_SUMMARY_CHARS).unwrap_or_default();
        let summary_en = opt("summary_en", &self.summary_en, MAX_SUMMARY_CHARS);
        let risk_tier = RiskTier::parse(&self.risk_tier);
        if risk_tier.is_none() {
            errors.push(FieldError::new("risk_tier", "tier-invalid"));
        }
        let topics: Vec<String> = self
            .topics
            .split([',', '，', '、'])
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
            .collect();
        if topics.len() > MAX_TOPICS
            || topics
                .iter()
                .any(|t| t.chars().count() > MAX_TOPIC_CHARS || t.chars().any(char::is_control))
        {
            errors.push(FieldError::new("topics", "topics-invalid"));
        }
        let opens_at = parse_day(&self.opens, false)
            .map_err(|_| errors.push(FieldError::new("opens", "date-invalid")))
            .ok();
        let closes_at = parse_day(&self.closes, true)
            .map_err(|_| errors.push(FieldError::new("closes", "date-invalid")))
            .ok();
        if let (Some(o), Some(c)) = (opens_at, closes_at)
            && c <= o
        {
            errors.push(FieldError::new("closes", "window-empty"));
        }
        match (risk_tier, opens_at, closes_at) {
            (Some(risk_tier), Some(opens_at), Some(closes_at)) if errors.is_empty() => {
                Ok(ConsultationEdit {
                    title,
                    title_en,
                    issuer,
                    issuer_en,
                    summary,
                    summary_en,
                    risk_tier,
                    topics,
                    opens_at,
                    closes_at,
                })
            }
            _ => Err(errors),
        }
    }
}

/// Saves an edit of consultation `id`.
pub fn update(
    conn: &mut crate::db::DbConnection,
    id: i32,
    edit: &ConsultationEdit,
) -> Result<(), crate::db::DbError> {
    Ok(crate::db::consultations::update(conn, id, edit)?)
}

/// Parses a day (`YYYY-MM-DD`, Beijing time) or an RFC 3339 time into UTC. With `end_of_day`
/// a bare day means the following midnight, so that the named day is included.
pub fn parse_day(s: &str, end_of_day: bool) -> Result<NaiveDateTime, String> {
    let s = s.trim();
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
        return Ok(t.naive_utc());
    }
    let date = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| {
        "expected YYYY-MM-DD or an RFC 3339 time such as 2026-12-01T09:00:00+08:00".to_string()
    })?;
    let date = if end_of_day {
        date.succ_opt()
            .ok_or_else(|| "date out of range".to_string())?
    } else {
        date
    };
    crate::i18n::beijing()
        .from_local_datetime(&date.and_time(chrono::NaiveTime::MIN))
        .single()
        .map(|t| t.naive_utc())
        .ok_or_else(|| "not a valid time in Beijing".into())
}

/// The Beijing date of a UTC time, as `YYYY-MM-DD`; for a window's end, the last day included.
pub fn day_of(t: NaiveDateTime, end_of_day: bool) -> String {
    let local = crate::i18n::beijing().from_utc_datetime(&t);
    let local = if end_of_day {
        local - chrono::Duration::seconds(1)
    } else {
        local
    };
    local.format("%Y-%m-%d").to_string()
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
    fn days_are_beijing_days_and_a_closing_day_is_included() {
        let opens = parse_day("2026-12-01", false).expect("valid");
        let closes = parse_day("2026-12-31", true).expect("valid");
        assert_eq!(opens.to_string(), "2026-11-30 16:00:00");
        assert_eq!(closes.to_string(), "2026-12-31 16:00:00");
        assert_eq!(day_of(opens, false), "2026-12-01");
        assert_eq!(day_of(closes, true), "2026-12-31");
        assert!(parse_day("2026-13-01", false).is_err());
        assert!(parse_day("next week", true).is_err());
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
        assert_eq!(Status::parse("concluded"), Some(Status::Concluded));
        assert_eq!(Status::parse("finished"), None);
    }
}
