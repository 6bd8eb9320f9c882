//! Starting up: health, migrations, the generated secret key, the demo seed.

use yijian::app;
use yijian::db;

use crate::harness::{TestApp, TestDb, test_config};
use crate::on_both_backends;

on_both_backends! {
    async fn health_check_answers_200_while_the_database_answers(app) {
        let (status, body) = app.get("/healthz").await;
        assert_eq!((status, body.as_str()), (200, "ok\n"));
    }
}

#[actix_web::test]
async fn health_check_answers_503_when_the_database_is_gone() {
    let Some(app) = TestApp::spawn(crate::harness::Backend::Postgres).await else {
        return;
    };
    assert_eq!(app.get("/healthz").await.0, 200);
    app.db.drop_now();
    let (status, body) = app.get("/healthz").await;
    assert_eq!(status, 503, "{body}");
    let (status, body) = app.get("/").await;
    assert_eq!(status, 503, "pages say the service is unavailable: {body}");
    assert!(body.contains("服务暂时不可用"));
}

on_both_backends! {
    async fn demo_seeding_is_idempotent_and_the_demo_is_open_for_thirty_days(app) {
        app.seed_demo().await;
        app.seed_demo().await;
        let (count, demo) = db::run(&app.pool, |conn| {
            Ok((db::consultations::count(conn)?, db::consultations::by_slug(conn, yijian::seed::DEMO_SLUG)?))
        })
        .await
        .expect("query");
        assert_eq!(count, 1);
        let demo = demo.expect("demo exists");
        assert!(demo.is_demo);
        assert_eq!((demo.closes_at - demo.opens_at).num_days(), yijian::seed::DEMO_WINDOW_DAYS);
    }
}

fn secret_key_is_generated_once_and_shared_by_instances(db: TestDb) {
    let config = test_config(&db);
    let (_, first) = app::prepare_database(&config).expect("first start");
    let (_, second) = app::prepare_database(&config).expect("second start");
    assert_eq!(first.expose(), second.expose());
    assert!(first.expose().len() >= 32);
}

#[test]
fn secret_key_is_generated_once_and_shared_by_instances_on_sqlite() {
    secret_key_is_generated_once_and_shared_by_instances(TestDb::sqlite());
}

#[test]
fn secret_key_is_generated_once_and_shared_by_instances_on_postgres() {
    if let Some(db) = TestDb::postgres() {
        secret_key_is_generated_once_and_shared_by_instances(db);
    }
}

on_both_backends! {
    async fn pages_carry_security_headers(app) {
        let resp = app.client.get(format!("{}/", app.base)).send().await.expect("request");
        let h = resp.headers();
        assert_eq!(h.get("x-content-type-options").map(|v| v.as_bytes()), Some(&b"nosniff"[..]));
        assert!(h.get("content-security-policy").is_some());
        assert_eq!(h.get("content-type").map(|v| v.as_bytes()), Some(&b"text/html; charset=utf-8"[..]));
    }
}
