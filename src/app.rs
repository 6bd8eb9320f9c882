//! Putting the pieces together: database ready, secret key known, HTTP server bound.

use std::net::TcpListener;

use actix_web::dev::{Server, ServerHandle};

use crate::campaigns::Clusterer;
use crate::config::{Config, SecretKey};
use crate::db::{self, DbPool};
use crate::ledger::scheduler::{Scheduler as LedgerScheduler, Sequencer, Wake};
use crate::mail::digest::Scheduler as DigestScheduler;
use crate::mail::{Transport, Worker};
use crate::web::{self, AppState, FixedRoute};

/// Connections each instance keeps open at most to PostgreSQL.
const POOL_SIZE: u32 = 16;

/// Connections to an SQLite file: it takes one writer at a time and readers run on the two
/// cores, so more connections would only add a page cache (and a blocking thread) each.
const SQLITE_POOL_SIZE: u32 = 8;

/// The settings key under which a generated secret key is stored.
const SECRET_KEY_SETTING: &str = "secret_key";

/// Opens the pool, runs pending migrations and settles the secret key. Blocking: call it from
/// `spawn_blocking` or before the runtime starts serving.
pub fn prepare_database(config: &Config) -> anyhow::Result<(DbPool, SecretKey)> {
    let size = match config.database {
        crate::config::DatabaseUrl::Sqlite(_) => SQLITE_POOL_SIZE,
        crate::config::DatabaseUrl::Postgres(_) => POOL_SIZE,
    };
    let pool = db::connect(&config.database, size)?;
    let mut conn = pool.get().map_err(db::DbError::from)?;
    let ran = db::migrate(&mut conn)?;
    if ran > 0 {
        tracing::info!(migrations = ran, "database migrated");
    }
    let indexed = crate::search::ensure_index(&mut conn)?;
    if indexed > 0 {
        tracing::info!(articles = indexed, "search index rebuilt");
    }
    // Created on the first start, before any instance serves, so every instance signs with it.
    crate::ledger::signing_key(&mut conn)?;
    let secret = match &config.secret_key {
        Some(key) => key.clone(),
        None => {
            let stored = db::settings::get_or_insert(
                &mut conn,
                SECRET_KEY_SETTING,
                SecretKey::generate().expose(),
            )
            .map_err(db::DbError::from)?;
            SecretKey::parse(&stored).map_err(|e| anyhow::anyhow!("stored secret key: {e}"))?
        }
    };
    Ok((pool, secret))
}

/// A bound, ready-to-run application.
pub struct Application {
    port: u16,
    server: Server,
    pool: DbPool,
    mail: Worker,
    ledger: LedgerScheduler,
    sequencer: Sequencer,
    digests: DigestScheduler,
    campaigns: Clusterer,
}

impl Application {
    /// Prepares the database and binds `config.bind` (port 0 picks a free port).
    pub async fn build(config: Config, workers: usize) -> anyhow::Result<Self> {
        Self::build_with(config, workers, None).await
    }

    /// Like [`Self::build`], with an extra fixed route (for benchmarks).
    pub async fn build_with(
        config: Config,
        workers: usize,
        fixed: Option<FixedRoute>,
    ) -> anyhow::Result<Self> {
        let prep_config = config.clone();
        let (pool, secret) =
            tokio::task::spawn_blocking(move || prepare_database(&prep_config)).await??;
        let listener = TcpListener::bind(config.bind)
            .map_err(|e| anyhow::anyhow!("BIND: cannot listen on {}: {e}", config.bind))?;
        let port = listener.local_addr()?.port();
        let mut config = config;
        // BIND with port 0 picks a free port; links must carry the real one.
        if config.base_url.port() == Some(0) {
            let _ = config.base_url.set_port(Some(port));
        }
        let transport = Transport::from_config(&config)?;
        tracing::info!(to = %transport.describe(), "outbox worker started");
        let mail = Worker::start(pool.clone(), transport);
        let ledger = LedgerScheduler::start(pool.clone());
        let wake = Wake::default();
        let sequencer = Sequencer::start(pool.clone(), &wake);
        let digests = DigestScheduler::start(
            pool.clone(),
            crate::subscriptions::Links {
                base_url: config.base_url.clone(),
                secret: secret.clone(),
            },
        );
        let campaigns = Clusterer::start(pool.clone());
        let state = AppState {
            pool: pool.clone(),
            config,
            secret,
            pages: web::page_cache::PageCache::default(),
            ledger: wake,
        };
        let server = web::serve(listener, state, workers, fixed)?;
        Ok(Self {
            port,
            server,
            pool,
            mail,
            ledger,
            sequencer,
            digests,
            campaigns,
        })
    }

    /// The port the server listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// A handle that stops the server.
    pub fn handle(&self) -> ServerHandle {
        self.server.handle()
    }

    /// The database pool the server uses.
    pub fn pool(&self) -> &DbPool {
        &self.pool
    }

    /// Serves until the server is stopped (Ctrl-C or SIGTERM), then stops the background tasks.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let served = self.server.await;
        self.digests.stop().await;
        self.mail.stop().await;
        self.ledger.stop().await;
        self.sequencer.stop().await;
        self.campaigns.stop().await;
        served
    }
}
