//! Queries on `subscriptions`, and the period's activity a digest reports.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConnection;
use super::schema::{articles, comments, consultations, subscriptions};

/// One subscription as stored.
#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = subscriptions)]
pub struct SubscriptionRow {
    /// Row id; part of the digest's outbox key.
    pub id: i32,
    /// Where digests go (lower case).
    pub email: String,
    /// The account that subscribed, if any.
    pub user_id: Option<i32>,
    /// The consultation followed; `None`: new consultations.
    pub consultation_id: Option<i32>,
    /// The article followed; `None`: the whole consultation.
    pub article_id: Option<i32>,
    /// Only new consultations with this topic tag.
    pub topic: Option<String>,
    /// Only new consultations of this risk tier.
    pub risk_tier: Option<String>,
    /// `daily` or `weekly`.
    pub frequency: String,
    /// Language of the mails.
    pub locale: String,
    /// When the subscription was asked for.
    pub created_at: NaiveDateTime,
    /// When it was confirmed; nothing is sent before.
    pub confirmed_at: Option<NaiveDateTime>,
}

/// A new subscription.
#[derive(Insertable)]
#[diesel(table_name = subscriptions)]
pub struct NewSubscriptionRow<'a> {
    /// Where digests go.
    pub email: &'a str,
    /// The account, if any.
    pub user_id: Option<i32>,
    /// The consultation; `None`: new consultations.
    pub consultation_id: Option<i32>,
    /// The article, if only one.
    pub article_id: Option<i32>,
    /// Only new consultations with this topic tag.
    pub topic: Option<&'a str>,
    /// Only new consultations of this risk tier.
    pub risk_tier: Option<&'a str>,
    /// `daily` or `weekly`.
    pub frequency: &'a str,
    /// Language of the mails.
    pub locale: &'a str,
    /// Hash of the confirmation token; `None` when confirmed at once.
    pub confirm_hash: Option<&'a str>,
    /// The per-row input of the unsubscribe token's derivation.
    pub unsubscribe_nonce: &'a str,
    /// Hash of the unsubscribe token.
    pub unsubscribe_hash: &'a str,
    /// Now.
    pub created_at: NaiveDateTime,
    /// Now when confirmed at once (a signed-in, verified subscriber).
    pub confirmed_at: Option<NaiveDateTime>,
}

/// Inserts a subscription and returns its id.
pub fn insert(conn: &mut DbConnection, row: &NewSubscriptionRow<'_>) -> QueryResult<i32> {
    diesel::insert_into(subscriptions::table)
        .values(row)
        .returning(subscriptions::id)
        .get_result(conn)
}

/// The unconfirmed subscription behind a confirmation token hash, if asked after `since`.
pub fn pending_by_confirm_hash(
    conn: &mut DbConnection,
    hash: &str,
    since: NaiveDateTime,
) -> QueryResult<Option<SubscriptionRow>> {
    subscriptions::table
        .filter(subscriptions::confirm_hash.eq(hash))
        .filter(subscriptions::confirmed_at.is_null())
        .filter(subscriptions::created_at.gt(since))
        .select(SubscriptionRow::as_select())
        .first(conn)
        .optional()
}

/// Marks subscription `id` confirmed at `now`; the confirmation token stops working.
pub fn confirm(conn: &mut DbConnection, id: i32, now: NaiveDateTime) -> QueryResult<bool> {
    diesel::update(
        subscriptions::table
            .filter(subscriptions::id.eq(id))
            .filter(subscriptions::confirmed_at.is_null()),
    )
    .set((
        subscriptions::confirmed_at.eq(now),
        subscriptions::confirm_hash.eq(None::<String>),
    ))
    .execute(conn)
    .map(|n| n == 1)
}

/// Deletes the other confirmed subscriptions of `email` to the same thing, so that a new choice
/// of frequency replaces the old one instead of doubling the mail.
pub fn delete_same_target(conn: &mut DbConnection, keep: &SubscriptionRow) -> QueryResult<usize> {
    let mut same = subscriptions::table
        .filter(subscriptions::id.ne(keep.id))
        .filter(subscriptions::email.eq(&keep.email))
        .filter(subscriptions::confirmed_at.is_not_null())
        .select(subscriptions::id)
        .into_boxed();
    same = match keep.consultation_id {
        Some(c) => same.filter(subscriptions::consultation_id.eq(c)),
        None => same.filter(subscriptions::consultation_id.is_null()),
    };
    same = match keep.article_id {
        Some(a) => same.filter(subscriptions::article_id.eq(a)),
        None => same.filter(subscriptions::article_id.is_null()),
    };
    same = match &keep.topic {
        Some(t) => same.filter(subscriptions::topic.eq(t.clone())),
        None => same.filter(subscriptions::topic.is_null()),
    };
    same = match &keep.risk_tier {
        Some(t) => same.filter(subscriptions::risk_tier.eq(t.clone())),
        None => same.filter(subscriptions::risk_tier.is_null()),
    };
    let ids: Vec<i32> = same.load(conn)?;
    if ids.is_empty() {
        return Ok(0);
    }
    diesel::delete(subscriptions::table.filter(subscriptions::id.eq_any(ids))).execute(conn)
}

/// The subscription behind an unsubscribe token hash.
pub fn by_unsubscribe_hash(
    conn: &mut DbConnection,
    hash: &str,
) -> QueryResult<Option<SubscriptionRow>> {
    subscriptions::table
        .filter(subscriptions::unsubscribe_hash.eq(hash))
        .select(SubscriptionRow::as_select())
        .first(conn)
        .optional()
}

/// The subscription `id`.
pub fn by_id(conn: &mut DbConnection, id: i32) -> QueryResult<Option<SubscriptionRow>> {
    subscriptions::table
        .find(id)
        .select(SubscriptionRow::as_select())
        .first(conn)
        .optional()
}

/// The per-row nonce of subscription `id`, from which its unsubscribe token derives.
pub fn unsubscribe_nonce(conn: &mut DbConnection, id: i32) -> QueryResult<String> {
    subscriptions::table
        .find(id)
        .select(subscriptions::unsubscribe_nonce)
        .first(conn)
}

/// Deletes subscription `id`; true when it existed.
pub fn delete(conn: &mut DbConnection, id: i32) -> QueryResult<bool> {
    diesel::delete(subscriptions::table.find(id))
        .execute(conn)
        .map(|n| n == 1)
}

/// Deletes subscriptions never confirmed and asked for before `cutoff`; returns how many.
pub fn delete_unconfirmed_before(
    conn: &mut DbConnection,
    cutoff: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::delete(
        subscriptions::table
            .filter(subscriptions::confirmed_at.is_null())
            .filter(subscriptions::created_at.lt(cutoff)),
    )
    .execute(conn)
}

/// A subscription as its owner's list shows it.
#[derive(Clone, Debug, Queryable)]
pub struct ListedRow {
    /// Row id.
    pub id: i32,
    /// `daily` or `weekly`.
    pub frequency: String,
    /// When confirmed.
    pub confirmed_at: Option<NaiveDateTime>,
    /// Only new consultations with this topic tag (a subscription to new consultations).
    pub topic: Option<String>,
    /// Only new consultations of this risk tier (a subscription to new consultations).
    pub risk_tier: Option<String>,
    /// The consultation's URL name; `None`: new consultations.
    pub slug: Option<String>,
    /// Its title.
    pub title: Option<String>,
    /// Its English title.
    pub title_en: Option<String>,
    /// The article's number, for an article subscription.
    pub article_number: Option<i32>,
    /// The article's label (第五条).
    pub article_label: Option<String>,
}

/// Subscriptions made by account `user_id` or sent to its address `email`, newest first.
pub fn for_owner(
    conn: &mut DbConnection,
    user_id: i32,
    email: &str,
) -> QueryResult<Vec<ListedRow>> {
    subscriptions::table
        .left_join(consultations::table)
        .left_join(articles::table)
        .filter(
            subscriptions::user_id
                .eq(user_id)
                .or(subscriptions::email.eq(email)),
        )
        .order(subscriptions::id.desc())
        .select((
            subscriptions::id,
            subscriptions::frequency,
            subscriptions::confirmed_at,
            subscriptions::topic,
            subscriptions::risk_tier,
            consultations::slug.nullable(),
            consultations::title.nullable(),
            consultations::title_en.nullable(),
            articles::number.nullable(),
            articles::label.nullable(),
        ))
        .load(conn)
}

/// What a subscription follows: consultation, article, topic and tier.
pub type TargetKey = (Option<i32>, Option<i32>, Option<String>, Option<String>);

/// The distinct targets followed by subscriptions of `frequency` confirmed before `before`: what
/// a digest run must look at.
pub fn due_targets(
    conn: &mut DbConnection,
    frequency: &str,
    before: NaiveDateTime,
) -> QueryResult<Vec<TargetKey>> {
    subscriptions::table
        .filter(subscriptions::frequency.eq(frequency))
        .filter(subscriptions::confirmed_at.lt(before))
        .select((
            subscriptions::consultation_id,
            subscriptions::article_id,
            subscriptions::topic,
            subscriptions::risk_tier,
        ))
        .distinct()
        .load(conn)
}

/// Up to `limit` subscriptions of `frequency` confirmed before `before` with ids above
/// `after_id`, in id order: one page of a digest run, so memory stays flat however many there are.
pub fn due_page(
    conn: &mut DbConnection,
    frequency: &str,
    before: NaiveDateTime,
    after_id: i32,
    limit: i64,
) -> QueryResult<Vec<(SubscriptionRow, String)>> {
    subscriptions::table
        .filter(subscriptions::frequency.eq(frequency))
        .filter(subscriptions::confirmed_at.lt(before))
        .filter(subscriptions::id.gt(after_id))
        .order(subscriptions::id)
        .limit(limit)
        .select((
            SubscriptionRow::as_select(),
            subscriptions::unsubscribe_nonce,
        ))
        .load(conn)
}

/// Outbox keys already queued that start with `prefix` and end with `suffix`: the digests of a
/// period that an earlier (or a concurrent) run queued.
pub fn queued_keys(
    conn: &mut DbConnection,
    prefix: &str,
    suffix: &str,
) -> QueryResult<Vec<String>> {
    use super::schema::outbox;
    outbox::table
        .filter(outbox::idempotency_key.like(format!("{prefix}%{suffix}")))
        .select(outbox::idempotency_key)
        .load(conn)
}

/// Runs `$run` over the comments a digest counts (public, published, top-level, posted in
/// `[start, end)` on the consultation, or only on the article when one is given). A macro, not a
/// boxed query: the grouped counts need the statically typed form.
macro_rules! period_comments {
    ($consultation:expr, $article:expr, $start:expr, $end:expr, |$q:ident| $run:expr) => {{
        let base = comments::table
            .filter(comments::consultation_id.eq($consultation))
            .filter(comments::created_at.ge($start))
            .filter(comments::created_at.lt($end))
            .filter(comments::parent_id.is_null())
            .filter(comments::state.eq("published"))
            .filter(comments::visibility.ne("drafters"));
        match $article {
            Some(a) => {
                let $q = base.filter(comments::article_id.eq(a));
                $run
            }
            None => {
                let $q = base;
                $run
            }
        }
    }};
}

/// New comments of the period counted by stance (`None`: no stance given).
pub fn counts_by_stance(
    conn: &mut DbConnection,
    consultation_id: i32,
    article_id: Option<i32>,
    start: NaiveDateTime,
    end: NaiveDateTime,
) -> QueryResult<Vec<(Option<String>, i64)>> {
    period_comments!(consultation_id, article_id, start, end, |q| q
        .group_by(comments::stance)
        .select((comments::stance, diesel::dsl::count_star()))
        .load(conn))
}

/// New comments of the period counted by the stakeholder type of their authors.
pub fn counts_by_type(
    conn: &mut DbConnection,
    consultation_id: i32,
    article_id: Option<i32>,
    start: NaiveDateTime,
    end: NaiveDateTime,
) -> QueryResult<Vec<(String, i64)>> {
    period_comments!(consultation_id, article_id, start, end, |q| q
        .group_by(comments::stakeholder_type)
        .select((comments::stakeholder_type, diesel::dsl::count_star()))
        .load(conn))
}

/// A comment a digest quotes.
#[derive(Clone, Debug, Queryable)]
pub struct QuotedRow {
    /// Its tracking number.
    pub tracking: String,
    /// Its stance.
    pub stance: Option<String>,
    /// Its text.
    pub body: String,
    /// Endorsements so far.
    pub endorsements: i32,
    /// The number of the article it is on; `None`: the draft as a whole.
    pub article_number: Option<i32>,
    /// That article's label.
    pub article_label: Option<String>,
}

/// The `limit` most endorsed new comments of the period, the earliest first among equals.
pub fn most_endorsed(
    conn: &mut DbConnection,
    consultation_id: i32,
    article_id: Option<i32>,
    start: NaiveDateTime,
    end: NaiveDateTime,
    limit: i64,
) -> QueryResult<Vec<QuotedRow>> {
    period_comments!(consultation_id, article_id, start, end, |q| q
        .left_join(articles::table)
        .order((
            comments::endorsements.desc(),
            comments::created_at,
            comments::id,
        ))
        .limit(limit)
        .select((
            comments::tracking,
            comments::stance,
            comments::body,
            comments::endorsements,
            articles::number.nullable(),
            articles::label.nullable(),
        ))
        .load(conn))
}

/// How many subscriptions of `frequency` were confirmed before `before`.
pub fn count_due(
    conn: &mut DbConnection,
    frequency: &str,
    before: NaiveDateTime,
) -> QueryResult<i64> {
    subscriptions::table
        .filter(subscriptions::frequency.eq(frequency))
        .filter(subscriptions::confirmed_at.lt(before))
        .count()
        .get_result(conn)
}

/// Stores `rows` with one statement (bulk loads such as `yijian bench digests`). MultiConnection
/// cannot compile a multi-row insert, so each backend gets its own.
pub fn insert_batch(
    conn: &mut DbConnection,
    rows: &[NewSubscriptionRow<'_>],
) -> QueryResult<usize> {
    if rows.is_empty() {
        return Ok(0);
    }
    let query = diesel::insert_into(subscriptions::table).values(rows);
    match conn {
        DbConnection::Postgresql(pg) => query.execute(pg),
        DbConnection::Sqlite(lite) => query.execute(lite),
    }
}

/// Deletes every subscription account `user_id` made (its account is being deleted).
pub fn delete_for_user(conn: &mut DbConnection, user_id: i32) -> QueryResult<usize> {
    diesel::delete(subscriptions::table.filter(subscriptions::user_id.eq(user_id))).execute(conn)
}
