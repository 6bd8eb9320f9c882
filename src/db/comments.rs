//! Queries on `comments`, `endorsements` and `disputes`.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::query_builder::{Query, QueryId};

use super::DbConnection;
use super::schema::{articles, comments, disputes, endorsements};

/// A comment row.
#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = comments)]
pub struct CommentRow {
    /// Row id.
    pub id: i32,
    /// Tracking number.
    pub tracking: String,
    /// Consultation.
    pub consultation_id: i32,
    /// Article, or none for the whole draft.
    pub article_id: Option<i32>,
    /// The comment answered.
    pub parent_id: Option<i32>,
    /// Author's account.
    pub author_id: Option<i32>,
    /// Author's display name when posted.
    pub author_name: String,
    /// Author's stakeholder type when posted.
    pub stakeholder_type: String,
    /// Verified organisation when posted.
    pub organization_name: Option<String>,
    /// Stance.
    pub stance: Option<String>,
    /// Text.
    pub body: String,
    /// Proposed replacement text.
    pub proposed_text: Option<String>,
    /// Visibility.
    pub visibility: String,
    /// Moderation state.
    pub state: String,
    /// SHA-256 of the content.
    pub content_hash: String,
    /// Endorsement count.
    pub endorsements: i32,
    /// Why it was hidden.
    pub hidden_reason: Option<String>,
    /// When it was hidden.
    pub hidden_at: Option<NaiveDateTime>,
    /// When it was posted.
    pub created_at: NaiveDateTime,
    /// Chapter or section (章/节) it is about, if any.
    pub division_id: Option<i32>,
}

/// What a new comment stores.
#[derive(Insertable)]
#[diesel(table_name = comments)]
// NULL rather than DEFAULT for `None`: SQLite has no DEFAULT in VALUES, and diesel would insert a
// batch row by row.
#[diesel(treat_none_as_default_value = false)]
pub struct NewCommentRow<'a> {
    /// Tracking number.
    pub tracking: &'a str,
    /// Consultation.
    pub consultation_id: i32,
    /// Draft version commented on.
    pub version_id: i32,
    /// Article.
    pub article_id: Option<i32>,
    /// Comment answered.
    pub parent_id: Option<i32>,
    /// Author.
    pub author_id: Option<i32>,
    /// Author's name now.
    pub author_name: &'a str,
    /// Author's type now.
    pub stakeholder_type: &'a str,
    /// Author's verified organisation now.
    pub organization_name: Option<&'a str>,
    /// Stance.
    pub stance: Option<&'a str>,
    /// Text.
    pub body: &'a str,
    /// Proposed text.
    pub proposed_text: Option<&'a str>,
    /// Visibility.
    pub visibility: &'a str,
    /// State.
    pub state: &'a str,
    /// Content hash.
    pub content_hash: &'a str,
    /// Hash of the "this was not me" token.
    pub dispute_token_hash: &'a str,
    /// Endorsements (0).
    pub endorsements: i32,
    /// Posting time.
    pub created_at: NaiveDateTime,
    /// Chapter or section.
    pub division_id: Option<i32>,
}

/// Stores a new comment together with its search terms (none for a comment kept from the search)
/// and its posting waiting for the public record (`kind`, `payload`); returns its id.
pub fn insert_posted(
    conn: &mut DbConnection,
    row: &NewCommentRow<'_>,
    terms: &[String],
    waiting_kind: &str,
    waiting_payload: &str,
) -> QueryResult<i32> {
    match conn {
        // One statement, one round trip, for the three inserts of the hottest write.
        DbConnection::Postgresql(pg) => InsertPosted {
            row,
            terms,
            waiting_kind,
            waiting_payload,
        }
        .get_result(pg),
        DbConnection::Sqlite(_) => {
            let id = insert(conn, row)?;
            if !terms.is_empty() {
                super::search::insert_terms(conn, COMMENT_DOC, &[(id, terms.to_vec())])?;
            }
            super::ledger::insert_pending(
                conn,
                &super::ledger::NewPending {
                    consultation_id: row.consultation_id,
                    kind: waiting_kind,
                    comment_id: Some(id),
                    payload: waiting_payload,
                    created_at: row.created_at,
                },
            )?;
            Ok(id)
        }
    }
}

/// The `doc_kind` of comments in `search_terms`.
const COMMENT_DOC: &str = "comment";

/// [`insert_posted`] on PostgreSQL: the comment, then its terms and its waiting posting, which
/// need its id, in one statement that diesel prepares once per connection (a `sql_query` would
/// be parsed and planned at every post, which costs what the saved round trips gain).
struct InsertPosted<'a> {
    row: &'a NewCommentRow<'a>,
    terms: &'a [String],
    waiting_kind: &'a str,
    waiting_payload: &'a str,
}

/// The prepared-statement cache key of [`InsertPosted`]: its SQL never changes.
struct InsertPostedId;

impl QueryId for InsertPosted<'_> {
    type QueryId = InsertPostedId;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl Query for InsertPosted<'_> {
    type SqlType = diesel::sql_types::Integer;
}

impl RunQueryDsl<diesel::PgConnection> for InsertPosted<'_> {}

impl diesel::query_builder::QueryFragment<diesel::pg::Pg> for InsertPosted<'_> {
    fn walk_ast<'b>(
        &'b self,
        mut out: diesel::query_builder::AstPass<'_, 'b, diesel::pg::Pg>,
    ) -> QueryResult<()> {
        use diesel::sql_types::{Array, Integer, Nullable, Text, Timestamp};
        let r = self.row;
        out.push_sql(
            "WITH c AS (INSERT INTO comments (tracking, consultation_id, version_id, article_id, \
             parent_id, author_id, author_name, stakeholder_type, organization_name, stance, body, \
             proposed_text, visibility, state, content_hash, dispute_token_hash, endorsements, \
             created_at, division_id) VALUES (",
        );
        out.push_bind_param::<Text, _>(&r.tracking)?;
        out.push_sql(", ");
        out.push_bind_param::<Integer, _>(&r.consultation_id)?;
        out.push_sql(", ");
        out.push_bind_param::<Integer, _>(&r.version_id)?;
        out.push_sql(", ");
        out.push_bind_param::<Nullable<Integer>, _>(&r.article_id)?;
        out.push_sql(", ");
        out.push_bind_param::<Nullable<Integer>, _>(&r.parent_id)?;
        out.push_sql(", ");
        out.push_bind_param::<Nullable<Integer>, _>(&r.author_id)?;
        out.push_sql(", ");
        out.push_bind_param::<Text, _>(&r.author_name)?;
        out.push_sql(", ");
        out.push_bind_param::<Text, _>(&r.stakeholder_type)?;
        out.push_sql(", ");
        out.push_bind_param::<Nullable<Text>, _>(&r.organization_name)?;
        out.push_sql(", ");
        out.push_bind_param::<Nullable<Text>, _>(&r.stance)?;
        out.push_sql(", ");
        out.push_bind_param::<Text, _>(&r.body)?;
        out.push_sql(", ");
        out.push_bind_param::<Nullable<Text>, _>(&r.proposed_text)?;
        out.push_sql(", ");
        out.push_bind_param::<Text, _>(&r.visibility)?;
        out.push_sql(", ");
        out.push_bind_param::<Text, _>(&r.state)?;
        out.push_sql(", ");
        out.push_bind_param::<Text, _>(&r.content_hash)?;
        out.push_sql(", ");
        out.push_bind_param::<Text, _>(&r.dispute_token_hash)?;
        out.push_sql(", ");
        out.push_bind_param::<Integer, _>(&r.endorsements)?;
        out.push_sql(", ");
        out.push_bind_param::<Timestamp, _>(&r.created_at)?;
        out.push_sql(", ");
        out.push_bind_param::<Nullable<Integer>, _>(&r.division_id)?;
        out.push_sql(
            ") RETURNING id), terms AS (INSERT INTO search_terms (term, doc_kind, doc_id) \
             SELECT t.term, ",
        );
        out.push_bind_param::<Text, _>(&COMMENT_DOC)?;
        out.push_sql(", c.id FROM c, unnest(");
        out.push_bind_param::<Array<Text>, _>(&self.terms)?;
        out.push_sql(
            "::text[]) AS t(term)), waiting AS (INSERT INTO ledger_pending (consultation_id, kind, \
             comment_id, payload, created_at) SELECT ",
        );
        out.push_bind_param::<Integer, _>(&r.consultation_id)?;
        out.push_sql(", ");
        out.push_bind_param::<Text, _>(&self.waiting_kind)?;
        out.push_sql(", c.id, ");
        out.push_bind_param::<Text, _>(&self.waiting_payload)?;
        out.push_sql(", ");
        out.push_bind_param::<Timestamp, _>(&r.created_at)?;
        out.push_sql(" FROM c) SELECT id FROM c");
        Ok(())
    }
}

/// Stores a comment and returns its id.
pub fn insert(conn: &mut DbConnection, row: &NewCommentRow<'_>) -> QueryResult<i32> {
    diesel::insert_into(comments::table)
        .values(row)
        .returning(comments::id)
        .get_result(conn)
}

/// The comment with this tracking number.
pub fn by_tracking(conn: &mut DbConnection, tracking: &str) -> QueryResult<Option<CommentRow>> {
    comments::table
        .filter(comments::tracking.eq(tracking))
        .select(CommentRow::as_select())
        .first(conn)
        .optional()
}

/// One of an author's own comments, as posting checks them against a new one.
#[derive(Clone, Debug, Queryable)]
pub struct OwnComment {
    /// Tracking number.
    pub tracking: String,
    /// The article it addresses.
    pub article_id: Option<i32>,
    /// The chapter or section it addresses.
    pub division_id: Option<i32>,
    /// Its receipt's content hash.
    pub content_hash: String,
    /// When it was posted.
    pub created_at: NaiveDateTime,
}

/// `author_id`'s comments with this content hash or posted after `since`: what the duplicate
/// check and the per-account rate need, in one query.
pub fn own_recent_or_same(
    conn: &mut DbConnection,
    author_id: i32,
    content_hash: &str,
    since: NaiveDateTime,
) -> QueryResult<Vec<OwnComment>> {
    // Filtered on the author first, so that no plan can prefer an index on the consultation or
    // the article: with statistics taken when the table was small (a launch day), PostgreSQL
    // scanned every comment of the consultation at each post.
    comments::table
        .filter(comments::author_id.eq(author_id))
        .filter(
            comments::content_hash
                .eq(content_hash)
                .or(comments::created_at.gt(since)),
        )
        .select((
            comments::tracking,
            comments::article_id,
            comments::division_id,
            comments::content_hash,
            comments::created_at,
        ))
        .load(conn)
}

/// The comment a "this was not me" token belongs to: (id, tracking).
pub fn by_dispute_token(
    conn: &mut DbConnection,
    token_hash: &str,
) -> QueryResult<Option<(i32, String)>> {
    comments::table
        .filter(comments::dispute_token_hash.eq(token_hash))
        .select((comments::id, comments::tracking))
        .first(conn)
        .optional()
}

/// The consultation a comment belongs to.
pub fn consultation_of(conn: &mut DbConnection, comment_id: i32) -> QueryResult<i32> {
    comments::table
        .find(comment_id)
        .select(comments::consultation_id)
        .first(conn)
}

/// Records a dispute.
pub fn insert_dispute(
    conn: &mut DbConnection,
    comment_id: i32,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(disputes::table)
        .values((
            disputes::comment_id.eq(comment_id),
            disputes::created_at.eq(now),
        ))
        .execute(conn)
        .map(drop)
}

/// Unresolved disputes of a consultation: (tracking, disputed at), oldest first.
pub fn open_disputes(
    conn: &mut DbConnection,
    consultation_id: i32,
) -> QueryResult<Vec<(CommentRow, NaiveDateTime)>> {
    disputes::table
        .inner_join(comments::table)
        .filter(comments::consultation_id.eq(consultation_id))
        .filter(disputes::resolved_at.is_null())
        .order(disputes::created_at)
        .select((CommentRow::as_select(), disputes::created_at))
        .load(conn)
}

/// Adds the endorsement, or removes it if present, keeping the count in step; true when endorsed now.
pub fn toggle_endorsement(
    conn: &mut DbConnection,
    comment_id: i32,
    user_id: i32,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let removed = diesel::delete(endorsements::table.find((comment_id, user_id))).execute(conn)?;
    if removed > 0 {
        diesel::update(comments::table.find(comment_id))
            .set(comments::endorsements.eq(comments::endorsements - 1))
            .execute(conn)?;
        return Ok(false);
    }
    diesel::insert_into(endorsements::table)
        .values((
            endorsements::comment_id.eq(comment_id),
            endorsements::user_id.eq(user_id),
            endorsements::created_at.eq(now),
        ))
        .execute(conn)?;
    diesel::update(comments::table.find(comment_id))
        .set(comments::endorsements.eq(comments::endorsements + 1))
        .execute(conn)?;
    Ok(true)
}

/// Which of `ids` the user endorses.
pub fn endorsed_by(conn: &mut DbConnection, user_id: i32, ids: &[i32]) -> QueryResult<Vec<i32>> {
    endorsements::table
        .filter(endorsements::user_id.eq(user_id))
        .filter(endorsements::comment_id.eq_any(ids))
        .select(endorsements::comment_id)
        .load(conn)
}

/// Which comments of one article a page shows.
#[derive(Clone, Debug)]
pub struct ArticleQuery<'a> {
    /// The article.
    pub article_id: i32,
    /// Include comments only drafters may read.
    pub drafters_view: bool,
    /// Only this stance.
    pub stance: Option<&'a str>,
    /// Only this stakeholder type.
    pub stakeholder_type: Option<&'a str>,
    /// Most endorsed first instead of newest first.
    pub by_endorsements: bool,
}

/// Top-level comments of an article for one page, and how many match in all.
pub fn article_page(
    conn: &mut DbConnection,
    q: &ArticleQuery<'_>,
    offset: i64,
    limit: i64,
) -> QueryResult<(Vec<CommentRow>, i64)> {
    macro_rules! filtered {
        () => {{
            let mut query = comments::table
                .filter(comments::article_id.eq(q.article_id))
                .filter(comments::parent_id.is_null())
                .into_boxed();
            if !q.drafters_view {
                query = query.filter(comments::visibility.ne("drafters"));
            }
            if let Some(s) = q.stance {
                query = query.filter(comments::stance.eq(s));
            }
            if let Some(t) = q.stakeholder_type {
                query = query.filter(comments::stakeholder_type.eq(t));
            }
            query
        }};
    }
    let total: i64 = filtered!().count().get_result(conn)?;
    let mut page = filtered!().select(CommentRow::as_select());
    page = if q.by_endorsements {
        page.order((
            comments::endorsements.desc(),
            comments::created_at.desc(),
            comments::id.desc(),
        ))
    } else {
        page.order((comments::created_at.desc(), comments::id.desc()))
    };
    let rows = page.offset(offset).limit(limit).load(conn)?;
    Ok((rows, total))
}

/// The newest comments on a consultation's draft as a whole (not on an article), at most `limit`.
pub fn draft_level(
    conn: &mut DbConnection,
    consultation_id: i32,
    division_id: Option<i32>,
    drafters_view: bool,
    limit: i64,
) -> QueryResult<Vec<CommentRow>> {
    let hidden_from_public: Vec<&str> = if drafters_view {
        Vec::new()
    } else {
        vec!["drafters"]
    };
    let query = comments::table
        .filter(comments::consultation_id.eq(consultation_id))
        .filter(comments::article_id.is_null())
        .filter(comments::parent_id.is_null())
        .filter(comments::visibility.ne_all(hidden_from_public))
        .order((comments::created_at.desc(), comments::id.desc()))
        .limit(limit)
        .select(CommentRow::as_select())
        .into_boxed();
    match division_id {
        Some(d) => query.filter(comments::division_id.eq(d)),
        None => query.filter(comments::division_id.is_null()),
    }
    .load(conn)
}

/// Replies to any of `parents`, oldest first.
pub fn replies(
    conn: &mut DbConnection,
    parents: &[i32],
    drafters_view: bool,
) -> QueryResult<Vec<CommentRow>> {
    if parents.is_empty() {
        return Ok(Vec::new());
    }
    let mut query = comments::table
        .filter(comments::parent_id.eq_any(parents))
        .select(CommentRow::as_select())
        .order((comments::created_at, comments::id))
        .into_boxed();
    if !drafters_view {
        query = query.filter(comments::visibility.ne("drafters"));
    }
    query.load(conn)
}

/// Top-level comments of an article counted by one column (`stance` or `stakeholder_type`).
pub fn article_counts(
    conn: &mut DbConnection,
    article_id: i32,
    drafters_view: bool,
    by_stance: bool,
) -> QueryResult<Vec<(Option<String>, i64)>> {
    let hidden_from_public: Vec<&str> = if drafters_view {
        Vec::new()
    } else {
        vec!["drafters"]
    };
    let base = comments::table
        .filter(comments::article_id.eq(article_id))
        .filter(comments::parent_id.is_null())
        .filter(comments::visibility.ne_all(hidden_from_public));
    if by_stance {
        base.group_by(comments::stance)
            .select((comments::stance, diesel::dsl::count_star()))
            .load(conn)
    } else {
        base.group_by(comments::stakeholder_type)
            .select((
                comments::stakeholder_type.nullable(),
                diesel::dsl::count_star(),
            ))
            .load(conn)
    }
}

/// Public comments (replies included) per article number of a consultation.
pub fn per_article_number(
    conn: &mut DbConnection,
    consultation_id: i32,
) -> QueryResult<Vec<(i32, i64)>> {
    comments::table
        .inner_join(articles::table)
        .filter(comments::consultation_id.eq(consultation_id))
        .filter(comments::visibility.ne("drafters"))
        .group_by(articles::number)
        .select((articles::number, diesel::dsl::count_star()))
        .load(conn)
}

/// A comment stored in bulk (the demo's generated comments): a new comment with its moderation
/// trace, for those generated as hidden.
#[derive(Insertable)]
#[diesel(table_name = comments)]
#[diesel(treat_none_as_default_value = false)]
pub struct BulkCommentRow<'a> {
    /// The comment.
    #[diesel(embed)]
    pub comment: NewCommentRow<'a>,
    /// Why it was hidden.
    pub hidden_reason: Option<&'a str>,
    /// When it was hidden.
    pub hidden_at: Option<NaiveDateTime>,
}

/// Stores `rows` with one statement and returns (id, tracking) of each. MultiConnection cannot
/// compile a multi-row insert, so each backend gets its own.
pub fn insert_batch(
    conn: &mut DbConnection,
    rows: &[BulkCommentRow<'_>],
) -> QueryResult<Vec<(i32, String)>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let query = diesel::insert_into(comments::table)
        .values(rows)
        .returning((comments::id, comments::tracking));
    match conn {
        DbConnection::Postgresql(pg) => query.get_results(pg),
        DbConnection::Sqlite(lite) => query.get_results(lite),
    }
}

/// Which of `trackings` are taken already.
pub fn existing_trackings(conn: &mut DbConnection, trackings: &[&str]) -> QueryResult<Vec<String>> {
    comments::table
        .filter(comments::tracking.eq_any(trackings))
        .select(comments::tracking)
        .load(conn)
}

/// Stores endorsements (comment, user, time) with one statement; the caller keeps
/// `comments.endorsements` in step.
pub fn insert_endorsements(
    conn: &mut DbConnection,
    rows: &[(i32, i32, NaiveDateTime)],
) -> QueryResult<usize> {
    if rows.is_empty() {
        return Ok(0);
    }
    let values: Vec<_> = rows
        .iter()
        .map(|&(comment_id, user_id, at)| {
            (
                endorsements::comment_id.eq(comment_id),
                endorsements::user_id.eq(user_id),
                endorsements::created_at.eq(at),
            )
        })
        .collect();
    let query = diesel::insert_into(endorsements::table).values(&values);
    match conn {
        DbConnection::Postgresql(pg) => query.execute(pg),
        DbConnection::Sqlite(lite) => query.execute(lite),
    }
}
