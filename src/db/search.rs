//! Queries on `search_terms`, the inverted index of search, and the reads search needs.

use diesel::deserialize::{self, QueryableByName};
use diesel::prelude::*;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::query_dsl::LoadQuery;
use diesel::row::NamedRow;
use diesel::sql_types::{Text, Untyped};

use super::schema::{articles, consultations, draft_versions, search_terms, settings};
use super::{DbConnection, MultiBackend};
use crate::drafts::Language;
use crate::search::{DocKind, Lookup};

/// Rows per INSERT (three binds each) and ids per DELETE: far below either backend's limit.
const CHUNK: usize = 1000;

/// The `settings` key naming the tokenizer the stored terms were made with.
const TOKENIZER_SETTING: &str = "search_tokenizer";

diesel::alias!(draft_versions as translations: TranslationsAlias);

#[derive(Insertable)]
#[diesel(table_name = search_terms)]
struct NewTerm<'a> {
    term: &'a str,
    doc_kind: &'a str,
    doc_id: i32,
}

/// Replaces the stored terms of every `(document id, terms)` in `docs`, documents of kind `kind`.
pub fn replace_terms(
    conn: &mut DbConnection,
    kind: &str,
    docs: &[(i32, Vec<String>)],
) -> QueryResult<()> {
    let ids: Vec<i32> = docs.iter().map(|(id, _)| *id).collect();
    remove_terms(conn, kind, &ids)?;
    insert_terms(conn, kind, docs)
}

/// Stores the terms of documents not indexed before (a new comment: no terms to remove first).
pub fn insert_terms(
    conn: &mut DbConnection,
    kind: &str,
    docs: &[(i32, Vec<String>)],
) -> QueryResult<()> {
    let rows: Vec<NewTerm<'_>> = docs
        .iter()
        .flat_map(|(id, terms)| {
            terms.iter().map(move |term| NewTerm {
                term,
                doc_kind: kind,
                doc_id: *id,
            })
        })
        .collect();
    for chunk in rows.chunks(CHUNK) {
        // MultiConnection cannot compile a multi-row INSERT; each backend's own connection can.
        let insert = diesel::insert_into(search_terms::table).values(chunk);
        match conn {
            DbConnection::Postgresql(pg) => insert.execute(pg)?,
            DbConnection::Sqlite(lite) => insert.execute(lite)?,
        };
    }
    Ok(())
}

/// Removes the terms of documents `ids` of kind `kind`.
pub fn remove_terms(conn: &mut DbConnection, kind: &str, ids: &[i32]) -> QueryResult<()> {
    for chunk in ids.chunks(CHUNK) {
        diesel::delete(
            search_terms::table
                .filter(search_terms::doc_kind.eq(kind))
                .filter(search_terms::doc_id.eq_any(chunk)),
        )
        .execute(conn)?;
    }
    Ok(())
}

/// Removes the terms of every document of kind `kind`.
pub fn clear_kind(conn: &mut DbConnection, kind: &str) -> QueryResult<()> {
    diesel::delete(search_terms::table.filter(search_terms::doc_kind.eq(kind)))
        .execute(conn)
        .map(drop)
}

/// An article's text as indexed.
#[derive(Clone, Debug)]
pub struct ArticleText {
    /// Row id, the document id in the index.
    pub id: i32,
    /// Label, such as 第五条.
    pub label: String,
    /// Body.
    pub body: String,
}

/// Every article of version `version_id`.
pub fn article_texts(conn: &mut DbConnection, version_id: i32) -> QueryResult<Vec<ArticleText>> {
    Ok(articles::table
        .filter(articles::version_id.eq(version_id))
        .order(articles::position)
        .select((articles::id, articles::label, articles::body))
        .load::<(i32, String, String)>(conn)?
        .into_iter()
        .map(|(id, label, body)| ArticleText { id, label, body })
        .collect())
}

/// The ids of every consultation's current version and of that version's translations.
pub fn current_version_ids(conn: &mut DbConnection) -> QueryResult<Vec<i32>> {
    draft_versions::table
        .inner_join(consultations::table)
        .filter(
            draft_versions::id
                .nullable()
                .eq(consultations::current_version_id)
                .or(draft_versions::translation_of.eq(consultations::current_version_id)),
        )
        .order(draft_versions::id)
        .select(draft_versions::id)
        .load(conn)
}

/// Keeps other instances from re-indexing until the current transaction ends: PostgreSQL takes
/// a transaction-scoped advisory lock; on SQLite the write transaction already excludes them.
pub fn lock_index(conn: &mut DbConnection) -> QueryResult<()> {
    if let DbConnection::Postgresql(pg) = conn {
        diesel::sql_query("SELECT pg_advisory_xact_lock(7013276)").execute(pg)?;
    }
    Ok(())
}

/// Refreshes the planner's statistics of the tables a search joins after a bulk change of the
/// index. PostgreSQL otherwise plans with the estimates from before the change until autovacuum
/// analyzes them, and for a large draft imported into a small database those make it probe the
/// index once per article instead of looking the terms up. SQLite plans without statistics and
/// looks the terms up anyway.
pub fn refresh_statistics(conn: &mut DbConnection) -> QueryResult<()> {
    if let DbConnection::Postgresql(pg) = conn {
        diesel::sql_query("ANALYZE search_terms, articles, draft_versions, consultations")
            .execute(pg)?;
    }
    Ok(())
}

/// The tokenizer version the stored terms were made with, if any.
pub fn tokenizer_version(conn: &mut DbConnection) -> QueryResult<Option<String>> {
    settings::table
        .find(TOKENIZER_SETTING)
        .select(settings::value)
        .first(conn)
        .optional()
}

/// Records the tokenizer version the stored terms were made with.
pub fn set_tokenizer_version(conn: &mut DbConnection, version: &str) -> QueryResult<()> {
    diesel::delete(settings::table.find(TOKENIZER_SETTING)).execute(conn)?;
    diesel::insert_into(settings::table)
        .values((
            settings::key.eq(TOKENIZER_SETTING),
            settings::value.eq(version),
        ))
        .execute(conn)
        .map(drop)
}

/// The ids of documents of kind `kind` that have `term`, as a subquery: a look-up in
/// `search_terms`' primary key, which starts with the term.
#[diesel::dsl::auto_type(no_type_alias)]
pub fn documents_with_term<'a>(kind: &'a str, term: &'a str) -> _ {
    search_terms::table
        .select(search_terms::doc_id)
        .filter(search_terms::term.eq(term))
        .filter(search_terms::doc_kind.eq(kind))
}

/// The ids of documents of kind `kind` that have a term starting with the CJK character `c`, as
/// a subquery: a range of the primary key, since terms compare by code point (COLLATE "C" on
/// PostgreSQL) and those starting with `c` lie between `c` and the next character.
#[diesel::dsl::auto_type(no_type_alias)]
pub fn documents_with_term_starting<'a>(kind: &'a str, c: char) -> _ {
    let from: String = c.to_string();
    let to: String = char::from_u32(u32::from(c) + 1)
        .unwrap_or(char::MAX)
        .to_string();
    search_terms::table
        .select(search_terms::doc_id)
        .filter(search_terms::term.ge(from))
        .filter(search_terms::term.lt(to))
        .filter(search_terms::doc_kind.eq(kind))
}

/// An article that has every looked-up term, with its consultation.
#[derive(Clone, Debug)]
pub struct ArticleMatch {
    /// Article number.
    pub number: i32,
    /// Label, such as 第五条.
    pub label: String,
    /// Body.
    pub body: String,
    /// The consultation's URL name.
    pub slug: String,
    /// The consultation's title.
    pub title: String,
    /// The consultation's title in English.
    pub title_en: Option<String>,
}

type MatchRow = (i32, String, String, String, String, Option<String>);

/// Articles of the version a reader of `language` is shown (a current version's translation
/// into `language`, else the current version itself) that satisfy every lookup, by
/// consultation (closing last first) and document order; at most `limit`.
fn matching_query<'a>(
    lookups: &'a [Lookup],
    language: Language,
    limit: i64,
) -> impl LoadQuery<'a, DbConnection, MatchRow> + QueryFragment<MultiBackend> + QueryId + 'a {
    let lang = super::drafts::language_str(language);
    let translation_id = translations.field(draft_versions::id);
    let is_current = draft_versions::id
        .nullable()
        .eq(consultations::current_version_id);
    let shown_original = is_current.and(
        draft_versions::language
            .eq(lang)
            .or(translation_id.is_null()),
    );
    let shown_translation = draft_versions::translation_of
        .eq(consultations::current_version_id)
        .and(draft_versions::language.eq(lang));
    let mut query = articles::table
        .inner_join(draft_versions::table.inner_join(consultations::table))
        .left_join(
            translations.on(translations
                .field(draft_versions::translation_of)
                .eq(consultations::current_version_id)
                .and(translations.field(draft_versions::language).eq(lang))),
        )
        .filter(shown_original.or(shown_translation))
        .select((
            articles::number,
            articles::label,
            articles::body,
            consultations::slug,
            consultations::title,
            consultations::title_en,
        ))
        .order((
            consultations::closes_at.desc(),
            consultations::id.desc(),
            articles::position,
        ))
        .limit(limit)
        .into_boxed();
    let kind = DocKind::Article.as_str();
    for lookup in lookups {
        query = match lookup {
            Lookup::Term(term) => {
                query.filter(articles::id.eq_any(documents_with_term(kind, term)))
            }
            Lookup::StartsWith(c) => {
                query.filter(articles::id.eq_any(documents_with_term_starting(kind, *c)))
            }
        };
    }
    query
}

/// The articles [`matching_query`] selects; none without a lookup.
pub fn matching_articles(
    conn: &mut DbConnection,
    lookups: &[Lookup],
    language: Language,
    limit: i64,
) -> QueryResult<Vec<ArticleMatch>> {
    if lookups.is_empty() {
        return Ok(Vec::new());
    }
    Ok(matching_query(lookups, language, limit)
        .load::<MatchRow>(conn)?
        .into_iter()
        .map(
            |(number, label, body, slug, title, title_en)| ArticleMatch {
                number,
                label,
                body,
                slug,
                title,
                title_en,
            },
        )
        .collect())
}

/// The database's plan for [`matching_articles`], one line per step.
pub fn matching_articles_plan(
    conn: &mut DbConnection,
    lookups: &[Lookup],
    language: Language,
    limit: i64,
) -> QueryResult<Vec<String>> {
    Ok(Explain(matching_query(lookups, language, limit))
        .load::<PlanLine>(conn)?
        .into_iter()
        .map(|l| l.0)
        .collect())
}

/// `EXPLAIN` of a query, in the words of the backend that runs it.
struct Explain<Q>(Q);

impl<Q: QueryFragment<MultiBackend>> QueryFragment<MultiBackend> for Explain<Q> {
    fn walk_ast<'b>(&'b self, mut pass: AstPass<'_, 'b, MultiBackend>) -> QueryResult<()> {
        pass.push_sql(match pass.backend() {
            MultiBackend::Postgresql(_) => "EXPLAIN ",
            MultiBackend::Sqlite(_) => "EXPLAIN QUERY PLAN ",
        });
        self.0.walk_ast(pass.reborrow())
    }
}

impl<Q> QueryId for Explain<Q> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<Q> Query for Explain<Q> {
    type SqlType = Untyped;
}

impl<Q> RunQueryDsl<DbConnection> for Explain<Q> {}

/// One line of a plan: SQLite calls its column `detail`, PostgreSQL `QUERY PLAN`.
struct PlanLine(String);

impl QueryableByName<MultiBackend> for PlanLine {
    fn build<'a>(row: &impl NamedRow<'a, MultiBackend>) -> deserialize::Result<Self> {
        NamedRow::get::<Text, String>(row, "detail")
            .or_else(|_| NamedRow::get::<Text, String>(row, "QUERY PLAN"))
            .map(Self)
    }
}

/// A public comment that may match a search.
#[derive(Clone, Debug)]
pub struct CommentMatch {
    /// Tracking number, for the link.
    pub tracking: String,
    /// Text, then proposed text.
    pub text: String,
    /// The article's number and label (the whole draft has none).
    pub article: Option<(i32, String)>,
    /// The consultation's slug.
    pub slug: String,
    /// Its title.
    pub title: String,
    /// Its English title.
    pub title_en: Option<String>,
}

type CommentMatchRow = (
    String,
    String,
    Option<String>,
    Option<i32>,
    Option<String>,
    String,
    String,
    Option<String>,
);

/// Published, public comments holding every lookup, newest first.
pub fn matching_comments(
    conn: &mut DbConnection,
    lookups: &[Lookup],
    limit: i64,
) -> QueryResult<Vec<CommentMatch>> {
    use super::schema::comments;
    if lookups.is_empty() {
        return Ok(Vec::new());
    }
    let mut query = comments::table
        .inner_join(consultations::table)
        .left_join(articles::table)
        .filter(comments::state.eq("published"))
        .filter(comments::visibility.ne("drafters"))
        .select((
            comments::tracking,
            comments::body,
            comments::proposed_text,
            articles::number.nullable(),
            articles::label.nullable(),
            consultations::slug,
            consultations::title,
            consultations::title_en,
        ))
        .order((comments::created_at.desc(), comments::id.desc()))
        .limit(limit)
        .into_boxed();
    let kind = DocKind::Comment.as_str();
    for lookup in lookups {
        query = match lookup {
            Lookup::Term(term) => {
                query.filter(comments::id.eq_any(documents_with_term(kind, term)))
            }
            Lookup::StartsWith(c) => {
                query.filter(comments::id.eq_any(documents_with_term_starting(kind, *c)))
            }
        };
    }
    Ok(query
        .load::<CommentMatchRow>(conn)?
        .into_iter()
        .map(
            |(tracking, body, proposed, number, label, slug, title, title_en)| CommentMatch {
                tracking,
                text: crate::search::comment_text(&body, proposed.as_deref()),
                article: number.zip(label),
                slug,
                title,
                title_en,
            },
        )
        .collect())
}

/// Every published, public comment's id and indexed text.
pub fn public_comment_texts(conn: &mut DbConnection) -> QueryResult<Vec<(i32, String)>> {
    use super::schema::comments;
    Ok(comments::table
        .filter(comments::state.eq("published"))
        .filter(comments::visibility.ne("drafters"))
        .select((comments::id, comments::body, comments::proposed_text))
        .load::<(i32, String, Option<String>)>(conn)?
        .into_iter()
        .map(|(id, body, proposed)| (id, crate::search::comment_text(&body, proposed.as_deref())))
        .collect())
}
