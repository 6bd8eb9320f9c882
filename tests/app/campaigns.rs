//! Campaigns: near-identical comments from many accounts reach the drafters as one cluster with
//! its count, senders and time span; genuinely different comments stay out; only drafters and
//! administrators see the page.

use chrono::Utc;
use yijian::campaigns;
use yijian::db;
use yijian::roles::{self, Role};

use crate::accounts::{PASSWORD, register};
use crate::harness::{Browser, TestApp};
use crate::on_both_backends;

const SLUG: &str = "ai-service-safety";
const ARTICLE: &str = "/c/ai-service-safety/a/7";
const CAMPAIGNS: &str = "/c/ai-service-safety/campaigns";
/// A form letter, sent in many slightly different copies.
pub const LETTER: &str = "我们坚决反对第七条要求训练数据留存三年的规定。对于中小企业来说，长期保存海量数据意味着高昂的存储成本和更大的泄露风险。建议将留存期限缩短为一年，并允许企业在完成安全评估后提前删除。";
const DIFFERENT: [&str; 2] = [
    "第七条提到的“合法来源”是否包括公开网页抓取的数据？实践中很多开源数据集都来自网络爬虫，希望条文予以说明。",
    "建议把训练数据的安全评估与现有的数据出境安全评估制度衔接起来，避免企业重复申报。",
];

/// A verified account of stakeholder type `kind`, signed in.
pub async fn verified(app: &TestApp, email: &str, kind: &str) -> Browser {
    let b = app.new_browser();
    assert_eq!(register(&b, email, "联系人", PASSWORD).await.status, 303);
    if kind != "citizen" {
        let r = b
            .submit(
                "/account",
                "/account/profile",
                &[("display_name", "联系人"), ("stakeholder_type", kind)],
            )
            .await;
        assert_eq!(r.status, 303);
    }
    app.mark_verified(email).await;
    b
}

/// Posts an opposing comment on article 7 and returns its tracking number.
pub async fn post(b: &Browser, body: &str) -> String {
    let r = b
        .submit(
            ARTICLE,
            &format!("{ARTICLE}/comments"),
            &[
                ("stance", "oppose"),
                ("body", body),
                ("visibility", "named"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    r.location
        .expect("location")
        .rsplit("#c-")
        .next()
        .expect("tracking")
        .to_owned()
}

/// Clusters the comments not yet clustered, as the periodic task would.
pub async fn cluster(app: &TestApp) -> campaigns::RunReport {
    db::run(&app.pool, |conn| {
        campaigns::cluster_pending(conn, Utc::now().naive_utc())
    })
    .await
    .expect("clustering runs")
}

async fn grant_drafter(app: &TestApp, email: &'static str) {
    db::run(&app.pool, move |conn| {
        let c = db::consultations::by_slug(conn, SLUG)?.expect("demo");
        roles::grant(conn, c.id, email, Role::Drafter, Utc::now().naive_utc())
            .map_err(|e| db::DbError::Migration(e.to_string()))
    })
    .await
    .expect("granted");
}

/// The link of the first cluster on the campaigns page.
pub fn first_cluster_link(page: &str) -> String {
    let start = page
        .find("/c/ai-service-safety/campaigns/")
        .expect("a cluster link");
    page[start..].split('"').next().expect("link").to_owned()
}

on_both_backends! {
    async fn drafters_see_a_form_letter_sent_from_many_accounts_as_one_cluster_with_its_count(app) {
        app.seed_demo().await;
        let copies = [
            LETTER.to_owned(),
            LETTER.replace('，', ",").replace('。', "!"),
            format!("我是一名普通市民。{LETTER}"),
            format!("{LETTER}谢谢！"),
            LETTER.replace("坚决", "强烈").replace("建议", "提议"),
            LETTER.to_owned(),
            format!("作为软件工程师，{}以上意见，请予考虑。", LETTER.replace("成本", "费用")),
        ];
        let mut trackings = Vec::new();
        let mut senders = Vec::new();
        for (i, text) in copies.iter().enumerate() {
            let kind = if i < 5 { "citizen" } else { "enterprise" };
            let b = verified(&app, &format!("sender{i}@example.com"), kind).await;
            trackings.push(post(&b, text).await);
            senders.push(b);
        }
        let different: Vec<String> = post_each(&senders, &DIFFERENT).await;

        let first = cluster(&app).await;
        assert_eq!(first.consultations, 1);
        assert_eq!((first.totals.clusters, first.totals.clustered), (1, copies.len()));
        assert_eq!(cluster(&app).await.consultations, 0, "nothing changed, nothing is clustered again");
        let stale = db::run(&app.pool, |conn| {
            let c = db::consultations::by_slug(conn, SLUG)?.expect("demo");
            campaigns::cluster_consultation(conn, c.id, None, Utc::now().naive_utc())
        })
        .await
        .expect("runs");
        assert!(stale.is_none(), "a run that began before another instance stored its result writes nothing");

        let drafter = verified(&app, "drafter@example.gov.cn", "government").await;
        grant_drafter(&app, "drafter@example.gov.cn").await;
        let (status, page) = drafter.get(CAMPAIGNS).await;
        assert_eq!(status, 200);
        assert!(page.contains("7 条基本相同的意见"), "{page}");
        assert!(page.contains("个人: 5") && page.contains("企业: 2"), "stakeholder breakdown: {page}");
        assert!(page.contains("共 1 组相同意见") && page.contains("涉及 7 条意见"));
        assert!(page.contains("长期保存海量数据"), "the representative text is shown");
        for text in DIFFERENT {
            let start: String = text.chars().take(12).collect();
            assert!(!page.contains(&start), "a different comment is not a campaign");
        }

        let link = first_cluster_link(&page);
        let (status, members) = drafter.get(&link).await;
        assert_eq!(status, 200);
        for t in &trackings {
            assert!(members.contains(t.as_str()), "member {t} listed");
        }
        for t in &different {
            assert!(!members.contains(t.as_str()), "{t} is not a member");
        }
        assert!(members.contains("100%"), "exact copies are 100 % similar to the representative");
        assert!(!members.contains("已隐藏"));

        // A member hidden by a moderator stays in the cluster, marked for the drafters.
        let hidden = trackings[1].clone();
        db::run(&app.pool, move |conn| {
            let row = db::comments::by_tracking(conn, &hidden)?.expect("comment");
            Ok(db::moderation::set_state(conn, row.id, "hidden", Some(("广告", Utc::now().naive_utc())))?)
        })
        .await
        .expect("hidden");
        let (_, members) = drafter.get(&link).await;
        assert!(members.contains("已隐藏") && members.contains(trackings[1].as_str()));

        // A later copy joins the same cluster, which keeps its address.
        let late = verified(&app, "late@example.com", "citizen").await;
        let late_tracking = post(&late, &format!("{LETTER}望采纳。")).await;
        let again = cluster(&app).await;
        assert_eq!((again.totals.clusters, again.totals.clustered), (1, copies.len() + 1));
        let (_, members) = drafter.get(&link).await;
        assert!(members.contains("8 条基本相同的意见") && members.contains(&late_tracking));

        let (_, en) = drafter.get(&format!("{CAMPAIGNS}?lang=en")).await;
        assert!(en.contains("8 near-identical comments"), "{en}");
    }
}

/// Posts each of `texts` from the sender at the same position.
async fn post_each(senders: &[Browser], texts: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    for (b, text) in senders.iter().zip(texts) {
        out.push(post(b, text).await);
    }
    out
}

on_both_backends! {
    async fn campaigns_are_for_the_consultations_drafters_and_administrators_only(app) {
        app.seed_demo().await;
        let anonymous = app.new_browser();
        let resp = anonymous.client.get(format!("{}{CAMPAIGNS}", app.base)).send().await.expect("request");
        assert_eq!(resp.status().as_u16(), 303, "signing in comes first");

        let reader = verified(&app, "reader@example.com", "citizen").await;
        assert_eq!(reader.get(CAMPAIGNS).await.0, 403);
        let moderator = verified(&app, "mod@example.gov.cn", "government").await;
        db::run(&app.pool, |conn| {
            let c = db::consultations::by_slug(conn, SLUG)?.expect("demo");
            roles::grant(conn, c.id, "mod@example.gov.cn", Role::Moderator, Utc::now().naive_utc())
                .map_err(|e| db::DbError::Migration(e.to_string()))
        })
        .await
        .expect("granted");
        let (status, page) = moderator.get(CAMPAIGNS).await;
        assert_eq!(status, 403, "moderating is not drafting");
        assert!(page.contains("只有本征求意见的起草人可以访问此页面"));

        let admin = crate::admin::admin(&app).await;
        let (status, page) = admin.get(CAMPAIGNS).await;
        assert_eq!(status, 200);
        assert!(page.contains("尚未进行相同意见分析"), "before the first run: {page}");
        cluster(&app).await;
        let (_, page) = admin.get(CAMPAIGNS).await;
        assert!(page.contains("没有发现内容基本相同的意见"));
        assert_eq!(admin.get(&format!("{CAMPAIGNS}?page=0")).await.0, 400);
        assert_eq!(admin.get(&format!("{CAMPAIGNS}?page=x")).await.0, 400);
        assert_eq!(admin.get(&format!("{CAMPAIGNS}/999999")).await.0, 404);
        assert_eq!(admin.get("/c/no-such-consultation/campaigns").await.0, 404);
    }
}

fn yijian(dir: &std::path::Path, database_url: &str, args: &[&str]) -> String {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_yijian"))
        .current_dir(dir)
        .args(args)
        .env("DATABASE_URL", database_url)
        .env("RUST_LOG", "warn")
        .output()
        .expect("yijian runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn cluster_comments_and_bench_clusters_run_from_the_command_line() {
    let test_db = crate::harness::TestDb::sqlite();
    let url = test_db.url_string();
    let dir = tempfile::tempdir().expect("temp dir");
    yijian(dir.path(), &url, &["seed-demo", "--comments", "300"]);
    let first = yijian(dir.path(), &url, &["cluster-comments"]);
    assert!(
        first.contains("clustered 1 consultations: 300 comments"),
        "{first}"
    );
    let second = yijian(dir.path(), &url, &["cluster-comments"]);
    assert!(second.contains("clustered 0 consultations"), "{second}");

    let bench_db = dir.path().join("bench.db");
    let bench = yijian(
        dir.path(),
        &url,
        &[
            "bench",
            "clusters",
            "--comments",
            "400",
            "--added",
            "20",
            "--database-url",
            &bench_db.to_string_lossy(),
        ],
    );
    let counts: Vec<&str> = bench
        .lines()
        .filter(|l| l.starts_with("from scratch") || l.starts_with("+20"))
        .filter_map(|l| l.split_whitespace().rev().nth(6))
        .collect();
    assert_eq!(counts, ["400", "420"], "{bench}");
}

on_both_backends! {
    async fn the_background_task_clusters_new_comments_on_its_own(app) {
        app.seed_demo().await;
        let task = campaigns::Clusterer::start_every(app.pool.clone(), std::time::Duration::from_millis(50));
        for i in 0..3 {
            let b = verified(&app, &format!("wave{i}@example.com"), "citizen").await;
            post(&b, LETTER).await;
        }
        let admin = crate::admin::admin(&app).await;
        let mut page = String::new();
        for _ in 0..100 {
            page = admin.get(CAMPAIGNS).await.1;
            if page.contains("3 条基本相同的意见") {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        task.stop().await;
        assert!(page.contains("3 条基本相同的意见"), "{page}");
    }
}
