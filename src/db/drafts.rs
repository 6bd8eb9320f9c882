//! Queries on `draft_versions`, `divisions` and `articles`.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConnection;
use super::schema::{articles, divisions, draft_versions};
use crate::drafts::{
    Article, ArticleHead, Division, DivisionKind, DraftVersion, Language, ParsedDraft,
};

fn bad_value(what: &str, value: &str) -> diesel::result::Error {
    diesel::result::Error::DeserializationError(format!("unknown {what} '{value}'").into())
}

/// The value stored in `draft_versions.language`.
pub(super) fn language_str(l: Language) -> &'static str {
    match l {
        Language::Chinese => "zh-CN",
        Language::English => "en",
    }
}

fn parse_language(s: &str) -> QueryResult<Language> {
    match s {
        "zh-CN" => Ok(Language::Chinese),
        "en" => Ok(Language::English),
        other => Err(bad_value("language", other)),
    }
}

type VersionRow = (i32, i32, String, String, String);

fn version_columns() -> (
    draft_versions::id,
    draft_versions::number,
    draft_versions::language,
    draft_versions::title,
    draft_versions::preamble,
) {
    (
        draft_versions::id,
        draft_versions::number,
        draft_versions::language,
        draft_versions::title,
        draft_versions::preamble,
    )
}

fn to_version((id, number, language, title, preamble): VersionRow) -> QueryResult<DraftVersion> {
    Ok(DraftVersion {
        id,
        number,
        language: parse_language(&language)?,
        title,
        preamble,
    })
}

/// Stores a parsed draft as a version of `consultation_id` and returns the version's id.
/// Divisions and articles share one position counter, so document order survives.
pub fn insert_version(
    conn: &mut DbConnection,
    consultation_id: i32,
    number: i32,
    translation_of: Option<i32>,
    draft: &ParsedDraft,
    now: NaiveDateTime,
) -> QueryResult<i32> {
    let version_id: i32 = diesel::insert_into(draft_versions::table)
        .values((
            draft_versions::consultation_id.eq(consultation_id),
            draft_versions::number.eq(number),
            draft_versions::language.eq(language_str(draft.language)),
            draft_versions::translation_of.eq(translation_of),
            draft_versions::title.eq(&draft.title),
            draft_versions::preamble.eq(&draft.preamble),
            draft_versions::created_at.eq(now),
        ))
        .returning(draft_versions::id)
        .get_result(conn)?;

    let mut division_ids: Vec<i32> = Vec::with_capacity(draft.divisions.len());
    let mut articles_iter = draft.articles.iter().peekable();
    let mut position = 0i32;
    let insert_article = |conn: &mut DbConnection,
                          a: &crate::drafts::import::ParsedArticle,
                          ids: &[i32],
                          position: i32|
     -> QueryResult<()> {
        diesel::insert_into(articles::table)
            .values((
                articles::version_id.eq(version_id),
                articles::division_id.eq(a.division.and_then(|i| ids.get(i).copied())),
                articles::number.eq(a.number),
                articles::label.eq(&a.label),
                articles::body.eq(a.body.join("\n")),
                articles::position.eq(position),
                articles::stable_key.eq(format!("v{number}-{}", a.number)),
            ))
            .execute(conn)
            .map(drop)
    };
    for (index, d) in draft.divisions.iter().enumerate() {
        // Articles that come before this heading in the text: those in earlier divisions.
        while let Some(a) = articles_iter.next_if(|a| a.division.is_none_or(|di| di < index)) {
            insert_article(conn, a, &division_ids, position)?;
            position += 1;
        }
        let id: i32 = diesel::insert_into(divisions::table)
            .values((
                divisions::version_id.eq(version_id),
                divisions::parent_id.eq(d.parent.and_then(|p| division_ids.get(p).copied())),
                divisions::kind.eq(d.kind.as_str()),
                divisions::number.eq(d.number),
                divisions::label.eq(&d.label),
                divisions::title.eq(&d.title),
                divisions::position.eq(position),
            ))
            .returning(divisions::id)
            .get_result(conn)?;
        division_ids.push(id);
        position += 1;
    }
    for a in articles_iter {
        insert_article(conn, a, &division_ids, position)?;
        position += 1;
    }
    Ok(version_id)
}

/// One version by id.
pub fn version(conn: &mut DbConnection, id: i32) -> QueryResult<Option<DraftVersion>> {
    draft_versions::table
        .find(id)
        .select(version_columns())
        .first::<VersionRow>(conn)
        .optional()?
        .map(to_version)
        .transpose()
}

/// The reference translation of version `original_id` into `language`, if one exists.
pub fn translation(
    conn: &mut DbConnection,
    original_id: i32,
    language: Language,
) -> QueryResult<Option<DraftVersion>> {
    draft_versions::table
        .filter(draft_versions::translation_of.eq(original_id))
        .filter(draft_versions::language.eq(language_str(language)))
        .select(version_columns())
        .first::<VersionRow>(conn)
        .optional()?
        .map(to_version)
        .transpose()
}

type DivisionRow = (i32, Option<i32>, String, String, String, i32);

/// All divisions of a version in document order.
pub fn divisions(conn: &mut DbConnection, version_id: i32) -> QueryResult<Vec<Division>> {
    divisions::table
        .filter(divisions::version_id.eq(version_id))
        .order(divisions::position)
        .select((
            divisions::id,
            divisions::parent_id,
            divisions::kind,
            divisions::label,
            divisions::title,
            divisions::position,
        ))
        .load::<DivisionRow>(conn)?
        .into_iter()
        .map(|(id, parent_id, kind, label, title, position)| {
            Ok(Division {
                id,
                parent_id,
                kind: DivisionKind::parse(&kind)
                    .ok_or_else(|| bad_value("division kind", &kind))?,
                label,
                title,
                position,
            })
        })
        .collect()
}

type HeadRow = (i32, i32, String, Option<i32>, i32);

fn head_columns() -> (
    articles::id,
    articles::number,
    articles::label,
    articles::division_id,
    articles::position,
) {
    (
        articles::id,
        articles::number,
        articles::label,
        articles::division_id,
        articles::position,
    )
}

fn to_head((id, number, label, division_id, position): HeadRow) -> ArticleHead {
    ArticleHead {
        id,
        number,
        label,
        division_id,
        position,
    }
}

/// Number, label and place of every article of a version, in document order.
pub fn article_heads(conn: &mut DbConnection, version_id: i32) -> QueryResult<Vec<ArticleHead>> {
    Ok(articles::table
        .filter(articles::version_id.eq(version_id))
        .order(articles::position)
        .select(head_columns())
        .load::<HeadRow>(conn)?
        .into_iter()
        .map(to_head)
        .collect())
}

type ArticleRow = (HeadRow, String, String);

fn to_article((head, body, stable_key): ArticleRow) -> Article {
    Article {
        head: to_head(head),
        body,
        stable_key,
    }
}

/// Every article of a version with its text, in document order.
pub fn articles(conn: &mut DbConnection, version_id: i32) -> QueryResult<Vec<Article>> {
    Ok(articles::table
        .filter(articles::version_id.eq(version_id))
        .order(articles::position)
        .select((head_columns(), articles::body, articles::stable_key))
        .load::<ArticleRow>(conn)?
        .into_iter()
        .map(to_article)
        .collect())
}

/// Article `number` of a version.
pub fn article(
    conn: &mut DbConnection,
    version_id: i32,
    number: i32,
) -> QueryResult<Option<Article>> {
    Ok(articles::table
        .filter(articles::version_id.eq(version_id))
        .filter(articles::number.eq(number))
        .select((head_columns(), articles::body, articles::stable_key))
        .first::<ArticleRow>(conn)
        .optional()?
        .map(to_article))
}

/// The articles just before and just after `position` in a version.
pub fn neighbours(
    conn: &mut DbConnection,
    version_id: i32,
    position: i32,
) -> QueryResult<(Option<ArticleHead>, Option<ArticleHead>)> {
    let prev = articles::table
        .filter(articles::version_id.eq(version_id))
        .filter(articles::position.lt(position))
        .order(articles::position.desc())
        .select(head_columns())
        .first::<HeadRow>(conn)
        .optional()?
        .map(to_head);
    let next = articles::table
        .filter(articles::version_id.eq(version_id))
        .filter(articles::position.gt(position))
        .order(articles::position)
        .select(head_columns())
        .first::<HeadRow>(conn)
        .optional()?
        .map(to_head);
    Ok((prev, next))
}

/// Id and label of article `number` of a version.
pub fn article_ref(
    conn: &mut DbConnection,
    version_id: i32,
    number: i32,
) -> QueryResult<Option<(i32, String)>> {
    articles::table
        .filter(articles::version_id.eq(version_id))
        .filter(articles::number.eq(number))
        .select((articles::id, articles::label))
        .first(conn)
        .optional()
}

/// Id and label of the division at `position` in a version.
pub fn division_ref(
    conn: &mut DbConnection,
    version_id: i32,
    position: i32,
) -> QueryResult<Option<(i32, String)>> {
    divisions::table
        .filter(divisions::version_id.eq(version_id))
        .filter(divisions::position.eq(position))
        .select((divisions::id, divisions::label))
        .first(conn)
        .optional()
}

/// Position and label of the division with this id.
pub fn division_position_label(
    conn: &mut DbConnection,
    id: i32,
) -> QueryResult<Option<(i32, String)>> {
    divisions::table
        .find(id)
        .select((divisions::position, divisions::label))
        .first(conn)
        .optional()
}

/// The articles of a version placed strictly between two positions, with their text.
pub fn articles_between(
    conn: &mut DbConnection,
    version_id: i32,
    after: i32,
    before: i32,
) -> QueryResult<Vec<Article>> {
    Ok(articles::table
        .filter(articles::version_id.eq(version_id))
        .filter(articles::position.gt(after))
        .filter(articles::position.lt(before))
        .order(articles::position)
        .select((head_columns(), articles::body, articles::stable_key))
        .load::<ArticleRow>(conn)?
        .into_iter()
        .map(to_article)
        .collect())
}

/// The stable key of article `id`, which follows it across versions.
pub fn article_stable_key(conn: &mut DbConnection, id: i32) -> QueryResult<Option<String>> {
    articles::table
        .find(id)
        .select(articles::stable_key)
        .first(conn)
        .optional()
}

/// Number and label of the article with this id.
pub fn article_number_label(
    conn: &mut DbConnection,
    id: i32,
) -> QueryResult<Option<(i32, String)>> {
    articles::table
        .find(id)
        .select((articles::number, articles::label))
        .first(conn)
        .optional()
}
