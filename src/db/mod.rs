//! The database: one connection type over SQLite or PostgreSQL, its pool, migrations and queries.

pub mod accounts;
pub mod attachments;
pub mod campaigns;
pub mod comments;
pub mod consultations;
pub mod dashboard;
pub mod demo;
pub mod drafts;
pub mod exports;
pub mod ledger;
pub mod moderation;
pub mod organizations;
pub mod outbox;
pub mod responses;
pub mod roles;
pub mod schema;
pub mod search;
pub mod settings;
pub mod subscriptions;
pub mod themes;
pub mod throttles;
pub mod versions;

use std::time::{Duration, Instant};

use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::pg::PgConnection;
use diesel::r2d2::{self, ManageConnection, Pool, PooledConnection};
use diesel::sqlite::SqliteConnection;
use diesel::{Connection, RunQueryDsl};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::config::DatabaseUrl;

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// A connection to either backend; queries written once with diesel's DSL run on both.
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    /// PostgreSQL, the production engine.
    Postgresql(PgConnection),
    /// SQLite, the embedded default.
    Sqlite(SqliteConnection),
}

/// How long a pooled connection may go without a liveness probe. Probing at every check-out costs
/// one round trip per request; probing at most this often still replaces a connection whose server
/// went away (restart, failover, `pg_terminate_backend`) within a second, after at most a few
/// requests answered 503.
const PROBE_INTERVAL: Duration = Duration::from_secs(1);

/// A connection as the pool keeps it: the connection and when it was last known to be alive.
pub struct Pooled {
    conn: DbConnection,
    probed_at: Instant,
}

impl std::ops::Deref for Pooled {
    type Target = DbConnection;

    fn deref(&self) -> &DbConnection {
        &self.conn
    }
}

impl std::ops::DerefMut for Pooled {
    fn deref_mut(&mut self) -> &mut DbConnection {
        &mut self.conn
    }
}

/// The shared pool of connections.
pub type DbPool = Pool<ConnectionManager>;
/// One connection checked out of the pool.
pub type PooledConn = PooledConnection<ConnectionManager>;

/// A database failure as the rest of the program sees it.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// No connection could be had: the database is down or unreachable.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// A query failed.
    #[error("database query failed: {0}")]
    Query(#[from] diesel::result::Error),
    /// A migration failed.
    #[error("database migration failed: {0}")]
    Migration(String),
}

impl DbError {
    /// True when the failure says the database is gone rather than that a query was wrong.
    pub fn is_unavailable(&self) -> bool {
        matches!(
            self,
            Self::Unavailable(_)
                | Self::Query(diesel::result::Error::DatabaseError(
                    diesel::result::DatabaseErrorKind::ClosedConnection
                        | diesel::result::DatabaseErrorKind::UnableToSendCommand,
                    _,
                ))
        )
    }
}

impl From<r2d2::PoolError> for DbError {
    fn from(e: r2d2::PoolError) -> Self {
        Self::Unavailable(e.to_string())
    }
}

/// Opens connections for the pool, choosing the backend from the parsed URL (never by trial, so a
/// PostgreSQL URL is never taken for a SQLite file name) and reporting the backend's own error.
#[derive(Clone, Debug)]
pub struct ConnectionManager {
    url: DatabaseUrl,
}

impl ConnectionManager {
    /// A manager for `url`.
    pub fn new(url: DatabaseUrl) -> Self {
        Self { url }
    }
}

/// Opens one connection to `url`, with the per-connection settings each backend needs.
pub fn establish(url: &DatabaseUrl) -> diesel::ConnectionResult<DbConnection> {
    match url {
        DatabaseUrl::Postgres(url) => PgConnection::establish(url).map(DbConnection::Postgresql),
        DatabaseUrl::Sqlite(path) => {
            let mut conn = SqliteConnection::establish(&path.to_string_lossy())?;
            // WAL lets readers proceed during a write; busy_timeout makes writers queue instead of
            // failing. Each of the pool's connections keeps its own page cache: 1 MiB each rather
            // than SQLite's 2 MiB keeps a busy server's memory within 100 MiB, and the file's pages
            // stay in the operating system's cache anyway.
            conn.batch_execute(
                "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                 PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000; PRAGMA cache_size = -1024;",
            )
            .map_err(|e| diesel::ConnectionError::BadConnection(e.to_string()))?;
            Ok(DbConnection::Sqlite(conn))
        }
    }
}

impl ManageConnection for ConnectionManager {
    type Connection = Pooled;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<Pooled, r2d2::Error> {
        let conn = establish(&self.url).map_err(r2d2::Error::ConnectionError)?;
        Ok(Pooled {
            conn,
            probed_at: Instant::now(),
        })
    }

    fn is_valid(&self, pooled: &mut Pooled) -> Result<(), r2d2::Error> {
        if pooled.probed_at.elapsed() < PROBE_INTERVAL {
            return Ok(());
        }
        pooled
            .conn
            .batch_execute("SELECT 1")
            .map_err(r2d2::Error::QueryError)?;
        pooled.probed_at = Instant::now();
        Ok(())
    }

    fn has_broken(&self, pooled: &mut Pooled) -> bool {
        <DbConnection as Connection>::TransactionManager::is_broken_transaction_manager(
            &mut pooled.conn,
        )
    }
}

/// Builds the pool and checks that one connection can be opened, so a wrong URL or password is
/// reported at start with the backend's own message.
pub fn connect(url: &DatabaseUrl, max_size: u32) -> Result<DbPool, DbError> {
    establish(url).map_err(|e| DbError::Unavailable(e.to_string()))?;
    Pool::builder()
        .max_size(max_size)
        .connection_timeout(Duration::from_secs(5))
        // A PostgreSQL connection can die with its server (restart, failover); checking it on
        // check-out lets the pool replace it. A SQLite connection is a file handle and cannot.
        .test_on_check_out(matches!(url, DatabaseUrl::Postgres(_)))
        .build(ConnectionManager::new(url.clone()))
        .map_err(DbError::from)
}

/// Applies the embedded migrations that have not run yet; returns how many ran.
pub fn migrate(conn: &mut DbConnection) -> Result<usize, DbError> {
    let merr = |e: Box<dyn std::error::Error + Send + Sync>| DbError::Migration(e.to_string());
    match conn {
        DbConnection::Postgresql(pg) => {
            // Several instances may start together: one migrates while the others wait.
            diesel::sql_query("SELECT pg_advisory_lock(7013274)").execute(pg)?;
            let result = pg
                .run_pending_migrations(POSTGRES_MIGRATIONS)
                .map(|v| v.len());
            diesel::sql_query("SELECT pg_advisory_unlock(7013274)").execute(pg)?;
            result.map_err(merr)
        }
        DbConnection::Sqlite(lite) => lite
            .run_pending_migrations(SQLITE_MIGRATIONS)
            .map(|v| v.len())
            .map_err(merr),
    }
}

/// Runs `f` in one transaction (a savepoint when nested): committed when it returns `Ok`, rolled
/// back otherwise. On SQLite
/// the transaction takes the write lock at once (`BEGIN IMMEDIATE`), so two writers queue on
/// `busy_timeout` instead of one failing when it upgrades a read lock.
pub fn transaction<T, E, F>(conn: &mut DbConnection, f: F) -> Result<T, E>
where
    E: From<DbError>,
    F: FnOnce(&mut DbConnection) -> Result<T, E>,
{
    type Manager = <DbConnection as Connection>::TransactionManager;
    let nested = in_transaction(conn);
    let begun = match conn {
        DbConnection::Sqlite(lite) if !nested => {
            AnsiTransactionManager::begin_transaction_sql(lite, "BEGIN IMMEDIATE")
        }
        _ => Manager::begin_transaction(conn),
    };
    begun.map_err(|e| E::from(DbError::Query(e)))?;
    match f(conn) {
        Ok(value) => match Manager::commit_transaction(conn) {
            Ok(()) => Ok(value),
            Err(e) => {
                let _ = Manager::rollback_transaction(conn);
                Err(E::from(DbError::Query(e)))
            }
        },
        Err(e) => {
            // The caller's error is the one worth reporting; a failed rollback leaves the
            // connection marked broken, and the pool discards it.
            let _ = Manager::rollback_transaction(conn);
            Err(e)
        }
    }
}

/// Whether a transaction is open on `conn`.
pub fn in_transaction(conn: &mut DbConnection) -> bool {
    matches!(
        <DbConnection as Connection>::TransactionManager::transaction_manager_status_mut(conn)
            .transaction_depth(),
        Ok(Some(_))
    )
}

/// Runs `f` with a pooled connection on the blocking thread pool, so no async worker waits on I/O.
pub async fn run<T, F>(pool: &DbPool, f: F) -> Result<T, DbError>
where
    T: Send + 'static,
    F: FnOnce(&mut DbConnection) -> Result<T, DbError> + Send + 'static,
{
    let pool = pool.clone();
    tokio::task::spawn_blocking(move || {
        let mut conn = pool.get()?;
        f(&mut conn)
    })
    .await
    .map_err(|e| DbError::Unavailable(format!("database task failed: {e}")))?
}

/// Answers whether the database responds within `timeout`.
pub async fn ping(pool: &DbPool, timeout: Duration) -> Result<(), DbError> {
    let pool = pool.clone();
    tokio::task::spawn_blocking(move || {
        let mut conn = pool.get_timeout(timeout)?;
        conn.batch_execute("SELECT 1")?;
        Ok(())
    })
    .await
    .map_err(|e| DbError::Unavailable(format!("database task failed: {e}")))?
}
