//! `yijian bench outbox`: mails per second through the outbox to an SMTP sink on loopback.

use std::io::{BufRead, BufReader, BufWriter, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Instant;

use crate::app;
use crate::config::{Config, DatabaseUrl};
use crate::db;
use crate::mail::{self, OutgoingMail, SendReport, Transport};

/// Options of `yijian bench outbox`.
#[derive(clap::Args, Clone, Debug)]
pub struct OutboxArgs {
    /// Mails to queue (in one transaction) and then deliver.
    #[arg(long, default_value_t = 2000)]
    pub mails: usize,
    /// Workers delivering at the same time, each with its own pool and SMTP client, as separate
    /// instances would.
    #[arg(long, default_value_t = 1)]
    pub workers: usize,
    /// Database to use (default: a fresh SQLite file in the temp directory, removed afterwards).
    /// Its outbox must hold no unsent mail, which the bench would deliver to its sink.
    #[arg(long)]
    pub database_url: Option<String>,
}

/// Queues `--mails` receipts and times their delivery by `--workers` workers to an SMTP server
/// in this process that accepts everything.
pub async fn outbox(args: OutboxArgs) -> anyhow::Result<()> {
    anyhow::ensure!(
        args.mails > 0 && args.workers > 0,
        "--mails and --workers must be at least 1"
    );
    let temp = std::env::temp_dir().join(format!("yijian-bench-outbox-{}.db", std::process::id()));
    let database = match &args.database_url {
        Some(url) => DatabaseUrl::parse(url)?,
        None => DatabaseUrl::Sqlite(temp.clone()),
    };
    let sink = Sink::start()?;
    let mut config = Config::from_env()?;
    config.database = database;
    config.smtp_url = Some(url::Url::parse(&format!("smtp://127.0.0.1:{}", sink.port))?);

    let result = run(config, &args, &sink).await;
    if args.database_url.is_none() {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", temp.display()));
        }
    }
    result
}

async fn run(config: Config, args: &OutboxArgs, sink: &Sink) -> anyhow::Result<()> {
    let mut instances = Vec::with_capacity(args.workers);
    for _ in 0..args.workers {
        let c = config.clone();
        let (pool, _) = tokio::task::spawn_blocking(move || app::prepare_database(&c)).await??;
        instances.push((pool, Transport::from_config(&config)?));
    }
    let first = &instances[0].0;
    let unsent = db::run(first, |conn| Ok(db::outbox::count_unsent(conn)?)).await?;
    anyhow::ensure!(
        unsent == 0,
        "{}: the outbox holds {unsent} unsent mails that the bench would deliver to its sink; \
         use a scratch database",
        config.database.redacted()
    );

    let run = chrono::Utc::now().timestamp_micros();
    let mails: Vec<OutgoingMail> = (0..args.mails)
        .map(|i| OutgoingMail {
            key: format!("bench:{run}:{i}"),
            to: format!("reader{i}@example.cn"),
            subject: format!("意见已收到 · ZJ-BENCH-{i:06}"),
            text: format!("您对第五条的意见已收到。\n跟踪编号：ZJ-BENCH-{i:06}"),
            html: format!("<p>您对第五条的意见已收到。</p><p>跟踪编号：<b>ZJ-BENCH-{i:06}</b></p>"),
        })
        .collect();
    let started = Instant::now();
    let now = chrono::Utc::now().naive_utc();
    db::run(first, move |conn| {
        db::transaction(conn, |conn| {
            for m in &mails {
                mail::enqueue(conn, m, now)?;
            }
            Ok(())
        })
    })
    .await?;
    let queued = started.elapsed().as_secs_f64();

    let started = Instant::now();
    let tasks: Vec<_> = instances
        .into_iter()
        .map(|(pool, transport)| {
            tokio::spawn(async move { mail::run_until_empty(&pool, &transport).await })
        })
        .collect();
    let mut total = SendReport::default();
    for task in tasks {
        let report = task.await??;
        total.sent += report.sent;
        total.failed += report.failed;
    }
    let delivered = started.elapsed().as_secs_f64();

    println!(
        "yijian bench outbox — {} mails, {} worker(s), {}, SMTP sink on 127.0.0.1:{}",
        args.mails,
        args.workers,
        config.database.redacted(),
        sink.port
    );
    let rate = |n: usize, secs: f64| n as f64 / secs.max(f64::EPSILON);
    println!(
        "enqueue  {:>7} mails in {queued:>7.2} s  {:>8.0} mails/s",
        args.mails,
        rate(args.mails, queued)
    );
    println!(
        "deliver  {:>7} sent, {} failed in {delivered:.2} s  {:>8.0} mails/s",
        total.sent,
        total.failed,
        rate(total.sent, delivered)
    );
    println!("the sink received {}", sink.received.load(Ordering::SeqCst));
    Ok(())
}

/// An SMTP server that accepts every mail and only counts them; loopback only.
pub(super) struct Sink {
    /// The port it listens on.
    pub(super) port: u16,
    /// Mails accepted so far.
    pub(super) received: Arc<AtomicUsize>,
    stopping: Arc<AtomicBool>,
}

impl Sink {
    /// Starts listening on a free loopback port.
    pub(super) fn start() -> std::io::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let port = listener.local_addr()?.port();
        let received = Arc::new(AtomicUsize::new(0));
        let stopping = Arc::new(AtomicBool::new(false));
        let (count, stop) = (received.clone(), stopping.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stop.load(Ordering::SeqCst) {
                    return;
                }
                if let Ok(stream) = stream {
                    let count = count.clone();
                    std::thread::spawn(move || {
                        let _ = session(stream, &count);
                    });
                }
            }
        });
        Ok(Self {
            port,
            received,
            stopping,
        })
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        self.stopping.store(true, Ordering::SeqCst);
        // Wakes the accept loop so that it sees the flag.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

/// The server side of SMTP as far as a client that behaves needs it.
fn session(stream: TcpStream, received: &AtomicUsize) -> std::io::Result<()> {
    let mut input = BufReader::new(stream.try_clone()?);
    // Each reply is flushed whole: piecemeal writes would meet Nagle's algorithm and the
    // client's delayed ACK, and the bench would measure those.
    let mut out = BufWriter::new(stream);
    let mut reply = |text: &str| -> std::io::Result<()> {
        out.write_all(text.as_bytes())?;
        out.write_all(b"\r\n")?;
        out.flush()
    };
    reply("220 yijian bench sink")?;
    let mut line = Vec::new();
    loop {
        line.clear();
        if input.read_until(b'\n', &mut line)? == 0 {
            return Ok(());
        }
        let verb = line.get(..4).unwrap_or_default().to_ascii_uppercase();
        match verb.as_slice() {
            b"DATA" => {
                reply("354 end with <CRLF>.<CRLF>")?;
                loop {
                    line.clear();
                    if input.read_until(b'\n', &mut line)? == 0 {
                        return Ok(());
                    }
                    if line == b".\r\n" {
                        break;
                    }
                }
                received.fetch_add(1, Ordering::SeqCst);
                reply("250 accepted")?;
            }
            b"QUIT" => return reply("221 bye"),
            // EHLO, MAIL, RCPT, RSET, NOOP: a bare 250 offers no extensions and accepts.
            _ => reply("250 ok")?,
        }
    }
}
