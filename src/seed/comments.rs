//! Generated comments for the demo consultation: accounts of every stakeholder type (some speaking
//! for verified organisations) comment on the demo's articles with every stance and visibility,
//! answer each other two levels deep and endorse; a few comments are hidden by moderators with a
//! reason. Rows go in with multi-row INSERTs, a few thousand per transaction, and no receipt mail
//! is queued: the accounts' addresses lead nowhere.

use std::collections::{HashMap, HashSet};

use chrono::{Duration, NaiveDateTime};
use rand::Rng;
use rand::rngs::ThreadRng;
use rand::seq::IndexedRandom;

use super::{DEMO_SLUG, SeedError, phrases};
use crate::accounts::{StakeholderType, Token};
use crate::comments::{self, CommentState, Stance, ValidComment, Visibility, tracking};
use crate::db::accounts::NewUserRow;
use crate::db::comments::{BulkCommentRow, NewCommentRow};
use crate::db::{self, DbConnection, DbError};
use crate::drafts::Article;
use crate::i18n::Locale;
use crate::organizations::{OrgStatus, uscc};
use crate::search::{self, DocKind};

/// Domain of the generated accounts' addresses: reserved (RFC 2606), so no mail reaches anyone.
pub const DEMO_DOMAIN: &str = "demo.invalid";
/// Stored password hash of the generated accounts: unusable, so nobody can log in as one.
pub const DEMO_PASSWORD_HASH: &str = "!demo";
/// Comments (replies included) generated on the first start of an empty SQLite database.
pub const FIRST_START_COMMENTS: usize = 300;

/// Rows per INSERT: SQLite takes at most 32,766 bound values and a comment row has 20.
const STATEMENT_ROWS: usize = 1000;
/// Rows per transaction: enough to spread the cost of a commit, few enough to show progress.
const TRANSACTION_ROWS: usize = 5000;
/// Share of the rows that are replies, in tenths; two thirds of them answer a comment, the rest
/// answer a reply.
const REPLY_TENTHS: usize = 3;
/// One top-level comment in this many is hidden. Counted rather than drawn, so that even a few
/// hundred comments always include some.
const HIDDEN_EVERY: usize = 97;

/// Which articles the generated comments are about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// Every article, the most debated ones more often.
    Everywhere,
    /// Only the article with this number.
    Article(i32),
}

/// What one run added.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Report {
    /// Accounts created (only on the first run).
    pub accounts: usize,
    /// Organisations created (only on the first run).
    pub organizations: usize,
    /// Top-level comments.
    pub comments: usize,
    /// Replies.
    pub replies: usize,
    /// Endorsements.
    pub endorsements: usize,
    /// Comments hidden by a moderator.
    pub hidden: usize,
}

impl Report {
    /// Comment rows in all.
    pub fn rows(&self) -> usize {
        self.comments + self.replies
    }
}

/// A generated account.
#[derive(Clone, Debug)]
struct Author {
    id: i32,
    name: String,
    kind: StakeholderType,
    organization: Option<String>,
}

/// A comment generated but not stored yet.
struct Generated {
    article: usize,
    author: usize,
    parent_id: Option<i32>,
    stance: Option<Stance>,
    body: String,
    proposed_text: Option<String>,
    visibility: Visibility,
    hidden: Option<(&'static str, NaiveDateTime)>,
    created_at: NaiveDateTime,
    endorsers: Vec<(i32, NaiveDateTime)>,
    tracking: String,
    content_hash: String,
    dispute_token_hash: String,
}

impl Generated {
    /// Whether others can see, answer and endorse it.
    fn is_public(&self) -> bool {
        self.hidden.is_none() && self.visibility != Visibility::Drafters
    }
}

/// Adds `count` generated comment rows (replies included) to the demo consultation, creating its
/// accounts on the first run; `progress` hears how many rows each transaction stored.
pub fn generate(
    conn: &mut DbConnection,
    count: usize,
    target: Target,
    now: NaiveDateTime,
    progress: &mut dyn FnMut(usize),
) -> Result<Report, SeedError> {
    let consultation = db::consultations::by_slug(conn, DEMO_SLUG)?.ok_or(SeedError::NoDemo)?;
    let version_id = consultation.current_version_id.ok_or(SeedError::NoDemo)?;
    let mut articles = db::drafts::articles(conn, version_id)?;
    if let Target::Article(n) = target {
        articles.retain(|a| a.head.number == n);
        if articles.is_empty() {
            return Err(SeedError::NoArticle(n));
        }
    }
    let mut report = Report::default();
    let authors = authors(conn, now, &mut report)?;
    let weights = articles
        .iter()
        .map(|a| {
            if phrases::HOT_ARTICLES.contains(&a.head.number) {
                4
            } else {
                1
            }
        })
        .collect();
    let mut generator = Generator {
        rng: rand::rng(),
        consultation_id: consultation.id,
        version_id,
        articles,
        weights,
        authors,
        from: consultation.opens_at.min(now),
        now,
        used: HashSet::new(),
        top_level: 0,
    };
    db::demo::bulk_load_cache(conn, true)?;
    let mut remaining = count;
    let mut result = Ok(());
    while remaining > 0 {
        let size = remaining.min(TRANSACTION_ROWS);
        match db::transaction(conn, |conn| generator.chunk(conn, size, &mut report)) {
            Ok(stored) => {
                remaining -= stored;
                progress(stored);
            }
            Err(e) => {
                result = Err(e);
                break;
            }
        }
    }
    // The connection may go back to a pool: it returns to the default cache either way.
    db::demo::bulk_load_cache(conn, false)?;
    result.map(|()| report)
}

/// The generated accounts, created with their organisations when there are none yet.
fn authors(
    conn: &mut DbConnection,
    now: NaiveDateTime,
    report: &mut Report,
) -> Result<Vec<Author>, SeedError> {
    let mut rows = db::demo::authors_in_domain(conn, DEMO_DOMAIN, DEMO_PASSWORD_HASH)?;
    if rows.is_empty() {
        (report.accounts, report.organizations) =
            db::transaction(conn, |conn| create_accounts(conn, now))?;
        rows = db::demo::authors_in_domain(conn, DEMO_DOMAIN, DEMO_PASSWORD_HASH)?;
    }
    rows.into_iter()
        .map(|r| {
            let kind = StakeholderType::parse(&r.stakeholder_type).ok_or_else(|| {
                DbError::Query(diesel::result::Error::DeserializationError(
                    format!("unknown stakeholder type '{}'", r.stakeholder_type).into(),
                ))
            })?;
            let verified = r.organization_status.as_deref() == Some(OrgStatus::Verified.as_str());
            Ok(Author {
                id: r.id,
                name: r.display_name,
                kind,
                organization: r.organization.filter(|_| verified),
            })
        })
        .collect()
}

/// Creates the demo organisations and accounts; returns how many of each.
fn create_accounts(
    conn: &mut DbConnection,
    now: NaiveDateTime,
) -> Result<(usize, usize), SeedError> {
    let mut organizations: Vec<(StakeholderType, i32)> = Vec::new();
    for (serial, (kind, name)) in phrases::ORGANIZATIONS.iter().enumerate() {
        let code = organization_code(conn, *kind, serial)?;
        let id = db::demo::insert_verified_organization(conn, name, kind.as_str(), &code, now)?;
        organizations.push((*kind, id));
    }
    let mut created = 0;
    for (kind, count) in phrases::ACCOUNT_TYPES {
        let of_kind: Vec<i32> = organizations
            .iter()
            .filter(|(k, _)| k == kind)
            .map(|(_, id)| *id)
            .collect();
        for j in 0..*count {
            let email = format!("demo{created:03}@{DEMO_DOMAIN}");
            let id = db::accounts::insert_user(
                conn,
                &NewUserRow {
                    email: &email,
                    display_name: &display_name(created),
                    password_hash: DEMO_PASSWORD_HASH,
                    stakeholder_type: kind.as_str(),
                    locale: Locale::ZhCn.tag(),
                    is_admin: false,
                    created_at: now,
                },
            )?;
            db::accounts::mark_verified(conn, id, now)?;
            // Three in four organisational accounts speak for an organisation of their type.
            if !of_kind.is_empty() && j % 4 != 3 {
                db::demo::set_organization(conn, id, of_kind[j % of_kind.len()])?;
            }
            created += 1;
        }
    }
    Ok((created, organizations.len()))
}

/// A valid 统一社会信用代码 for demo organisation `serial` that no organisation uses yet.
fn organization_code(
    conn: &mut DbConnection,
    kind: StakeholderType,
    serial: usize,
) -> Result<String, SeedError> {
    let mut serial = serial;
    loop {
        // Authority and kind, an administrative division, then a nine-character body number.
        let first17 = format!("{}330100MA{serial:07}", phrases::uscc_prefix(kind));
        let code = uscc::with_check_digit(&first17).map_err(|e| SeedError::BadCode(first17, e))?;
        if !db::organizations::uscc_taken(conn, &code)? {
            return Ok(code);
        }
        serial += phrases::ORGANIZATIONS.len();
    }
}

/// A plausible Chinese name for account `i`.
fn display_name(i: usize) -> String {
    let surname = phrases::SURNAMES[i % phrases::SURNAMES.len()];
    let given =
        phrases::GIVEN_NAMES[(i * 7 + i / phrases::SURNAMES.len()) % phrases::GIVEN_NAMES.len()];
    format!("{surname}{given}")
}

struct Generator {
    rng: ThreadRng,
    consultation_id: i32,
    version_id: i32,
    articles: Vec<Article>,
    weights: Vec<u32>,
    authors: Vec<Author>,
    from: NaiveDateTime,
    now: NaiveDateTime,
    /// Tracking numbers handed out in this run.
    used: HashSet<String>,
    /// Top-level comments generated so far, which decides the hidden ones.
    top_level: usize,
}

impl Generator {
    /// Generates and stores `size` rows: comments first, then replies to them, then replies to
    /// those (each level needs the ids of the one before). Returns the rows stored.
    fn chunk(
        &mut self,
        conn: &mut DbConnection,
        size: usize,
        report: &mut Report,
    ) -> Result<usize, SeedError> {
        let replies = size * REPLY_TENTHS / 10;
        let first_level = replies * 2 / 3;
        let mut top: Vec<Generated> = (0..size - replies).map(|_| self.comment()).collect();
        let top_ids = self.store(conn, &mut top, report)?;
        let mut answers = self.replies(&top, &top_ids, first_level, 1);
        let answer_ids = self.store(conn, &mut answers, report)?;
        let mut deeper = self.replies(&answers, &answer_ids, replies - first_level, 2);
        self.store(conn, &mut deeper, report)?;
        report.comments += top.len();
        report.hidden += top.iter().filter(|g| g.hidden.is_some()).count();
        report.replies += answers.len() + deeper.len();
        Ok(top.len() + answers.len() + deeper.len())
    }

    /// A top-level comment on a random article by a random author.
    fn comment(&mut self) -> Generated {
        let article = self.article();
        let author = self.rng.random_range(0..self.authors.len());
        let stance = pick(
            &mut self.rng,
            &[
                (Stance::Support, 25),
                (Stance::Oppose, 15),
                (Stance::Amend, 45),
                (Stance::Other, 15),
            ],
        );
        let created_at = self.between(self.from, self.now);
        self.top_level += 1;
        if self.top_level % HIDDEN_EVERY == 13 {
            let (reason, body) = *phrases::HIDDEN
                .choose(&mut self.rng)
                .unwrap_or(&phrases::HIDDEN[0]);
            let hidden_at = self.between(created_at, self.now);
            return self.finish(Generated {
                article,
                author,
                parent_id: None,
                stance: Some(stance),
                body: body.to_owned(),
                proposed_text: None,
                visibility: Visibility::Named,
                hidden: Some((reason, hidden_at)),
                created_at,
                endorsers: Vec::new(),
                tracking: String::new(),
                content_hash: String::new(),
                dispute_token_hash: String::new(),
            });
        }
        let visibility = pick(
            &mut self.rng,
            &[
                (Visibility::Named, 60),
                (Visibility::Anonymous, 35),
                (Visibility::Drafters, 5),
            ],
        );
        let number = self.articles[article].head.number;
        let topic = phrases::topic(number);
        let mut body = one(&mut self.rng, phrases::openers(stance)).replace("{t}", topic);
        body.push_str(one(
            &mut self.rng,
            phrases::perspectives(self.authors[author].kind),
        ));
        let arguments = phrases::arguments(stance);
        let reasons = if self.rng.random_bool(0.4) { 2 } else { 1 };
        for i in rand::seq::index::sample(&mut self.rng, arguments.len(), reasons) {
            body.push_str(arguments[i]);
        }
        let proposes = match stance {
            Stance::Amend => self.rng.random_bool(0.8),
            Stance::Oppose | Stance::Other => self.rng.random_bool(0.05),
            Stance::Support => false,
        };
        let proposed_text = if proposes {
            let (text, note) = self.proposal(article);
            body.push_str(&note);
            Some(text)
        } else {
            None
        };
        body.push_str(one(&mut self.rng, phrases::CLOSERS));
        let endorsers = if visibility == Visibility::Drafters {
            Vec::new()
        } else {
            let n = match self.rng.random_range(0..100) {
                0..55 => 0,
                55..80 => 1,
                80..90 => 2,
                90..97 => self.rng.random_range(3..=6),
                _ => self.rng.random_range(7..=30),
            };
            self.endorsers(author, created_at, n)
        };
        self.finish(Generated {
            article,
            author,
            parent_id: None,
            stance: Some(stance),
            body,
            proposed_text,
            visibility,
            hidden: None,
            created_at,
            endorsers,
            tracking: String::new(),
            content_hash: String::new(),
            dispute_token_hash: String::new(),
        })
    }

    /// `count` answers to random public comments among `parents` (none when none is public).
    fn replies(
        &mut self,
        parents: &[Generated],
        ids: &[i32],
        count: usize,
        depth: usize,
    ) -> Vec<Generated> {
        let public: Vec<(i32, &Generated)> = ids
            .iter()
            .copied()
            .zip(parents)
            .filter(|(_, p)| p.is_public())
            .collect();
        if public.is_empty() {
            return Vec::new();
        }
        (0..count)
            .map(|_| {
                let (parent_id, parent) = public[self.rng.random_range(0..public.len())];
                self.reply(parent_id, parent, depth)
            })
            .collect()
    }

    /// An answer to `parent` by someone else, after it.
    fn reply(&mut self, parent_id: i32, parent: &Generated, depth: usize) -> Generated {
        let mut author = self.rng.random_range(0..self.authors.len());
        if author == parent.author && self.authors.len() > 1 {
            author = (author + 1) % self.authors.len();
        }
        let body = if depth == 1 {
            let mut body = one(&mut self.rng, phrases::REPLIES).to_owned();
            if body.ends_with(['：', '，']) || self.rng.random_bool(0.5) {
                let stance = *Stance::ALL.choose(&mut self.rng).unwrap_or(&Stance::Other);
                body.push_str(one(&mut self.rng, phrases::arguments(stance)));
            }
            body
        } else {
            one(&mut self.rng, phrases::SECOND_REPLIES).to_owned()
        };
        let created_at = self.between(parent.created_at, self.now);
        let n = match self.rng.random_range(0..100) {
            0..80 => 0,
            80..95 => 1,
            _ => self.rng.random_range(2..=4),
        };
        let endorsers = self.endorsers(author, created_at, n);
        let visibility = pick(
            &mut self.rng,
            &[(Visibility::Named, 75), (Visibility::Anonymous, 25)],
        );
        self.finish(Generated {
            article: parent.article,
            author,
            parent_id: Some(parent_id),
            stance: None,
            body,
            proposed_text: None,
            visibility,
            hidden: None,
            created_at,
            endorsers,
            tracking: String::new(),
            content_hash: String::new(),
            dispute_token_hash: String::new(),
        })
    }

    /// Adds what the receipt certifies: tracking number, content hash, dispute token.
    fn finish(&mut self, mut g: Generated) -> Generated {
        let valid = ValidComment {
            stance: g.stance,
            body: g.body.clone(),
            proposed_text: g.proposed_text.clone(),
            visibility: g.visibility,
            reply_to: None,
        };
        g.content_hash =
            comments::content_hash(DEMO_SLUG, &self.articles[g.article].head.label, &valid);
        g.tracking = self.fresh_tracking(g.created_at);
        // Nobody holds the token: only its hash is stored, as for every comment.
        g.dispute_token_hash = Token::generate().hash;
        g
    }

    /// The article's text with one small edit, and the sentence in the comment that explains it.
    fn proposal(&mut self, article: usize) -> (String, String) {
        let body = &self.articles[article].body;
        let edits: Vec<&(&str, &str)> = phrases::EDITS
            .iter()
            .filter(|(from, _)| body.contains(from))
            .collect();
        if !edits.is_empty() && self.rng.random_bool(0.75) {
            let (from, to) = **edits.choose(&mut self.rng).unwrap_or(&&phrases::EDITS[0]);
            let places: Vec<usize> = body.match_indices(from).map(|(i, _)| i).collect();
            if let Some(&at) = places.choose(&mut self.rng) {
                let text = format!("{}{to}{}", &body[..at], &body[at + from.len()..]);
                return (text, format!("建议将“{from}”改为“{to}”。"));
            }
        }
        let added = one(&mut self.rng, phrases::ADDED_PARAGRAPHS);
        (
            format!("{}\n{added}", body.trim_end()),
            format!("建议增加一款：“{added}”"),
        )
    }

    /// `n` distinct other accounts endorsing a comment posted at `after`, each at a time after it.
    fn endorsers(
        &mut self,
        author: usize,
        after: NaiveDateTime,
        n: usize,
    ) -> Vec<(i32, NaiveDateTime)> {
        let others = self.authors.len().saturating_sub(1);
        rand::seq::index::sample(&mut self.rng, others, n.min(others))
            .into_iter()
            // Indexes past the author's shift by one, so the author never endorses themself.
            .map(|i| if i >= author { i + 1 } else { i })
            .map(|i| (self.authors[i].id, self.between(after, self.now)))
            .collect()
    }

    /// A random article, the most debated ones more often.
    fn article(&mut self) -> usize {
        let total: u32 = self.weights.iter().sum();
        let mut r = self.rng.random_range(0..total.max(1));
        for (i, w) in self.weights.iter().enumerate() {
            if r < *w {
                return i;
            }
            r -= w;
        }
        0
    }

    /// A random time from `from` to `to` (`from` when `to` is not later).
    fn between(&mut self, from: NaiveDateTime, to: NaiveDateTime) -> NaiveDateTime {
        let span = (to - from).num_seconds();
        if span <= 0 {
            return from;
        }
        from + Duration::seconds(self.rng.random_range(0..=span))
    }

    /// A tracking number no other comment of this run has.
    fn fresh_tracking(&mut self, at: NaiveDateTime) -> String {
        loop {
            let t = tracking::generate(at);
            if self.used.insert(t.clone()) {
                return t;
            }
        }
    }

    /// Stores `items` (re-numbering any whose tracking number is taken already) with their
    /// endorsements; returns their ids in order.
    fn store(
        &mut self,
        conn: &mut DbConnection,
        items: &mut [Generated],
        report: &mut Report,
    ) -> Result<Vec<i32>, SeedError> {
        let mut ids = Vec::with_capacity(items.len());
        for group in items.chunks_mut(STATEMENT_ROWS) {
            self.renumber_taken(conn, group)?;
            let rows: Vec<BulkCommentRow<'_>> = group.iter().map(|g| self.row(g)).collect();
            let stored: HashMap<String, i32> = db::comments::insert_batch(conn, &rows)?
                .into_iter()
                .map(|(id, tracking)| (tracking, id))
                .collect();
            let mut endorsements = Vec::new();
            let mut searchable = Vec::new();
            for g in group.iter() {
                let id = *stored
                    .get(&g.tracking)
                    .ok_or(DbError::Query(diesel::result::Error::NotFound))?;
                endorsements.extend(g.endorsers.iter().map(|&(user, at)| (id, user, at)));
                if g.is_public() {
                    searchable.push((
                        id,
                        search::comment_text(&g.body, g.proposed_text.as_deref()),
                    ));
                }
                ids.push(id);
            }
            search::index_documents(conn, DocKind::Comment, &searchable)?;
            for batch in endorsements.chunks(STATEMENT_ROWS * 5) {
                report.endorsements += db::comments::insert_endorsements(conn, batch)?;
            }
        }
        Ok(ids)
    }

    /// Gives a fresh number to every comment of `group` whose number an earlier comment holds.
    fn renumber_taken(
        &mut self,
        conn: &mut DbConnection,
        group: &mut [Generated],
    ) -> Result<(), SeedError> {
        loop {
            let wanted: Vec<&str> = group.iter().map(|g| g.tracking.as_str()).collect();
            let taken: HashSet<String> = db::comments::existing_trackings(conn, &wanted)?
                .into_iter()
                .collect();
            if taken.is_empty() {
                return Ok(());
            }
            for g in group.iter_mut().filter(|g| taken.contains(&g.tracking)) {
                g.tracking = self.fresh_tracking(g.created_at);
            }
        }
    }

    /// The row that stores `g`.
    fn row<'a>(&'a self, g: &'a Generated) -> BulkCommentRow<'a> {
        let author = &self.authors[g.author];
        BulkCommentRow {
            comment: NewCommentRow {
                tracking: &g.tracking,
                consultation_id: self.consultation_id,
                version_id: self.version_id,
                article_id: Some(self.articles[g.article].head.id),
                parent_id: g.parent_id,
                author_id: Some(author.id),
                author_name: &author.name,
                stakeholder_type: author.kind.as_str(),
                organization_name: author.organization.as_deref(),
                stance: g.stance.map(Stance::as_str),
                body: &g.body,
                proposed_text: g.proposed_text.as_deref(),
                visibility: g.visibility.as_str(),
                state: if g.hidden.is_some() {
                    CommentState::Hidden.as_str()
                } else {
                    CommentState::Published.as_str()
                },
                content_hash: &g.content_hash,
                dispute_token_hash: &g.dispute_token_hash,
                endorsements: i32::try_from(g.endorsers.len()).unwrap_or(i32::MAX),
                created_at: g.created_at,
                division_id: None,
            },
            hidden_reason: g.hidden.map(|(reason, _)| reason),
            hidden_at: g.hidden.map(|(_, at)| at),
        }
    }
}

/// One of `items` at random (`""` for an empty list).
fn one(rng: &mut ThreadRng, items: &[&'static str]) -> &'static str {
    items.choose(rng).copied().unwrap_or("")
}

/// One of `choices`, drawn by weight.
fn pick<T: Copy>(rng: &mut ThreadRng, choices: &[(T, u32)]) -> T {
    let total: u32 = choices.iter().map(|(_, w)| w).sum();
    let mut r = rng.random_range(0..total.max(1));
    for (value, weight) in choices {
        if r < *weight {
            return *value;
        }
        r -= weight;
    }
    choices[0].0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_account_mix_adds_up_and_names_look_chinese() {
        let total: usize = phrases::ACCOUNT_TYPES.iter().map(|(_, n)| n).sum();
        assert_eq!(total, 200);
        for t in StakeholderType::ALL {
            assert!(phrases::ACCOUNT_TYPES.iter().any(|(k, _)| *k == t), "{t:?}");
        }
        let names: HashSet<String> = (0..200).map(display_name).collect();
        assert!(names.len() > 150, "names vary: {}", names.len());
        assert!(names.iter().all(|n| (2..=3).contains(&n.chars().count())));
    }

    #[test]
    fn organisation_codes_pass_the_national_check() {
        for (serial, (kind, _)) in phrases::ORGANIZATIONS.iter().enumerate() {
            let first17 = format!("{}330100MA{serial:07}", phrases::uscc_prefix(*kind));
            let code = uscc::with_check_digit(&first17).expect("valid");
            assert_eq!(uscc::parse(&code).as_deref(), Ok(code.as_str()));
        }
    }
}
