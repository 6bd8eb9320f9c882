//! Bad addresses and bad input get clear pages in the reader's language, never a 500.

use crate::on_both_backends;

on_both_backends! {
    async fn unknown_consultation_or_article_gets_a_localized_404_page(app) {
        app.seed_demo().await;
        for path in ["/c/no-such-draft", "/c/ai-service-safety/a/999", "/c/ai-service-safety/a/abc", "/nowhere", "/c/ai-service-safety/a/-1"] {
            let (status, body) = app.get(path).await;
            assert_eq!(status, 404, "{path}");
            assert!(body.contains("页面不存在"), "{path}: {body}");
            assert!(body.contains("<html lang=\"zh-CN\">"));
        }
        let (status, body) = app.get("/c/no-such-draft?lang=en").await;
        assert_eq!(status, 404);
        assert!(body.contains("Page not found") && body.contains("<html lang=\"en\">"));
    }
}

on_both_backends! {
    async fn a_bad_filter_value_gets_a_localized_400_page(app) {
        let (status, body) = app.get("/?status=whenever").await;
        assert_eq!(status, 400);
        assert!(body.contains("筛选条件无效"), "{body}");
        let (status, body) = app.get("/?tier=%FF&lang=en").await;
        assert_eq!(status, 400);
        assert!(body.contains("That filter is not valid"), "{body}");
    }
}

on_both_backends! {
    async fn a_post_to_a_reading_page_is_refused_with_a_page_not_a_crash(app) {
        app.seed_demo().await;
        let resp = app
            .client
            .post(format!("{}/c/ai-service-safety/a/1", app.base))
            .body("x")
            .send()
            .await
            .expect("request");
        let status = resp.status().as_u16();
        let body = resp.text().await.expect("body");
        assert!(status == 404 || status == 405, "{status}");
        assert!(body.contains("<html lang=\"zh-CN\">"));
    }
}
