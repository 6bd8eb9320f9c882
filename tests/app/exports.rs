//! The drafters' exports: every comment of their consultation, hidden ones marked, as CSV and XLSX
//! for Excel and as JSON; nobody else may download them.

use diesel::prelude::*;
use yijian::db;
use yijian::db::schema::{comments, consultations};

use crate::harness::{Browser, csrf_of};
use crate::on_both_backends;
use crate::people::{Cast, OPEN};

const BOM: &[u8] = b"\xEF\xBB\xBF";

async fn download(b: &Browser, path: &str) -> (u16, Option<String>, Vec<u8>) {
    let resp = b
        .client
        .get(format!("{}{path}", b.base))
        .send()
        .await
        .expect("request");
    let status = resp.status().as_u16();
    let location = resp
        .headers()
        .get("location")
        .map(|l| l.to_str().expect("ascii").to_owned());
    (status, location, resp.bytes().await.expect("body").to_vec())
}

on_both_backends! {
    async fn drafter_exports_every_comment_with_hidden_ones_marked(app) {
        let cast = Cast::assemble(&app).await;
        let (_, page) = cast.moderator.get(&format!("/c/{OPEN}/moderation")).await;
        let hidden = cast.moderator.post(&format!("/c/{OPEN}/moderation/{}", cast.public_comment), &csrf_of(&page),
            &[("decision", "hide"), ("reason", "与条文无关")]).await;
        assert_eq!(hidden.status, 303);
        let stored: Vec<String> = db::run(&app.pool, |conn| {
            Ok(comments::table.inner_join(consultations::table)
                .filter(consultations::slug.eq(OPEN))
                .order(comments::id)
                .select(comments::tracking)
                .load(conn)?)
        }).await.expect("trackings");

        let (_, dashboard) = cast.drafter.get(&format!("/c/{OPEN}/dashboard")).await;
        assert!(dashboard.contains(&format!("href=\"/c/{OPEN}/export.csv\"")), "the dashboard links the export");

        let (status, _, csv) = download(&cast.drafter, &format!("/c/{OPEN}/export.csv")).await;
        assert_eq!(status, 200);
        assert!(csv.starts_with(BOM), "Excel needs the byte-order mark to read UTF-8");
        let mut reader = csv::Reader::from_reader(&csv[BOM.len()..]);
        let header: Vec<String> = reader.headers().expect("header").iter().map(str::to_owned).collect();
        let col = |name: &str| header.iter().position(|h| h == name).unwrap_or_else(|| panic!("column {name}"));
        let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
        let tracked: Vec<&str> = rows.iter().map(|r| &r[col("tracking")]).collect();
        assert_eq!(tracked, stored, "every comment, drafters-only and hidden ones too, in order");
        let row = |tracking: &str| rows.iter().find(|r| &r[col("tracking")] == tracking).expect("exported");

        let public = row(&cast.public_comment);
        assert_eq!(&public[col("state")], "hidden");
        assert_eq!(&public[col("hidden_reason")], "与条文无关");
        assert_eq!(&public[col("article")], "第五条");
        assert!(public[col("created_at")].ends_with('Z'), "times are UTC");
        assert_eq!(&row(&cast.drafters_comment)[col("visibility")], "drafters");
        for r in &rows {
            if &r[col("visibility")] == "anonymous" {
                assert_eq!(&r[col("author")], "", "anonymous comments carry no author");
            }
        }

        let (status, _, json) = download(&cast.admin, &format!("/c/{OPEN}/export.json")).await;
        assert_eq!(status, 200);
        let records: Vec<serde_json::Value> = serde_json::from_slice(&json).expect("one JSON array");
        let tracked: Vec<&str> = records.iter().map(|r| r["tracking"].as_str().expect("tracking")).collect();
        assert_eq!(tracked, stored);
        let public = records.iter().find(|r| r["tracking"] == cast.public_comment.as_str()).expect("exported");
        assert_eq!(public["hidden_reason"], "与条文无关");

        let (status, _, xlsx) = download(&cast.drafter, &format!("/c/{OPEN}/export.xlsx")).await;
        assert_eq!(status, 200);
        let mut book: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(xlsx)).expect("a workbook");
        let sheet = calamine::Reader::worksheet_range_at(&mut book, 0).expect("one sheet").expect("readable");
        let cells: Vec<Vec<String>> = sheet.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect();
        assert_eq!(cells[0], header, "the same columns as the CSV");
        let tracked: Vec<&str> = cells[1..].iter().map(|r| r[col("tracking")].as_str()).collect();
        assert_eq!(tracked, stored);
        let public = cells.iter().find(|r| r[col("tracking")] == cast.public_comment).expect("exported");
        assert_eq!(public[col("state")], "hidden");
        assert_eq!(public[col("hidden_reason")], "与条文无关");
    }
}

on_both_backends! {
    async fn only_the_consultations_drafters_and_admins_may_export(app) {
        let cast = Cast::assemble(&app).await;
        for ext in ["csv", "json", "xlsx"] {
            let path = format!("/c/{OPEN}/export.{ext}");
            for b in [&cast.citizen, &cast.moderator, &cast.other_drafter] {
                let (status, _, body) = download(b, &path).await;
                assert_eq!(status, 403, "{path}");
                assert!(!String::from_utf8_lossy(&body).contains(&cast.drafters_comment), "no comment leaks in the refusal");
            }
            let (status, location, _) = download(&cast.anonymous, &path).await;
            assert_eq!(status, 303);
            assert!(location.expect("location").starts_with("/login"));
        }
        let (status, _, _) = download(&cast.drafter, "/c/no-such-consultation/export.csv").await;
        assert_eq!(status, 404);
    }
}
