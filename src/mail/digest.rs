//! Digests: per period, one mail per confirmed subscription that has something to report, queued
//! in the outbox under `digest:{subscription}:{period}` so that a second run of the same period,
//! or two instances running it at once, queue it once.
//!
//! What a digest reports is gathered once per followed target (a consultation or one article) in
//! [`Activity`] and rendered once per target and language; each subscriber's mail only wraps that
//! body with its own unsubscribe link. A new kind of news (drafters' responses, new versions) is
//! one more field of [`Activity`] with its query, and one more block in `mail/digest_body.*`.

use std::collections::{HashMap, HashSet};
use std::time::Duration as StdDuration;

use askama::Template;
use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, TimeZone};
use fluent_templates::fluent_bundle::FluentValue;

use super::OutgoingMail;
use crate::accounts::StakeholderType;
use crate::comments::Stance;
use crate::consultations::{Consultation, RiskTier};
use crate::db::subscriptions::{self as q, QuotedRow, TargetKey};
use crate::db::{self, DbConnection, DbError, DbPool};
use crate::i18n::{Locale, beijing};
use crate::responses::Response;
use crate::subscriptions::{self, Frequency, Links};
use crate::tasks::{Periodic, Schedule};

/// Comments quoted per digest section: the most endorsed of the period.
const QUOTED: i64 = 3;
/// Characters of a quoted comment.
const EXCERPT_CHARS: usize = 140;
/// Subscriptions rendered and queued per transaction.
const PAGE: i64 = 1000;
/// How long before the end of a comment window a digest warns that it closes.
const CLOSING_NOTICE: Duration = Duration::days(3);
/// How often the server's scheduler looks for a finished period.
const SCHEDULE: StdDuration = StdDuration::from_secs(10 * 60);

/// One digest period: a Beijing calendar day or ISO week, as UTC bounds `[start, end)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Period {
    /// Daily or weekly.
    pub frequency: Frequency,
    /// First moment (UTC).
    pub start: NaiveDateTime,
    /// First moment after it (UTC).
    pub end: NaiveDateTime,
    /// Its name in outbox keys: `2026-11-25` or `2026-W48`.
    pub label: String,
}

impl Period {
    /// The period of `frequency` that contains the UTC time `at`.
    pub fn containing(frequency: Frequency, at: NaiveDateTime) -> Self {
        // Asia/Shanghai has kept UTC+8 all year since 1991: a fixed offset gives the same day
        // boundaries as the time-zone database, without shipping it.
        let day = beijing().from_utc_datetime(&at).date_naive();
        let (first, days, label) = match frequency {
            Frequency::Daily => (day, 1, day.format("%Y-%m-%d").to_string()),
            Frequency::Weekly => {
                let week = day.iso_week();
                let monday = day - Duration::days(i64::from(day.weekday().num_days_from_monday()));
                (monday, 7, format!("{}-W{:02}", week.year(), week.week()))
            }
        };
        let start = utc_midnight(first);
        Self {
            frequency,
            start,
            end: start + Duration::days(days),
            label,
        }
    }

    /// The last period of `frequency` that has ended at `now`: the one a run sends.
    pub fn last_finished(frequency: Frequency, now: NaiveDateTime) -> Self {
        let current = Self::containing(frequency, now);
        Self::containing(frequency, current.start - Duration::seconds(1))
    }

    /// The outbox key of subscription `id`'s digest for this period.
    pub fn key(&self, id: i32) -> String {
        format!("digest:{id}:{}", self.label)
    }

    /// The period as readers name it: a date, or the first and last day of a week.
    fn shown(&self, l: Locale) -> String {
        let last = self.end - Duration::seconds(1);
        match self.frequency {
            Frequency::Daily => l.date(&self.start),
            Frequency::Weekly => format!("{} – {}", l.date(&self.start), l.date(&last)),
        }
    }
}

/// Beijing midnight at the start of `day`, in UTC.
fn utc_midnight(day: NaiveDate) -> NaiveDateTime {
    day.and_hms_opt(0, 0, 0).unwrap_or_default() - Duration::hours(8)
}

/// The new comments of a period on one target.
#[derive(Clone, Debug, Default)]
pub struct CommentNews {
    /// How many.
    pub total: i64,
    /// How many per stance, in the order forms list stances; `None`: no stance.
    pub by_stance: Vec<(Option<Stance>, i64)>,
    /// How many per stakeholder type, in the order forms list types.
    pub by_type: Vec<(StakeholderType, i64)>,
    /// The most endorsed few.
    pub quoted: Vec<QuotedRow>,
}

/// What happened to one followed target in one period.
#[derive(Clone, Debug, Default)]
pub struct Activity {
    /// The comment window opened.
    pub opened: bool,
    /// The window closes at this time, within [`CLOSING_NOTICE`] of the period's end.
    pub closing: Option<NaiveDateTime>,
    /// The window closed.
    pub closed: bool,
    /// New public comments, when there are any.
    pub comments: Option<CommentNews>,
    /// The drafters concluded the consultation: its feedback report is final.
    pub concluded: bool,
    /// The revised versions published.
    pub new_versions: Vec<NewVersion>,
    /// Responses published or changed, with their article's number and label.
    pub responses: Vec<(Response, Option<(i32, String)>)>,
    /// Consultations created in the period (for subscriptions to new consultations).
    pub new_consultations: Vec<Consultation>,
}

/// A revised version, and for a subscription to one article whether it changed that article.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewVersion {
    /// The version's number.
    pub number: i32,
    /// For an article subscription: the anchor of the followed article's change on the
    /// version's changes page, `None` when the version left it as it was.
    pub article_change: Option<Option<String>>,
}

impl Activity {
    /// Gathers the activity of `c` (or of its article `article_id`) in `period`.
    pub fn load(
        conn: &mut DbConnection,
        c: &Consultation,
        article_id: Option<i32>,
        period: &Period,
    ) -> Result<Self, DbError> {
        let within = |t: NaiveDateTime| period.start <= t && t < period.end;
        let (s, e) = (period.start, period.end);
        let total_by_stance = q::counts_by_stance(conn, c.id, article_id, s, e)?;
        let total: i64 = total_by_stance.iter().map(|(_, n)| n).sum();
        let comments = if total == 0 {
            None
        } else {
            let mut by_stance: Vec<(Option<Stance>, i64)> = total_by_stance
                .into_iter()
                .map(|(st, n)| (st.as_deref().and_then(Stance::parse), n))
                .collect();
            by_stance.sort_by_key(|(st, _)| {
                st.and_then(|x| Stance::ALL.iter().position(|y| *y == x))
                    .unwrap_or(usize::MAX)
            });
            let mut by_type: Vec<(StakeholderType, i64)> =
                q::counts_by_type(conn, c.id, article_id, s, e)?
                    .into_iter()
                    .filter_map(|(t, n)| StakeholderType::parse(&t).map(|t| (t, n)))
                    .collect();
            by_type.sort_by_key(|(t, _)| StakeholderType::ALL.iter().position(|x| x == t));
            Some(CommentNews {
                total,
                by_stance,
                by_type,
                quoted: q::most_endorsed(conn, c.id, article_id, s, e, QUOTED)?,
            })
        };
        let responses = db::responses::changed_between(conn, c.id, article_id, s, e)?
            .into_iter()
            .map(|(row, article)| Ok((Response::try_from(row)?, article)))
            .collect::<Result<_, DbError>>()?;
        let followed_key = match article_id {
            Some(id) => db::drafts::article_stable_key(conn, id)?,
            None => None,
        };
        let mut new_versions = Vec::new();
        for (number, _, _) in db::versions::history(conn, c.id)?
            .into_iter()
            .filter(|(n, _, at)| *n > 1 && within(*at))
        {
            let article_change = match &followed_key {
                Some(key) => Some(crate::versions::changes(conn, c.id, number)?.and_then(
                    |changes| {
                        changes
                            .articles
                            .into_iter()
                            .find_map(|a| a.anchor_if_follows(key))
                    },
                )),
                None => None,
            };
            new_versions.push(NewVersion {
                number,
                article_change,
            });
        }
        Ok(Self {
            new_versions,
            concluded: c.concluded_at.is_some_and(within),
            responses,
            opened: within(c.opens_at),
            closing: (within(c.closes_at - CLOSING_NOTICE) && c.closes_at >= period.end)
                .then_some(c.closes_at),
            closed: within(c.closes_at),
            comments,
            new_consultations: Vec::new(),
        })
    }

    /// Gathers the consultations created in `period`, only those with topic tag `topic` or of
    /// risk tier `tier` when given.
    pub fn load_new(
        conn: &mut DbConnection,
        topic: Option<&str>,
        tier: Option<RiskTier>,
        period: &Period,
    ) -> Result<Self, DbError> {
        let new_consultations = db::consultations::created_between(conn, period.start, period.end)?
            .into_iter()
            .filter(|c| tier.is_none_or(|t| c.risk_tier == t))
            .filter(|c| topic.is_none_or(|t| c.topics.iter().any(|x| x == t)))
            .collect();
        Ok(Self {
            new_consultations,
            ..Self::default()
        })
    }

    /// Nothing to report: no mail.
    pub fn is_empty(&self) -> bool {
        !self.opened
            && self.closing.is_none()
            && !self.closed
            && self.comments.is_none()
            && !self.concluded
            && self.new_versions.is_empty()
            && self.responses.is_empty()
            && self.new_consultations.is_empty()
    }
}

/// A line of figures: a name and a count.
struct Figure {
    name: String,
    count: i64,
}

/// A new consultation as the mail lists it.
struct Announced {
    title: String,
    issuer: String,
    window: String,
    link: String,
}

/// A drafters' response as the mail shows it.
struct Answer {
    place: String,
    decision: String,
    excerpt: String,
    link: String,
}

/// A quoted comment as the mail shows it.
struct Quote {
    place: String,
    stance: String,
    excerpt: String,
    endorsements: String,
    link: String,
}

#[derive(Template)]
#[template(path = "mail/digest_body.txt")]
struct BodyText<'a> {
    b: &'a Body,
}

#[derive(Template)]
#[template(path = "mail/digest_body.html")]
struct BodyHtml<'a> {
    b: &'a Body,
}

/// One target's section, translated once per language.
struct Body {
    locale: Locale,
    name: String,
    link: String,
    notes: Vec<String>,
    comments_total: Option<String>,
    by_stance: Vec<Figure>,
    by_type: Vec<Figure>,
    quotes: Vec<Quote>,
    answers: Vec<Answer>,
    new_consultations: Vec<Announced>,
}

#[derive(Template)]
#[template(path = "mail/digest.txt")]
struct MailText<'a> {
    locale: Locale,
    heading: &'a str,
    body: &'a str,
    unsubscribe: &'a str,
    manage: &'a str,
}

#[derive(Template)]
#[template(path = "mail/digest.html")]
struct MailHtml<'a> {
    locale: Locale,
    heading: &'a str,
    body: &'a str,
    unsubscribe: &'a str,
    manage: &'a str,
}

/// A target's section rendered in one language: subject, heading and both body parts.
struct Rendered {
    subject: String,
    heading: String,
    text: String,
    html: String,
}

/// A followed target with something to report.
struct Newsworthy {
    /// `None`: new consultations.
    consultation: Option<Consultation>,
    article: Option<(i32, String)>,
    topic: Option<String>,
    tier: Option<RiskTier>,
    activity: Activity,
}

impl Newsworthy {
    fn name(&self, l: Locale) -> String {
        let Some(c) = &self.consultation else {
            return subscriptions::new_consultations_name(l, self.topic.as_deref(), self.tier);
        };
        let title = c.title_in(l);
        match &self.article {
            Some((_, label)) => format!("{title} · {label}"),
            None => title.to_owned(),
        }
    }

    fn render(&self, l: Locale, period: &Period, links: &Links) -> Result<Rendered, DbError> {
        let slug = self
            .consultation
            .as_ref()
            .map(|c| c.slug.as_str())
            .unwrap_or_default();
        let link = match (&self.consultation, &self.article) {
            (None, _) => links.page("/"),
            (Some(_), Some((n, _))) => links.page(&format!("/c/{slug}/a/{n}")),
            (Some(_), None) => links.page(&format!("/c/{slug}")),
        };
        let a = &self.activity;
        let mut notes = Vec::new();
        if a.opened {
            notes.push(l.t("digest-opened"));
        }
        if let Some(at) = a.closing {
            notes.push(l.t_args(
                "digest-closing",
                &[("time", FluentValue::from(l.datetime(&at)))],
            ));
        }
        if a.closed {
            notes.push(l.t("digest-closed"));
        }
        for v in &a.new_versions {
            let page = format!("/c/{slug}/versions/{}/changes", v.number);
            let (key, link) = match &v.article_change {
                None => ("digest-new-version", links.page(&page)),
                Some(Some(anchor)) => (
                    "digest-new-version-article-changed",
                    links.page_at(&page, anchor),
                ),
                Some(None) => ("digest-new-version-article-unchanged", links.page(&page)),
            };
            notes.push(l.t_args(
                key,
                &[
                    ("n", FluentValue::from(v.number)),
                    ("link", FluentValue::from(link)),
                ],
            ));
        }
        if a.concluded {
            notes.push(l.t("digest-concluded"));
        }
        let count = |key: &str, n: i64| l.t_args(key, &[("n", FluentValue::from(n))]);
        let body = Body {
            locale: l,
            name: self.name(l),
            link,
            notes,
            comments_total: a
                .comments
                .as_ref()
                .map(|c| count("digest-comments-total", c.total)),
            by_stance: a
                .comments
                .iter()
                .flat_map(|c| &c.by_stance)
                .map(|(s, n)| Figure {
                    name: match s {
                        Some(s) => l.t(&format!("stance-{}", s.as_str())),
                        None => l.t("digest-no-stance"),
                    },
                    count: *n,
                })
                .collect(),
            by_type: a
                .comments
                .iter()
                .flat_map(|c| &c.by_type)
                .map(|(t, n)| Figure {
                    name: l.t(&format!("stakeholder-{}", t.as_str().replace('_', "-"))),
                    count: *n,
                })
                .collect(),
            quotes: a
                .comments
                .iter()
                .flat_map(|c| &c.quoted)
                .map(|r| quote(l, slug, r, links))
                .collect(),
            answers: a
                .responses
                .iter()
                .map(|(r, article)| {
                    let (place, path) = match article {
                        Some((n, label)) => (label.clone(), format!("/c/{slug}/a/{n}")),
                        None => (l.t("digest-whole-draft"), format!("/c/{slug}")),
                    };
                    Answer {
                        place,
                        decision: l.t(r.decision.key()),
                        excerpt: excerpt(&r.reasoning),
                        link: links.page(&path),
                    }
                })
                .collect(),
            new_consultations: a
                .new_consultations
                .iter()
                .map(|c| Announced {
                    title: c.title_in(l).to_owned(),
                    issuer: c.issuer_in(l).to_owned(),
                    window: l.t_args(
                        "window-range",
                        &[
                            ("from", FluentValue::from(l.datetime(&c.opens_at))),
                            ("to", FluentValue::from(l.datetime(&c.closes_at))),
                        ],
                    ),
                    link: links.page(&format!("/c/{}", c.slug)),
                })
                .collect(),
        };
        let failed = |e: askama::Error| DbError::Unavailable(format!("digest template: {e}"));
        let frequency = match period.frequency {
            Frequency::Daily => "digest-daily",
            Frequency::Weekly => "digest-weekly",
        };
        let args = [
            ("target", FluentValue::from(body.name.clone())),
            ("period", FluentValue::from(period.shown(l))),
        ];
        Ok(Rendered {
            subject: l.t_args(&format!("{frequency}-subject"), &args),
            heading: l.t_args(&format!("{frequency}-heading"), &args),
            text: BodyText { b: &body }.render().map_err(failed)?,
            html: BodyHtml { b: &body }.render().map_err(failed)?,
        })
    }
}

/// The start of `text` on one line, cut at [`EXCERPT_CHARS`].
fn excerpt(text: &str) -> String {
    let mut excerpt: String = text
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .take(EXCERPT_CHARS)
        .collect();
    if text.chars().count() > EXCERPT_CHARS {
        excerpt.push('…');
    }
    excerpt
}

fn quote(l: Locale, slug: &str, r: &QuotedRow, links: &Links) -> Quote {
    let excerpt = excerpt(&r.body);
    let (place, path) = match (&r.article_number, &r.article_label) {
        (Some(n), Some(label)) => (label.clone(), format!("/c/{slug}/a/{n}")),
        _ => (l.t("digest-whole-draft"), format!("/c/{slug}")),
    };
    Quote {
        place,
        stance: r
            .stance
            .as_deref()
            .and_then(Stance::parse)
            .map(|s| l.t(&format!("stance-{}", s.as_str())))
            .unwrap_or_default(),
        excerpt,
        endorsements: l.t_args(
            "digest-endorsements",
            &[("n", FluentValue::from(r.endorsements))],
        ),
        link: format!("{}#c-{}", links.page(&path), r.tracking),
    }
}

/// What one run did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RunReport {
    /// Confirmed subscriptions of the frequency looked at.
    pub subscriptions: usize,
    /// Digests queued by this run (rendered only, in a dry run).
    pub queued: usize,
    /// Digests an earlier or concurrent run had queued already.
    pub already: usize,
    /// Subscriptions whose target had nothing to report.
    pub quiet: usize,
    /// Unconfirmed subscriptions deleted because their link expired.
    pub expired: usize,
}

/// Builds and queues the digests of `period`. With `dry_run`, renders them and queues nothing.
/// `progress` hears how many subscriptions are done, of how many, after each page.
pub fn run(
    conn: &mut DbConnection,
    links: &Links,
    period: &Period,
    now: NaiveDateTime,
    dry_run: bool,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<RunReport, DbError> {
    let mut report = RunReport::default();
    if !dry_run {
        report.expired = subscriptions::expire(conn, now)?;
    }
    let frequency = period.frequency.as_str();
    let mut news: HashMap<TargetKey, Newsworthy> = HashMap::new();
    let mut followed = 0_usize;
    for key in q::due_targets(conn, frequency, period.end)? {
        let tier = key.3.as_deref().and_then(RiskTier::parse);
        let n = match key.0 {
            None => Newsworthy {
                activity: Activity::load_new(conn, key.2.as_deref(), tier, period)?,
                consultation: None,
                article: None,
                topic: key.2.clone(),
                tier,
            },
            Some(consultation_id) => {
                let Some(consultation) = db::consultations::by_id(conn, consultation_id)? else {
                    continue;
                };
                let article = match key.1 {
                    Some(id) => db::drafts::article_number_label(conn, id)?,
                    None => None,
                };
                Newsworthy {
                    activity: Activity::load(conn, &consultation, key.1, period)?,
                    consultation: Some(consultation),
                    article,
                    topic: None,
                    tier: None,
                }
            }
        };
        followed += 1;
        if !n.activity.is_empty() {
            news.insert(key, n);
        }
    }
    tracing::debug!(targets = followed, newsworthy = news.len(), period = %period.label, "digest targets");
    let total = q::count_due(conn, frequency, period.end)? as usize;
    let queued: HashSet<String> = q::queued_keys(conn, "digest:", &format!(":{}", period.label))?
        .into_iter()
        .collect();
    let mut rendered: HashMap<(TargetKey, Locale), Rendered> = HashMap::new();
    let mut after = 0;
    loop {
        let page = q::due_page(conn, frequency, period.end, after, PAGE)?;
        let Some((last, _)) = page.last() else {
            break;
        };
        after = last.id;
        let mut mails = Vec::with_capacity(page.len());
        for (sub, nonce) in &page {
            report.subscriptions += 1;
            let target: TargetKey = (
                sub.consultation_id,
                sub.article_id,
                sub.topic.clone(),
                sub.risk_tier.clone(),
            );
            let Some(n) = news.get(&target) else {
                report.quiet += 1;
                continue;
            };
            let key = period.key(sub.id);
            if queued.contains(&key) {
                report.already += 1;
                continue;
            }
            let l = Locale::from_tag(&sub.locale).unwrap_or_default();
            let r = match rendered.entry((target, l)) {
                std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
                std::collections::hash_map::Entry::Vacant(e) => {
                    e.insert(n.render(l, period, links)?)
                }
            };
            let unsubscribe = links.unsubscribe(nonce);
            mails.push((
                envelope(l, r, key, &sub.email, &unsubscribe, links)?,
                Some(unsubscribe),
            ));
        }
        if dry_run {
            report.queued += mails.len();
        } else if !mails.is_empty() {
            let inserted =
                db::transaction(conn, |conn| super::enqueue_list_mails(conn, &mails, now))?;
            report.queued += inserted;
            report.already += mails.len() - inserted;
        }
        progress(report.subscriptions, total.max(report.subscriptions));
    }
    Ok(report)
}

/// One subscriber's mail: the target's rendered section inside the subscriber's own frame.
fn envelope(
    l: Locale,
    r: &Rendered,
    key: String,
    to: &str,
    unsubscribe: &str,
    links: &Links,
) -> Result<OutgoingMail, DbError> {
    let failed = |e: askama::Error| DbError::Unavailable(format!("digest template: {e}"));
    let manage = links.page("/subscriptions");
    Ok(OutgoingMail {
        key,
        to: to.to_owned(),
        subject: r.subject.clone(),
        text: MailText {
            locale: l,
            heading: &r.heading,
            body: &r.text,
            unsubscribe,
            manage: &manage,
        }
        .render()
        .map_err(failed)?,
        html: MailHtml {
            locale: l,
            heading: &r.heading,
            body: &r.html,
            unsubscribe,
            manage: &manage,
        }
        .render()
        .map_err(failed)?,
    })
}

/// Runs the last finished period of every frequency at `now`, as the scheduler does.
pub fn run_finished(
    conn: &mut DbConnection,
    links: &Links,
    now: NaiveDateTime,
) -> Result<Vec<(Period, RunReport)>, DbError> {
    Frequency::ALL
        .into_iter()
        .map(|f| {
            let period = Period::last_finished(f, now);
            let report = run(conn, links, &period, now, false, &mut |_, _| {})?;
            Ok((period, report))
        })
        .collect()
}

/// The server's digest scheduler: wakes every ten minutes and queues the last finished period
/// of each frequency. Idempotent through the outbox keys, so every instance may run one.
pub struct Scheduler(Periodic);

impl Scheduler {
    /// Starts the loop on the current runtime: a run now, then every [`SCHEDULE`].
    pub fn start(pool: DbPool, links: Links) -> Self {
        let schedule = Schedule {
            first_after: StdDuration::ZERO,
            every: SCHEDULE,
            max_pause: SCHEDULE,
        };
        Self(Periodic::start("digests", schedule, move || {
            let (pool, links) = (pool.clone(), links.clone());
            async move {
                let now = chrono::Utc::now().naive_utc();
                let reports = db::run(&pool, move |conn| run_finished(conn, &links, now))
                    .await
                    .map_err(|e| e.to_string())?;
                for (period, r) in reports {
                    if r.queued > 0 || r.expired > 0 {
                        tracing::info!(period = %period.label, queued = r.queued,
                            expired = r.expired, "digests queued");
                    }
                }
                Ok(())
            }
        }))
    }

    /// Stops the loop, letting a run in progress finish.
    pub async fn stop(self) {
        self.0.stop().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d)
            .and_then(|d| d.and_hms_opt(h, min, 0))
            .expect("valid")
    }

    #[test]
    fn a_day_is_a_beijing_calendar_day() {
        // 17:30 UTC on the 25th is 01:30 on the 26th in Beijing.
        let p = Period::containing(Frequency::Daily, utc(2026, 11, 25, 17, 30));
        assert_eq!(p.label, "2026-11-26");
        assert_eq!(p.start, utc(2026, 11, 25, 16, 0));
        assert_eq!(p.end, utc(2026, 11, 26, 16, 0));
        let before = Period::containing(Frequency::Daily, utc(2026, 11, 25, 15, 59));
        assert_eq!(before.label, "2026-11-25");
        assert_eq!(before.end, p.start);
    }

    #[test]
    fn a_week_is_an_iso_week_from_monday_beijing_time() {
        // Sunday 29 Nov 2026 23:00 Beijing is still week 48; Monday 00:00 is week 49.
        let sunday = Period::containing(Frequency::Weekly, utc(2026, 11, 29, 15, 0));
        assert_eq!(sunday.label, "2026-W48");
        assert_eq!(sunday.start, utc(2026, 11, 22, 16, 0));
        assert_eq!(sunday.end, utc(2026, 11, 29, 16, 0));
        let monday = Period::containing(Frequency::Weekly, utc(2026, 11, 29, 16, 0));
        assert_eq!(monday.label, "2026-W49");
        // ISO years differ from calendar years around New Year.
        let p = Period::containing(Frequency::Weekly, utc(2027, 1, 1, 4, 0));
        assert_eq!(p.label, "2026-W53");
    }

    #[test]
    fn the_run_sends_the_period_that_ended_last() {
        let now = utc(2026, 11, 25, 17, 30);
        assert_eq!(
            Period::last_finished(Frequency::Daily, now).label,
            "2026-11-25"
        );
        assert_eq!(
            Period::last_finished(Frequency::Weekly, now).label,
            "2026-W47"
        );
        assert_eq!(
            Period::containing(Frequency::Daily, now).key(7),
            "digest:7:2026-11-26"
        );
    }
}
