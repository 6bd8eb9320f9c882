//! Both migration folders must produce exactly the schema `src/db/schema.rs` declares.

use diesel::prelude::*;
use diesel::sql_types::{Integer, Text};

use yijian::config::DatabaseUrl;
use yijian::db::{self, DbConnection};

use crate::harness::TestDb;

/// One column as `table.column: Type` with `Nullable<…>` where it may be null, in table order.
type Columns = Vec<String>;

fn diesel_type(sql: &str) -> String {
    let t = sql.to_ascii_lowercase();
    match t.as_str() {
        "integer" | "int4" => "Integer",
        "bigint" | "int8" => "BigInt",
        "text" => "Text",
        "boolean" | "bool" => "Bool",
        "timestamp" | "timestamp without time zone" => "Timestamp",
        "bytea" | "blob" => "Binary",
        other => panic!("column type {other} is not one both backends share"),
    }
    .to_owned()
}

fn column(table: &str, name: &str, sql_type: &str, nullable: bool) -> String {
    let t = diesel_type(sql_type);
    if nullable {
        format!("{table}.{name}: Nullable<{t}>")
    } else {
        format!("{table}.{name}: {t}")
    }
}

#[derive(QueryableByName)]
struct TableName {
    #[diesel(sql_type = Text)]
    name: String,
}

#[derive(QueryableByName)]
struct SqliteColumn {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text, column_name = "type")]
    sql_type: String,
    #[diesel(sql_type = Integer)]
    notnull: i32,
}

#[derive(QueryableByName)]
struct PgColumn {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Text)]
    data_type: String,
    #[diesel(sql_type = Text)]
    is_nullable: String,
}

fn sqlite_columns(conn: &mut DbConnection) -> Columns {
    let tables: Vec<TableName> = diesel::sql_query(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
         AND name != '__diesel_schema_migrations' ORDER BY name",
    )
    .load(conn)
    .expect("tables");
    let mut out = Vec::new();
    for t in tables {
        let cols: Vec<SqliteColumn> = diesel::sql_query(format!("PRAGMA table_info({})", t.name))
            .load(conn)
            .expect("columns");
        for c in cols {
            out.push(column(&t.name, &c.name, &c.sql_type, c.notnull == 0));
        }
    }
    out
}

fn pg_columns(conn: &mut DbConnection) -> Columns {
    let cols: Vec<PgColumn> = diesel::sql_query(
        "SELECT table_name::text AS table_name, column_name::text AS column_name, \
         data_type::text AS data_type, is_nullable::text AS is_nullable \
         FROM information_schema.columns WHERE table_schema = 'public' \
         AND table_name != '__diesel_schema_migrations' ORDER BY table_name, ordinal_position",
    )
    .load(conn)
    .expect("columns");
    cols.into_iter()
        .map(|c| {
            column(
                &c.table_name,
                &c.column_name,
                &c.data_type,
                c.is_nullable == "YES",
            )
        })
        .collect()
}

/// Reads `diesel::table!` blocks from the schema source.
fn declared_columns() -> Columns {
    let src = include_str!("../../src/db/schema.rs");
    let mut tables: Vec<(String, Vec<String>)> = Vec::new();
    let mut current: Option<(String, Vec<String>)> = None;
    for line in src.lines().map(str::trim) {
        if let Some((name, _)) = line
            .split_once(" (")
            .filter(|_| line.ends_with('{') && current.is_none())
        {
            current = Some((name.to_owned(), Vec::new()));
        } else if let Some((_, cols)) = current.as_mut() {
            if let Some((col, ty)) = line.split_once(" -> ") {
                cols.push(format!("{col}: {}", ty.trim_end_matches(',')));
            } else if line == "}"
                && let Some(t) = current.take()
            {
                tables.push(t);
            }
        }
    }
    tables.sort();
    tables
        .into_iter()
        .flat_map(|(t, cols)| cols.into_iter().map(move |c| format!("{t}.{c}")))
        .collect()
}

fn migrated(url: &DatabaseUrl) -> DbConnection {
    let mut conn = db::establish(url).expect("connect");
    db::migrate(&mut conn).expect("migrate");
    conn
}

#[test]
fn sqlite_migrations_produce_the_declared_diesel_schema() {
    let test_db = TestDb::sqlite();
    let mut conn = migrated(&test_db.url);
    let declared = declared_columns();
    assert!(declared.len() > 20, "schema.rs parsed: {declared:?}");
    assert_eq!(sqlite_columns(&mut conn), declared);
}

#[test]
fn postgres_migrations_produce_the_declared_diesel_schema() {
    let Some(test_db) = TestDb::postgres() else {
        return;
    };
    let mut conn = migrated(&test_db.url);
    assert_eq!(pg_columns(&mut conn), declared_columns());
}

#[test]
fn both_migration_folders_have_the_same_migration_names() {
    let names = |backend: &str| -> Vec<String> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("migrations")
            .join(backend);
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .expect("migrations folder")
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    };
    assert_eq!(names("sqlite"), names("postgres"));
}
