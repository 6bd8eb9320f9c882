//! The public JSON API: what the public pages show, page by page, and nothing personal or hidden.

use yijian::db;

use crate::harness::{Browser, csrf_of};
use crate::on_both_backends;
use crate::people::{Cast, OPEN};

async fn get_json(b: &Browser, path: &str) -> (u16, String, serde_json::Value) {
    let resp = b
        .client
        .get(format!("{}{path}", b.base))
        .send()
        .await
        .expect("request");
    let status = resp.status().as_u16();
    let text = resp.text().await.expect("body");
    let value = serde_json::from_str(&text).unwrap_or(serde_json::Value::Null);
    (status, text, value)
}

on_both_backends! {
    async fn anyone_reads_public_comments_page_by_page_without_personal_data(app) {
        let cast = Cast::assemble(&app).await;
        let article = format!("/c/{OPEN}/a/5");
        let (_, page) = cast.citizen.get(&article).await;
        let posted = cast.citizen.post(&format!("{article}/comments"), &csrf_of(&page),
            &[("stance", "oppose"), ("body", "API 匿名意见"), ("visibility", "anonymous")]).await;
        assert_eq!(posted.status, 303);
        let (_, page) = cast.citizen.get(&article).await;
        let posted = cast.citizen.post(&format!("{article}/comments"), &csrf_of(&page),
            &[("stance", "support"), ("body", "API 署名意见"), ("visibility", "named")]).await;
        assert_eq!(posted.status, 303);
        let (_, queue) = cast.moderator.get(&format!("/c/{OPEN}/moderation")).await;
        let hidden = cast.moderator.post(&format!("/c/{OPEN}/moderation/{}", cast.public_comment), &csrf_of(&queue),
            &[("decision", "hide"), ("reason", "与条文无关")]).await;
        assert_eq!(hidden.status, 303);
        let reader = &cast.anonymous;
        let mut bodies = String::new();

        let (status, text, list) = get_json(reader, "/api/v1/consultations").await;
        assert_eq!(status, 200);
        bodies.push_str(&text);
        assert!(list.as_array().expect("array").iter().any(|c| c["slug"] == OPEN));
        let (status, text, one) = get_json(reader, &format!("/api/v1/consultations/{OPEN}")).await;
        assert_eq!(status, 200);
        bodies.push_str(&text);
        assert_eq!(one["status"], "open");
        let (status, text, articles) = get_json(reader, &format!("/api/v1/consultations/{OPEN}/articles")).await;
        assert_eq!(status, 200);
        bodies.push_str(&text);
        assert!(articles.as_array().expect("array").iter().any(|a| a["label"] == "第五条"));
        // A response answering a public and a drafters-only comment names only the public one.
        let (p, d) = (cast.public_comment.clone(), cast.drafters_comment.clone());
        let ids = db::run(&app.pool, move |conn| {
            let id = |conn: &mut db::DbConnection, t: &str| Ok::<_, db::DbError>(db::comments::by_tracking(conn, t)?.expect("comment").id.to_string());
            Ok((id(conn, &p)?, id(conn, &d)?))
        })
        .await
        .expect("ids");
        let (_, work) = cast.drafter.get(&format!("/c/{OPEN}/dashboard/a/5")).await;
        let answered = cast.drafter.post(&format!("/c/{OPEN}/responses"), &csrf_of(&work),
            &[("article", "5"), ("decision", "explained"), ("reasoning", "说明理由"), ("answers", &ids.0), ("answers", &ids.1)]).await;
        assert_eq!(answered.status, 303, "{}", answered.body);
        let (status, text, _) = get_json(reader, &format!("/api/v1/consultations/{OPEN}/responses")).await;
        assert_eq!(status, 200);
        assert!(text.contains(&cast.public_comment) && !text.contains(&cast.drafters_comment), "{text}");
        bodies.push_str(&text);

        let mut comments = Vec::new();
        let mut after = 0;
        loop {
            let (status, text, page) = get_json(reader, &format!("/api/v1/consultations/{OPEN}/comments?after={after}&limit=3")).await;
            assert_eq!(status, 200);
            bodies.push_str(&text);
            let got = page["comments"].as_array().expect("comments").clone();
            assert!(got.len() <= 3);
            comments.extend(got);
            match page["next_after"].as_i64() {
                Some(next) => after = next,
                None => break,
            }
        }
        let trackings: Vec<&str> = comments.iter().map(|c| c["tracking"].as_str().expect("tracking")).collect();
        assert!(!trackings.contains(&cast.public_comment.as_str()), "hidden comments are not listed");
        assert!(!trackings.contains(&cast.drafters_comment.as_str()), "nor drafters-only ones");
        let mut ids: Vec<i64> = comments.iter().map(|c| c["id"].as_i64().expect("id")).collect();
        let listed = ids.len();
        ids.dedup();
        assert_eq!(ids.len(), listed, "no comment twice across pages");
        let anonymous = comments.iter().find(|c| c["body"] == "API 匿名意见").expect("the anonymous comment");
        assert!(anonymous["author"].is_null(), "anonymous comments carry no author");
        let named = comments.iter().find(|c| c["body"] == "API 署名意见").expect("the named comment");
        assert!(named["author"].is_string(), "named comments carry the public display name");
        assert!(!bodies.contains('@'), "no e-mail address anywhere in the API");

        // Programs get errors as JSON they can parse, with a message in the asked language.
        let (status, _, error) = get_json(reader, &format!("/api/v1/consultations/{OPEN}/comments?limit=201")).await;
        assert_eq!(status, 400);
        assert_eq!(error["status"], 400);
        assert!(error["message"].as_str().is_some_and(|m| !m.is_empty()), "{error}");
        let (status, _, error) = get_json(reader, &format!("/api/v1/consultations/{OPEN}/comments?after=abc")).await;
        assert_eq!(status, 400, "a cursor that does not parse");
        assert_eq!(error["status"], 400);
        let (status, _, error) = get_json(reader, "/api/v1/consultations/no-such-consultation/comments").await;
        assert_eq!(status, 404);
        assert_eq!(error["status"], 404);
        let (status, _, error) = get_json(reader, "/api/v1/no-such-resource").await;
        assert_eq!(status, 404);
        assert_eq!(error["status"], 404);
        let (status, _, spec) = get_json(reader, "/api/v1/openapi.json").await;
        assert_eq!(status, 200);
        assert_eq!(spec["openapi"], "3.1.0");
    }
}
