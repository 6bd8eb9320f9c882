//! The drafters' dashboard: who said what about which article, how participation went day by
//! day, and what still needs the drafters — all from indexed aggregates (see `db::dashboard`).

use chrono::{NaiveDate, NaiveDateTime};

use crate::accounts::StakeholderType;
use crate::comments::{Comment, Stance};
use crate::consultations::Consultation;
use crate::db::{self, DbConnection, DbError};
use crate::responses;

/// Most endorsed comments listed.
pub const TOP_ENDORSED: i64 = 10;
/// Organisations listed.
pub const TOP_ORGANIZATIONS: i64 = 20;
/// Levels of the heat map's colour scale (0 is an empty cell).
pub const HEAT_LEVELS: i64 = 5;

/// One row of the matrix: an article (or the draft as a whole) and its counts per column.
#[derive(Clone, Debug)]
pub struct MatrixRow {
    /// Article id; `None` for comments on the draft as a whole.
    pub article_id: Option<i32>,
    /// Article number; `None` for comments on the draft as a whole.
    pub number: Option<i32>,
    /// Article label (empty for the draft as a whole).
    pub label: String,
    /// Counts in the order of [`Matrix::columns`].
    pub cells: Vec<i64>,
    /// Sum of the row.
    pub total: i64,
}

/// Counts of top-level comments (hidden ones left out) per article × stakeholder type × stance.
#[derive(Clone, Debug, Default)]
pub struct Matrix {
    /// Columns: every stakeholder type × every stance, type-major.
    pub columns: Vec<(StakeholderType, Stance)>,
    /// Every article of the current text in document order, then the draft as a whole.
    pub rows: Vec<MatrixRow>,
    /// Per stakeholder type: (type, count).
    pub by_type: Vec<(StakeholderType, i64)>,
    /// Per stance: (stance, count).
    pub by_stance: Vec<(Stance, i64)>,
    /// All counted comments.
    pub total: i64,
    /// The largest cell, for the colour scale.
    pub max_cell: i64,
}

impl Matrix {
    /// The heat level (0..=[`HEAT_LEVELS`]) of a count: 0 only for an empty cell.
    pub fn level(&self, n: i64) -> i64 {
        if n <= 0 || self.max_cell <= 0 {
            0
        } else {
            ((n * HEAT_LEVELS + self.max_cell - 1) / self.max_cell).clamp(1, HEAT_LEVELS)
        }
    }
}

/// Builds the matrix from the grouped counts and the current text's articles.
pub fn matrix(conn: &mut DbConnection, consultation: &Consultation) -> Result<Matrix, DbError> {
    let counts = db::dashboard::matrix(conn, consultation.id)?;
    let heads = match consultation.current_version_id {
        Some(v) => db::drafts::article_heads(conn, v)?,
        None => Vec::new(),
    };
    let columns: Vec<(StakeholderType, Stance)> = StakeholderType::ALL
        .iter()
        .flat_map(|t| Stance::ALL.iter().map(move |s| (*t, *s)))
        .collect();
    let column_of = |t: &str, s: Option<&str>| {
        columns
            .iter()
            .position(|(ct, cs)| ct.as_str() == t && Some(cs.as_str()) == s)
    };
    let mut rows: Vec<MatrixRow> = heads
        .iter()
        .map(|h| MatrixRow {
            article_id: Some(h.id),
            number: Some(h.number),
            label: h.label.clone(),
            cells: vec![0; columns.len()],
            total: 0,
        })
        .chain(std::iter::once(MatrixRow {
            article_id: None,
            number: None,
            label: String::new(),
            cells: vec![0; columns.len()],
            total: 0,
        }))
        .collect();
    let whole = rows.len() - 1;
    for (article, t, s, n) in counts {
        let row = match article {
            None => Some(whole),
            // Comments on articles of an earlier version have no row in the current text.
            Some(id) => heads.iter().position(|h| h.id == id),
        };
        if let (Some(r), Some(c)) = (row, column_of(&t, s.as_deref())) {
            rows[r].cells[c] += n;
            rows[r].total += n;
        }
    }
    let by_type = StakeholderType::ALL
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let n = rows
                .iter()
                .map(|r| {
                    r.cells[i * Stance::ALL.len()..(i + 1) * Stance::ALL.len()]
                        .iter()
                        .sum::<i64>()
                })
                .sum();
            (*t, n)
        })
        .collect();
    let by_stance = Stance::ALL
        .iter()
        .enumerate()
        .map(|(j, s)| {
            let n = rows
                .iter()
                .map(|r| {
                    r.cells
                        .iter()
                        .skip(j)
                        .step_by(Stance::ALL.len())
                        .sum::<i64>()
                })
                .sum();
            (*s, n)
        })
        .collect();
    let max_cell = rows
        .iter()
        .flat_map(|r| r.cells.iter().copied())
        .max()
        .unwrap_or(0);
    let total = rows.iter().map(|r| r.total).sum();
    Ok(Matrix {
        columns,
        rows,
        by_type,
        by_stance,
        total,
        max_cell,
    })
}

/// One bar of the comments-per-day chart, laid out in SVG user units.
#[derive(Clone, Debug)]
pub struct DayBar {
    /// The day in Beijing time.
    pub day: NaiveDate,
    /// Comments that day.
    pub n: i64,
    /// Left edge.
    pub x: f64,
    /// Top edge.
    pub y: f64,
    /// Width.
    pub width: f64,
    /// Height.
    pub height: f64,
}

/// Width of the per-day chart's drawing area.
pub const CHART_WIDTH: f64 = 720.0;
/// Height of the per-day chart's drawing area.
pub const CHART_HEIGHT: f64 = 160.0;

/// Lays out one bar per day from the first to the last day with comments, empty days included.
pub fn day_bars(counts: &[(String, i64)]) -> Vec<DayBar> {
    let parsed: Vec<(NaiveDate, i64)> = counts
        .iter()
        .filter_map(|(d, n)| {
            NaiveDate::parse_from_str(d, "%Y-%m-%d")
                .ok()
                .map(|d| (d, *n))
        })
        .collect();
    let (Some(first), Some(last)) = (parsed.first(), parsed.last()) else {
        return Vec::new();
    };
    let days: Vec<NaiveDate> = first.0.iter_days().take_while(|d| *d <= last.0).collect();
    let max = parsed.iter().map(|(_, n)| *n).max().unwrap_or(1).max(1);
    let slot = CHART_WIDTH / days.len() as f64;
    days.into_iter()
        .enumerate()
        .map(|(i, day)| {
            let n = parsed
                .iter()
                .find(|(d, _)| *d == day)
                .map_or(0, |(_, n)| *n);
            let height = CHART_HEIGHT * n as f64 / max as f64;
            DayBar {
                day,
                n,
                x: i as f64 * slot + slot * 0.1,
                y: CHART_HEIGHT - height,
                width: slot * 0.8,
                height,
            }
        })
        .collect()
}

/// Everything the dashboard shows.
#[derive(Clone, Debug)]
pub struct Dashboard {
    /// The heat map's counts.
    pub matrix: Matrix,
    /// Comments per day.
    pub days: Vec<DayBar>,
    /// Verified organisations with the most comments: (name, count).
    pub organizations: Vec<(String, i64)>,
    /// The most endorsed shown comments, with their article number.
    pub most_endorsed: Vec<(Comment, Option<i32>)>,
    /// Commented articles of the current text without a response: (number, label).
    pub unanswered: Vec<(i32, String)>,
    /// Open disputes ("this was not me"): the comment and when it was disputed.
    pub disputes: Vec<(Comment, NaiveDateTime)>,
    /// Whether the draft as a whole has a response.
    pub draft_answered: bool,
}

/// Loads the dashboard of a consultation: a fixed number of aggregate queries.
pub fn load(conn: &mut DbConnection, consultation: &Consultation) -> Result<Dashboard, DbError> {
    let matrix = matrix(conn, consultation)?;
    let days = day_bars(&db::dashboard::per_day(conn, consultation.id)?);
    let organizations = db::dashboard::organizations(conn, consultation.id, TOP_ORGANIZATIONS)?;
    let endorsed: Vec<Comment> = db::dashboard::most_endorsed(conn, consultation.id, TOP_ENDORSED)?
        .into_iter()
        .map(Comment::try_from)
        .collect::<Result<_, _>>()?;
    let mut most_endorsed = Vec::with_capacity(endorsed.len());
    for c in endorsed {
        let number = match c.article_id {
            Some(a) => db::drafts::article_number_label(conn, a)?.map(|(n, _)| n),
            None => None,
        };
        most_endorsed.push((c, number));
    }
    let unanswered = responses::unanswered_from(conn, consultation, &matrix)?;
    let draft_answered = db::responses::for_target(conn, consultation.id, None)?.is_some();
    let disputes = db::comments::open_disputes(conn, consultation.id)?
        .into_iter()
        .map(|(row, at)| Comment::try_from(row).map(|c| (c, at)))
        .collect::<Result<_, _>>()?;
    // campaigns: the campaign clusters (issue 5, second half) plug in here as one more field of
    // `Dashboard`, loaded from their own table; nothing is shown until they exist.
    Ok(Dashboard {
        matrix,
        days,
        organizations,
        most_endorsed,
        unanswered,
        disputes,
        draft_answered,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_days_between_commented_days_get_a_zero_bar() {
        let bars = day_bars(&[("2026-11-01".into(), 4), ("2026-11-03".into(), 2)]);
        let ns: Vec<i64> = bars.iter().map(|b| b.n).collect();
        assert_eq!(ns, vec![4, 0, 2]);
        assert!((bars[0].height - CHART_HEIGHT).abs() < 1e-9);
        assert!((bars[2].height - CHART_HEIGHT / 2.0).abs() < 1e-9);
        assert!(day_bars(&[]).is_empty());
    }

    #[test]
    fn heat_levels_spread_counts_and_keep_zero_for_empty_cells() {
        let m = Matrix {
            max_cell: 10,
            ..Matrix::default()
        };
        assert_eq!(m.level(0), 0);
        assert_eq!(m.level(1), 1);
        assert_eq!(m.level(10), HEAT_LEVELS);
        assert_eq!(m.level(6), 3);
    }
}
