//! The `yijian` command line: importing drafts, refusing bad files and bad settings.

use std::path::Path;
use std::process::{Command, Output};

use yijian::db;

use crate::harness::{Backend, TestDb};

fn yijian(dir: &Path, database_url: Option<&str>, args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_yijian"));
    cmd.current_dir(dir)
        .args(args)
        .env_remove("DATABASE_URL")
        .env("RUST_LOG", "warn");
    if let Some(url) = database_url {
        cmd.env("DATABASE_URL", url);
    }
    cmd.output().expect("yijian runs")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn consultation_count(test_db: &TestDb) -> i64 {
    let mut conn = db::establish(&test_db.url).expect("connect");
    db::migrate(&mut conn).expect("migrate");
    db::consultations::count(&mut conn).expect("count")
}

fn drafter_imports_a_draft_and_bad_files_are_refused_with_file_and_line(backend: Backend) {
    let Some(test_db) = TestDb::new(backend) else {
        return;
    };
    let url = test_db.url_string();
    let dir = tempfile::tempdir().expect("temp dir");
    let draft = dir.path().join("draft.txt");
    std::fs::write(
        &draft,
        "\u{feff}生成式人工智能服务管理规定（征求意见稿）\r\n第一章　总则\r\n第一条　为了规范服务，制定本规定。\r\n第二条　提供者应当：\r\n（一）建立制度；\r\n（二）开展评估。\r\n第二章　附则\r\n第三条　本规定自公布之日起施行。\r\n",
    )
    .expect("write draft");
    let out = yijian(
        dir.path(),
        Some(&url),
        &[
            "import-draft",
            "draft.txt",
            "--slug",
            "genai-rules",
            "--issuer",
            "某机关",
            "--opens",
            "2026-12-01",
            "--closes",
            "2026-12-31",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("imported 3 articles in 2 divisions"),
        "{stdout}"
    );

    // Importing again under the same slug is refused.
    let again = yijian(
        dir.path(),
        Some(&url),
        &["import-draft", "draft.txt", "--slug", "genai-rules"],
    );
    assert!(!again.status.success());
    assert!(
        stderr(&again).contains("already exists"),
        "{}",
        stderr(&again)
    );

    let mut conn = db::establish(&test_db.url).expect("connect");
    let c = db::consultations::by_slug(&mut conn, "genai-rules")
        .expect("query")
        .expect("imported");
    assert_eq!(c.title, "生成式人工智能服务管理规定（征求意见稿）");
    assert_eq!(c.issuer, "某机关");
    // 2026-12-01 00:00 in Beijing is 2026-11-30 16:00 UTC; the window includes all of 31 December.
    assert_eq!(c.opens_at.to_string(), "2026-11-30 16:00:00");
    assert_eq!(c.closes_at.to_string(), "2026-12-31 16:00:00");

    // A GB18030 file: refused, naming the file and suggesting a conversion; nothing written.
    let (gbk, _, _) = encoding_rs::GB18030.encode("测试规定\n第一条　内容。\n");
    std::fs::write(dir.path().join("gbk.txt"), &gbk).expect("write gbk");
    let out = yijian(
        dir.path(),
        Some(&url),
        &["import-draft", "gbk.txt", "--slug", "gbk-draft"],
    );
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("gbk.txt") && err.contains("GB18030") && err.contains("line 1"),
        "{err}"
    );

    // Numbers going backwards: both labels and the line are named; nothing written.
    std::fs::write(
        dir.path().join("order.txt"),
        "标题\n第一条　甲。\n第三条　乙。\n第二条　丙。\n",
    )
    .expect("write");
    let out = yijian(
        dir.path(),
        Some(&url),
        &["import-draft", "order.txt", "--slug", "order-draft"],
    );
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("order.txt")
            && err.contains("第二条")
            && err.contains("第三条")
            && err.contains("line 4"),
        "{err}"
    );

    // No article at all.
    std::fs::write(dir.path().join("none.txt"), "只有标题\n没有条文。\n").expect("write");
    let out = yijian(
        dir.path(),
        Some(&url),
        &["import-draft", "none.txt", "--slug", "none-draft"],
    );
    assert!(!out.status.success());
    assert!(stderr(&out).contains("none.txt"), "{}", stderr(&out));

    // A bad slug and a missing file are refused before anything is stored.
    let out = yijian(
        dir.path(),
        Some(&url),
        &["import-draft", "draft.txt", "--slug", "Bad Slug"],
    );
    assert!(
        !out.status.success() && stderr(&out).contains("slug"),
        "{}",
        stderr(&out)
    );
    let out = yijian(
        dir.path(),
        Some(&url),
        &["import-draft", "missing.txt", "--slug", "missing"],
    );
    assert!(
        !out.status.success() && stderr(&out).contains("missing.txt"),
        "{}",
        stderr(&out)
    );

    assert_eq!(
        consultation_count(&test_db),
        1,
        "only the good import was stored"
    );
}

#[test]
fn drafter_imports_a_draft_and_bad_files_are_refused_with_file_and_line_on_sqlite() {
    drafter_imports_a_draft_and_bad_files_are_refused_with_file_and_line(Backend::Sqlite);
}

#[test]
fn drafter_imports_a_draft_and_bad_files_are_refused_with_file_and_line_on_postgres() {
    drafter_imports_a_draft_and_bad_files_are_refused_with_file_and_line(Backend::Postgres);
}

#[test]
fn a_mistyped_postgres_url_is_reported_and_never_becomes_a_sqlite_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = yijian(
        dir.path(),
        Some("postgress://postgres@127.0.0.1/yijian"),
        &["migrate"],
    );
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("DATABASE_URL") && err.contains("unsupported scheme"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_dir(dir.path()).expect("dir").count(),
        0,
        "no file was created"
    );

    // A well-formed URL to a server that is not there is a connection error, not a panic.
    let out = yijian(
        dir.path(),
        Some("postgres://postgres@127.0.0.1:1/yijian"),
        &["migrate"],
    );
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("database unavailable") && !err.contains("panicked"),
        "{err}"
    );
    assert_eq!(std::fs::read_dir(dir.path()).expect("dir").count(), 0);
}

#[test]
fn bad_settings_get_a_one_line_error_naming_the_variable() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = Command::new(env!("CARGO_BIN_EXE_yijian"))
        .current_dir(dir.path())
        .env("BIND", "not-an-address")
        .arg("migrate")
        .output()
        .expect("runs");
    assert!(!out.status.success());
    let err = stderr(&out);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.contains("BIND"), "{err}");
}

#[test]
fn every_command_explains_itself_with_help() {
    let dir = tempfile::tempdir().expect("temp dir");
    for args in [
        vec!["--help"],
        vec!["serve", "--help"],
        vec!["migrate", "--help"],
        vec!["import-draft", "--help"],
        vec!["seed-demo", "--help"],
        vec!["create-admin", "--help"],
        vec!["bench", "pages", "--help"],
        vec!["bench", "comments", "--help"],
        vec!["bench", "export", "--help"],
        vec!["bench", "load", "--help"],
    ] {
        let out = yijian(dir.path(), None, &args);
        assert!(out.status.success(), "{args:?}");
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("Usage"),
            "{args:?}"
        );
    }
}

#[test]
fn seed_demo_creates_the_demo_once() {
    let test_db = TestDb::sqlite();
    let url = test_db.url_string();
    let dir = tempfile::tempdir().expect("temp dir");
    let first = yijian(dir.path(), Some(&url), &["seed-demo"]);
    assert!(first.status.success(), "{}", stderr(&first));
    assert!(String::from_utf8_lossy(&first.stdout).contains("created"));
    let second = yijian(dir.path(), Some(&url), &["seed-demo"]);
    assert!(String::from_utf8_lossy(&second.stdout).contains("already exists"));
    assert_eq!(consultation_count(&test_db), 1);
}

#[test]
fn seed_demo_adds_generated_comments_from_the_same_demo_accounts() {
    let test_db = TestDb::sqlite();
    let url = test_db.url_string();
    let dir = tempfile::tempdir().expect("temp dir");
    let first = yijian(dir.path(), Some(&url), &["seed-demo", "--comments", "500"]);
    assert!(first.status.success(), "{}", stderr(&first));
    let out = String::from_utf8_lossy(&first.stdout);
    assert!(
        out.contains("created") && out.contains("200 demo accounts"),
        "{out}"
    );
    assert!(out.contains("added 350 comments and 150 replies"), "{out}");
    let second = yijian(dir.path(), Some(&url), &["seed-demo", "--comments", "20"]);
    assert!(second.status.success(), "{}", stderr(&second));
    let out = String::from_utf8_lossy(&second.stdout);
    assert!(
        out.contains("already exists") && !out.contains("demo accounts"),
        "{out}"
    );
    let mut conn = db::establish(&test_db.url).expect("connect");
    use diesel::prelude::*;
    let n: i64 = yijian::db::schema::comments::table
        .count()
        .get_result(&mut conn)
        .expect("count");
    assert_eq!(n, 520);
}

#[test]
fn bench_comments_posts_and_counts_one_receipt_per_comment() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = yijian(
        dir.path(),
        None,
        &["bench", "comments", "--seconds", "1", "--connections", "2"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("(= successful posts)"), "{stdout}");
    let posted: u64 = stdout
        .lines()
        .find(|l| l.starts_with("comments"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|n| n.parse().ok())
        .expect("a result line");
    assert!(posted > 0, "{stdout}");
}

#[test]
fn bench_load_without_wrk_says_how_to_install_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = Command::new(env!("CARGO_BIN_EXE_yijian"))
        .current_dir(dir.path())
        .args(["bench", "load", "--seconds", "1", "--soak-seconds", "1"])
        .env_remove("DATABASE_URL")
        .env("RUST_LOG", "warn")
        .env("PATH", dir.path())
        .output()
        .expect("yijian runs");
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("install wrk: apt-get install wrk"),
        "{}",
        stderr(&out)
    );
    assert_eq!(std::fs::read_dir(dir.path()).expect("dir").count(), 0);
}

#[test]
fn create_admin_reads_the_password_from_stdin_and_promotes_existing_accounts() {
    use std::io::Write;
    use std::process::Stdio;
    let test_db = TestDb::sqlite();
    let url = test_db.url_string();
    let dir = tempfile::tempdir().expect("temp dir");
    let run = |stdin: &str, email: &str| {
        let mut child = Command::new(env!("CARGO_BIN_EXE_yijian"))
            .current_dir(dir.path())
            .env("DATABASE_URL", &url)
            .env("RUST_LOG", "warn")
            .args(["create-admin", "--email", email])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(stdin.as_bytes())
            .expect("write");
        child.wait_with_output().expect("wait")
    };
    let weak = run("password123\n", "root@example.gov.cn");
    assert!(!weak.status.success());
    assert!(
        stderr(&weak).contains("password refused"),
        "{}",
        stderr(&weak)
    );
    let ok = run("a long admin passphrase 2026\n", "Root@example.gov.cn");
    assert!(ok.status.success(), "{}", stderr(&ok));
    assert!(
        String::from_utf8_lossy(&ok.stdout).contains("administrator root@example.gov.cn created")
    );
    let again = run("", "root@example.gov.cn");
    assert!(again.status.success());
    assert!(String::from_utf8_lossy(&again.stdout).contains("is now an administrator"));
    let mut conn = db::establish(&test_db.url).expect("connect");
    let user = db::accounts::user_by_email(&mut conn, "root@example.gov.cn")
        .expect("query")
        .expect("exists");
    assert!(user.is_admin && user.verified_at.is_some());
    assert!(user.password_hash.starts_with("$argon2id$"));
    let bad = run("", "not an address");
    assert!(!bad.status.success() && stderr(&bad).contains("--email"));
}
