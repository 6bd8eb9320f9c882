//! Revised versions: a drafter uploads a revised text, reviews the matching and publishes it;
//! matched articles keep their identity and the old version stays stored.

use chrono::{Duration, Utc};
use diesel::prelude::*;
use yijian::consultations::{RiskTier, Slug};
use yijian::db::schema::{articles, consultations, draft_versions, ledger_entries};
use yijian::db::{self, DbError};
use yijian::drafts::{self, NewConsultation};

use crate::admin::admin;
use crate::harness::{Browser, Reply, TestApp, csrf_of};
use crate::on_both_backends;

const VERSION_1: &str = "\
某某市物业管理条例（草案征求意见稿）

第一条　为了规范物业管理活动，维护业主和物业服务企业的合法权益，制定本条例。
第二条　本条例适用于本市行政区域内的物业管理活动。
第三条　业主可以成立业主大会，选举产生业主委员会。
第四条　物业服务收费应当遵循合理、公开以及费用与服务水平相适应的原则。
第五条　物业服务企业应当按照物业服务合同的约定提供服务，并接受业主的监督。
第六条　本条例自公布之日起施行。
";

/// The revised text of [`VERSION_1`].
pub const VERSION_2: &str = "\
某某市物业管理条例（草案修改稿）

第一条　为了规范物业管理活动，维护业主和物业服务企业的合法权益，制定本条例。
第二条　本条例适用于本市行政区域内的物业管理及相关监督管理活动。
第三条　市住房城乡建设主管部门负责本市物业管理活动的监督管理工作。
第四条　业主可以成立业主大会，选举产生业主委员会。
第五条　物业服务企业应当按照物业服务合同的约定提供服务，定期公开服务事项，并接受业主和业主委员会的监督。
第六条　本条例自公布之日起施行。
";

/// Creates the consultation `wuye` on [`VERSION_1`].
pub async fn create(app: &TestApp) {
    db::run(&app.pool, |conn| {
        let now = Utc::now().naive_utc();
        let meta = NewConsultation {
            slug: Slug::parse("wuye").map_err(|e| DbError::Migration(e.to_string()))?,
            title: None,
            title_en: None,
            issuer: "某某市人大常委会".into(),
            issuer_en: None,
            summary: "物业管理".into(),
            summary_en: None,
            risk_tier: RiskTier::Medium,
            topics: Vec::new(),
            is_demo: false,
            opens_at: now - Duration::days(1),
            closes_at: now + Duration::days(30),
        };
        drafts::import_new_consultation(conn, VERSION_1.as_bytes(), "v1.txt", &meta, now)
            .map(drop)
            .map_err(|e| DbError::Migration(e.to_string()))
    })
    .await
    .expect("consultation created");
}

/// Posts the revised text as an upload; `publish` is what the review page's button sends.
pub async fn upload(browser: &Browser, text: &str, publish: bool) -> Reply {
    let fields = if publish {
        vec![("publish", "1")]
    } else {
        Vec::new()
    };
    send_version(browser, text, &fields).await
}

/// Posts the form of `/c/wuye/versions/new` with `text` and the other `fields` in order.
async fn send_version(browser: &Browser, text: &str, fields: &[(&'static str, &str)]) -> Reply {
    let (_, page) = browser.get("/c/wuye/versions/new").await;
    let mut form = reqwest::multipart::Form::new()
        .text("csrf", csrf_of(&page))
        .text("draft_text", text.to_owned());
    for (name, value) in fields {
        form = form.text(*name, (*value).to_owned());
    }
    let resp = browser
        .client
        .post(format!("{}/c/wuye/versions/new", browser.base))
        .multipart(form)
        .send()
        .await
        .expect("request");
    Reply::read(resp).await
}

/// (article number, stable key) of each version, oldest first.
async fn keys(app: &TestApp) -> Vec<Vec<(i32, String)>> {
    db::run(&app.pool, |conn| {
        let versions: Vec<i32> = draft_versions::table
            .filter(draft_versions::translation_of.is_null())
            .order(draft_versions::number)
            .select(draft_versions::id)
            .load(conn)?;
        let mut out = Vec::new();
        for v in versions {
            out.push(
                articles::table
                    .filter(articles::version_id.eq(v))
                    .order(articles::position)
                    .select((articles::number, articles::stable_key))
                    .load(conn)?,
            );
        }
        Ok(out)
    })
    .await
    .expect("keys")
}

on_both_backends! {
    async fn drafter_publishes_a_revised_text_whose_articles_follow_the_old_ones(app) {
        create(&app).await;
        let (status, _) = app.get("/c/wuye/versions/new").await;
        assert_ne!(status, 200, "a visitor cannot open the upload form");

        let admin = admin(&app).await;
        let (status, form) = admin.get("/c/wuye/versions/new").await;
        assert_eq!(status, 200);
        assert!(form.contains("发布修订稿（第 2 版）"), "{form}");

        let review = upload(&admin, VERSION_2, false).await;
        assert_eq!(review.status, 200, "{}", review.body);
        for row in [
            "<td>第二条</td>\n    <td>第二条</td>\n    <td>已修改</td>",
            "<td>—</td>\n    <td>第三条</td>\n    <td>新增</td>",
            "<td>第三条</td>\n    <td>第四条</td>\n    <td>条序调整</td>",
            "<td>第四条</td>\n    <td>—</td>\n    <td>删除</td>",
        ] {
            assert!(review.body.contains(row), "missing {row:?} in {}", review.body);
        }
        let (_, page) = app.get("/c/wuye/a/3").await;
        assert!(page.contains("业主可以成立业主大会"), "reviewing publishes nothing: {page}");

        let published = upload(&admin, VERSION_2, true).await;
        assert_eq!((published.status, published.location.as_deref()), (303, Some("/c/wuye")), "{}", published.body);
        let (_, page) = app.get("/c/wuye/a/3").await;
        assert!(page.contains("市住房城乡建设主管部门"), "{page}");

        let keys = keys(&app).await;
        assert_eq!(keys.len(), 2, "the first version stays stored");
        let old: Vec<&str> = keys[0].iter().map(|(_, k)| k.as_str()).collect();
        let new: Vec<(i32, &str)> = keys[1].iter().map(|(n, k)| (*n, k.as_str())).collect();
        assert_eq!(new, vec![(1, old[0]), (2, old[1]), (3, "v2-3"), (4, old[2]), (5, old[4]), (6, old[5])]);

        let (current, recorded) = db::run(&app.pool, |conn| {
            let current: Option<i32> = consultations::table
                .inner_join(draft_versions::table.on(draft_versions::id.nullable().eq(consultations::current_version_id)))
                .select(draft_versions::number)
                .first(conn)
                .optional()?;
            let recorded: i64 = ledger_entries::table
                .filter(ledger_entries::kind.eq("version_published"))
                .count()
                .get_result(conn)?;
            Ok((current, recorded))
        })
        .await
        .expect("state");
        assert_eq!((current, recorded), (Some(2), 1));

        let (status, changes) = app.get("/c/wuye/versions/2/changes").await;
        assert_eq!(status, 200, "{changes}");
        assert!(changes.contains("共有 5 条发生变化"), "{changes}");
        assert!(changes.contains("物业管理<ins>及相关监督管理</ins>活动"), "edited inline: {changes}");
        assert!(changes.contains("<del>物业服务收费应当遵循"), "deleted article shown: {changes}");
        assert!(changes.contains("<ins>市住房城乡建设主管部门"), "inserted article shown: {changes}");
        assert!(!changes.contains("<ins>业主可以成立"), "a moved article is not new text: {changes}");
        assert_eq!(app.get("/c/wuye/versions/1/changes").await.0, 404);
        assert!(changes.contains("href=\"/c/wuye/versions/2/changes?view=side\""), "{changes}");

        let (status, side) = app.get("/c/wuye/versions/2/changes?view=side").await;
        assert_eq!(status, 200, "{side}");
        assert!(side.contains("<th scope=\"col\">修改前</th><th scope=\"col\">修改后</th>"), "{side}");
        assert!(
            side.contains("<td>本条例适用于本市行政区域内的物业管理活动。</td><td>本条例适用于本市行政区域内的物业管理<ins>及相关监督管理</ins>活动。</td>"),
            "each side marks its own runs: {side}"
        );
        assert!(side.contains("<td><del>物业服务收费应当遵循"), "a deletion has only a before: {side}");
        assert!(side.contains("aria-current=\"page\">并排对照"), "{side}");
        let (status, bad) = app.get("/c/wuye/versions/2/changes?view=columns").await;
        assert_eq!(status, 400);
        assert!(bad.contains("对照方式无效"), "{bad}");

        let (status, old) = app.get("/c/wuye/v/1/a/4").await;
        assert_eq!(status, 200);
        assert!(old.contains("物业服务收费应当遵循") && old.contains("第 1 版"), "{old}");
        assert!(old.contains("不再接受意见") && old.contains("现行文本已删除本条"), "{old}");
        let (_, moved) = app.get("/c/wuye/v/1/a/3").await;
        assert!(moved.contains("<a href=\"/c/wuye/a/4\">现行文本中为第四条</a>"), "an old article points at its current one: {moved}");
        assert!(!moved.contains("/c/wuye/a/3/comments"), "no comment form on an old version: {moved}");
        let (_, current) = app.get("/c/wuye/v/2/a/3").await;
        assert!(current.contains("这是现行文本") && current.contains("href=\"/c/wuye/a/3\""), "{current}");
        let (_, home) = app.get("/c/wuye").await;
        assert!(home.contains("href=\"/c/wuye/versions\"") && !home.contains("/c/wuye/versions/new"), "{home}");
        let (_, dashboard) = admin.get("/c/wuye/dashboard").await;
        assert!(dashboard.contains("href=\"/c/wuye/versions/new\""), "{dashboard}");
        let (_, history) = app.get("/c/wuye/versions").await;
        assert!(history.contains("第 1 版") && history.contains("/c/wuye/versions/2/changes"), "{history}");
        assert!(history.contains("href=\"/c/wuye/v/1\"") && history.contains("href=\"/c/wuye/v/2\""), "{history}");
        let (status, contents) = app.get("/c/wuye/v/1").await;
        assert_eq!(status, 200, "{contents}");
        assert!(contents.contains("共 6 条") && contents.contains("阅读现行文本"), "{contents}");
        assert!(contents.contains("<a href=\"/c/wuye/v/1/a/4\">第四条</a> 物业服务收费应当遵循"), "{contents}");
        let (_, contents) = app.get("/c/wuye/v/2").await;
        assert!(contents.contains("这是现行文本") && contents.contains("href=\"/c/wuye/v/2/a/3\""), "{contents}");
        assert!(contents.contains("/c/wuye/versions/2/changes"), "{contents}");
        assert_eq!(app.get("/c/wuye/v/3").await.0, 404);

        let again = upload(&admin, VERSION_2, true).await;
        assert_eq!(again.status, 422);
        assert!(again.body.contains("无需发布新版本"), "{}", again.body);
    }
}

/// Posts a comment on article `number` of the first version and returns its tracking number.
async fn comment(b: &Browser, number: i32, body: &str, visibility: &str) -> String {
    let article = format!("/c/wuye/a/{number}");
    let r = b
        .submit(
            &article,
            &format!("{article}/comments"),
            &[
                ("stance", "amend"),
                ("body", body),
                ("visibility", visibility),
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

/// The value of the checkbox named `name` just before `marker` on `page`.
fn checkbox_before(page: &str, name: &str, marker: &str) -> String {
    let end = page
        .find(marker)
        .unwrap_or_else(|| panic!("{marker} in {page}"));
    let lead = format!("name=\"{name}\" value=\"");
    let start = page[..end].rfind(&lead).expect("checkbox") + lead.len();
    page[start..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect()
}

on_both_backends! {
    async fn a_drafter_links_a_change_to_the_comments_and_response_behind_it_and_readers_follow_both_ways(app) {
        create(&app).await;
        let citizen = crate::people::verified(&app, "citizen@example.cn", "citizen").await;
        let asked = comment(&citizen, 2, "建议将相关监督管理活动纳入适用范围。", "named").await;
        let typed = comment(&citizen, 5, "物业服务企业应当定期公开服务事项。", "anonymous").await;
        let private = comment(&citizen, 2, "仅供起草人员参阅的意见。", "drafters").await;
        let admin = admin(&app).await;
        let (_, workspace) = admin.get("/c/wuye/dashboard/a/2").await;
        let card = &workspace[workspace.find(&format!("id=\"w-{asked}\"")).expect("card")..];
        let start = card.find("name=\"answers\" value=\"").expect("checkbox") + "name=\"answers\" value=\"".len();
        let asked_id: String = card[start..].chars().take_while(char::is_ascii_digit).collect();
        let r = admin
            .submit("/c/wuye/dashboard/a/2", "/c/wuye/responses", &[
                ("article", "2"), ("decision", "adopted"),
                ("reasoning", "采纳，扩大适用范围。"), ("answers", &asked_id),
            ])
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
        assert_eq!(upload(&admin, VERSION_2, true).await.status, 303);

        let (_, public) = app.get("/c/wuye/versions/2/changes").await;
        assert!(!public.contains("/changes/2/links"), "visitors get no linking form: {public}");
        let (_, page) = admin.get("/c/wuye/versions/2/changes").await;
        assert!(page.contains("action=\"/c/wuye/versions/2/changes/2/links\""), "{page}");
        assert!(page.contains(&format!("<code>{asked}</code>")), "comments of the old article offered: {page}");
        assert!(!page.contains(&private), "drafters-only comments cannot be linked publicly: {page}");
        let response_id = checkbox_before(&page, "response", "采纳，扩大适用范围");
        assert_eq!(checkbox_before(&page, "comment", &format!("<code>{asked}</code>")), asked_id);

        let action = "/c/wuye/versions/2/changes/2/links";
        for (fields, message) in [
            (vec![("comment", "999999")], "不属于本次征求意见"),
            (vec![("tracking", private.as_str())], "不属于本次征求意见"),
            (vec![("tracking", "not-a-number")], "回执编号有误"),
            (vec![("response", "-4")], "不属于本次征求意见"),
        ] {
            let r = admin.submit("/c/wuye/versions/2/changes", action, &fields).await;
            assert_eq!(r.status, 400, "{fields:?}: {}", r.body);
            assert!(r.body.contains(message), "{}", r.body);
        }
        let r = admin
            .submit("/c/wuye/versions/2/changes", "/c/wuye/versions/2/changes/1/links", &[("comment", &asked_id)])
            .await;
        assert_eq!(r.status, 400, "an unchanged article takes no links");
        assert!(r.body.contains("没有修改"), "{}", r.body);

        let r = admin
            .submit("/c/wuye/versions/2/changes", action, &[
                ("comment", asked_id.as_str()), ("response", response_id.as_str()),
                ("tracking", &typed.to_lowercase()),
            ])
            .await;
        assert_eq!((r.status, r.location.as_deref()), (303, Some("/c/wuye/versions/2/changes#change-2")), "{}", r.body);

        let (_, changes) = app.get("/c/wuye/versions/2/changes").await;
        let section = &changes[changes.find("id=\"change-2\"").expect("anchor")..];
        let section = &section[..section.find("</section>").expect("end")];
        assert!(section.contains("本条修改回应了") && section.contains("回应了 2 条意见"), "{section}");
        for link in [format!("/receipt/{asked}"), format!("/receipt/{typed}"), "/c/wuye/v/1/a/2#response".into()] {
            assert!(section.contains(&link), "{link} in {section}");
        }
        let (_, article) = app.get("/c/wuye/a/2").await;
        assert!(article.contains("本条修改回应了") && article.contains(&format!("/receipt/{asked}")), "{article}");
        assert!(article.contains("/c/wuye/versions/2/changes#change-2"), "{article}");
        let (_, old) = app.get("/c/wuye/v/1/a/2").await;
        assert!(old.contains("id=\"response\"") && old.contains("采纳，扩大适用范围"), "{old}");
        assert!(old.contains("此意见促成了修改") && old.contains(&format!("id=\"c-{asked}\"")), "{old}");
        for t in [&asked, &typed] {
            let (_, receipt) = app.get(&format!("/receipt/{t}")).await;
            assert!(receipt.contains("此意见促成了修改") && receipt.contains("/c/wuye/versions/2/changes#change-2"), "{receipt}");
        }
        let (_, receipt) = app.get(&format!("/receipt/{private}")).await;
        assert!(!receipt.contains("此意见促成了修改"), "{receipt}");

        let r = admin.submit("/c/wuye/versions/2/changes", action, &[]).await;
        assert_eq!(r.status, 303, "an empty form removes every link");
        let (_, receipt) = app.get(&format!("/receipt/{asked}")).await;
        assert!(!receipt.contains("此意见促成了修改"), "{receipt}");
    }
}

/// Version 2 with a split and a merge: 第二条 reworded beyond recognition, 第四条 (fees) merged
/// into the services article, which also gives up its supervision clause to a new 第六条.
const VERSION_2_SPLIT_MERGE: &str = "\
某某市物业管理条例（草案修改稿）

第一条　为了规范物业管理活动，维护业主和物业服务企业的合法权益，制定本条例。
第二条　在本市范围内使用、维护和管理住宅小区等各类物业，实施相关监督，应当遵守本条例。
第三条　市住房城乡建设主管部门负责本市物业管理活动的监督管理工作。
第四条　业主可以成立业主大会，选举产生业主委员会。
第五条　物业服务企业应当按照物业服务合同的约定提供服务，服务收费应当遵循合理、公开以及费用与服务水平相适应的原则。
第六条　物业服务企业应当接受业主和业主委员会的监督。
第七条　本条例自公布之日起施行。
";

/// Posts the revised text for publication with the drafter's matching, one value per article.
async fn publish_corrected(browser: &Browser, continues: &[&str], also: &[&str]) -> Reply {
    let mut fields = vec![("publish", "1")];
    fields.extend(continues.iter().map(|c| ("continues", *c)));
    fields.extend(also.iter().map(|a| ("also", *a)));
    send_version(browser, VERSION_2_SPLIT_MERGE, &fields).await
}

on_both_backends! {
    async fn a_drafter_corrects_the_matching_and_records_a_split_and_a_merge_before_publishing(app) {
        create(&app).await;
        let admin = admin(&app).await;
        let review = upload(&admin, VERSION_2_SPLIT_MERGE, false).await;
        assert_eq!(review.status, 200, "{}", review.body);
        assert!(review.body.contains("<datalist id=\"old-articles\"><option value=\"1\">第一条</option>"), "{}", review.body);
        assert!(
            review.body.contains("<td>—</td>\n    <td>第二条</td>\n    <td>新增</td>"),
            "the rewording is too deep for the matcher: {}", review.body
        );
        assert!(review.body.contains("name=\"continues\" value=\"3\""), "第四条 continues 第三条: {}", review.body);

        let keep = ["1", "2", "", "3", "5", "", "6"];
        let none = [""; 7];
        for (continues, also, why) in [
            (&["1", "2", "", "3", "5", "5", "6"][..], &none[..], "第五条 continued twice"),
            (&["1", "2", "", "3", "99", "", "6"][..], &none[..], "no 第九十九条"),
            (&["1", "2", "", "3", "5", "", "6"][..], &none[..6], "one value missing"),
            (&keep[..], &["", "", "", "", "5", "", ""][..], "merged with itself"),
            (&keep[..], &["", "", "4", "", "", "", ""][..], "a merge into a new article"),
            (&["1", "二", "", "3", "5", "", "6"][..], &none[..], "not a number"),
        ] {
            let r = publish_corrected(&admin, continues, also).await;
            assert_eq!(r.status, 400, "{why}: {}", r.body);
            assert!(r.body.contains("修正后的对应关系有误"), "{why}: {}", r.body);
        }
        assert_eq!(keys(&app).await.len(), 1, "nothing published");

        let r = publish_corrected(&admin, &keep, &["", "", "", "", "4", "5", ""]).await;
        assert_eq!((r.status, r.location.as_deref()), (303, Some("/c/wuye")), "{}", r.body);

        let keys = keys(&app).await;
        let old: Vec<&str> = keys[0].iter().map(|(_, k)| k.as_str()).collect();
        let new: Vec<(i32, &str)> = keys[1].iter().map(|(n, k)| (*n, k.as_str())).collect();
        assert_eq!(
            new,
            vec![(1, old[0]), (2, old[1]), (3, "v2-3"), (4, old[2]), (5, old[4]), (6, "v2-6"), (7, old[5])],
            "unchanged, edited as corrected, inserted, renumbered, merged, split, renumbered"
        );

        let (status, changes) = app.get("/c/wuye/versions/2/changes").await;
        assert_eq!(status, 200, "{changes}");
        let section = |anchor: &str| -> String {
            let start = changes.find(&format!("id=\"{anchor}\"")).unwrap_or_else(|| panic!("{anchor} in {changes}"));
            let rest = &changes[start..];
            rest[..rest.find("</section>").expect("end")].to_owned()
        };
        assert!(section("change-2").contains("已修改"), "{}", section("change-2"));
        assert!(section("change-3").contains("新增"), "{}", section("change-3"));
        assert!(section("change-4").contains("条序调整"), "{}", section("change-4"));
        assert!(section("change-5").contains("合并自第四条、第五条"), "{}", section("change-5"));
        assert!(section("change-6").contains("拆分自第五条"), "{}", section("change-6"));
        assert!(section("deleted-4").contains("删除") && section("deleted-4").contains("并入第五条"), "{}", section("deleted-4"));
        let (_, en) = app.get("/c/wuye/versions/2/changes?lang=en").await;
        assert!(en.contains("Merged from 第四条, 第五条") && en.contains("Split from 第五条"), "{en}");
    }
}

/// Publishes version 2 with a new comment round from `opens` to `closes` (Beijing days).
async fn publish_with_round(browser: &Browser, opens: &str, closes: &str) -> Reply {
    send_version(
        browser,
        VERSION_2,
        &[("publish", "1"), ("opens", opens), ("closes", closes)],
    )
    .await
}

on_both_backends! {
    async fn a_revised_version_opens_a_new_comment_round_on_its_own_articles(app) {
        create(&app).await;
        db::run(&app.pool, |conn| {
            diesel::update(consultations::table)
                .set(consultations::closes_at.eq(Utc::now().naive_utc() - Duration::hours(1)))
                .execute(conn)
                .map(drop)
                .map_err(DbError::from)
        })
        .await
        .expect("first round closed");
        let citizen = crate::people::verified(&app, "citizen@example.cn", "citizen").await;
        let refused = citizen
            .submit("/c/wuye/a/2", "/c/wuye/a/2/comments", &[("stance", "amend"), ("body", "截止后的意见"), ("visibility", "named")])
            .await;
        assert_eq!(refused.status, 403, "the first round is over");

        let admin = admin(&app).await;
        let (_, form) = admin.get("/c/wuye/versions/new").await;
        assert!(!form.contains("name=\"opens\""), "the round is chosen on the review page");
        let review = upload(&admin, VERSION_2, false).await;
        assert!(review.body.contains("<input id=\"f-opens\" name=\"opens\" type=\"date\""), "{}", review.body);
        let today = (Utc::now() + Duration::hours(8)).date_naive();
        let day = |d: i64| (today + Duration::days(d)).to_string();
        for (opens, closes) in [(day(0), String::new()), (day(5), day(1)), (day(-9), day(-2)), ("明天".to_owned(), day(9))] {
            let r = publish_with_round(&admin, &opens, &closes).await;
            assert_eq!(r.status, 400, "{opens}–{closes}: {}", r.body);
            assert!(r.body.contains("新一轮征求意见的日期有误"), "{}", r.body);
        }
        assert_eq!(keys(&app).await.len(), 1, "nothing published");

        let r = publish_with_round(&admin, &day(0), &day(14)).await;
        assert_eq!((r.status, r.location.as_deref()), (303, Some("/c/wuye")), "{}", r.body);
        let tracking = comment(&citizen, 3, "建议明确主管部门的具体职责。", "named").await;
        let (_, receipt) = app.get(&format!("/receipt/{tracking}")).await;
        assert!(receipt.contains("href=\"/c/wuye/a/3#c-"), "{receipt}");
        let (_, article) = app.get("/c/wuye/a/3").await;
        assert!(article.contains("市住房城乡建设主管部门") && article.contains(&format!("id=\"c-{tracking}\"")), "{article}");
        let (_, old) = app.get("/c/wuye/v/1/a/3").await;
        assert!(!old.contains(&tracking) && old.contains("不再接受意见"), "the old article keeps only its own comments: {old}");

        let (on_version, kinds) = db::run(&app.pool, |conn| {
            use yijian::db::schema::comments;
            let on_version: i32 = comments::table
                .inner_join(draft_versions::table.on(draft_versions::id.eq(comments::version_id)))
                .select(draft_versions::number)
                .first(conn)?;
            let kinds: Vec<String> = ledger_entries::table
                .order(ledger_entries::seq)
                .select(ledger_entries::kind)
                .load(conn)?;
            Ok((on_version, kinds))
        })
        .await
        .expect("state");
        assert_eq!(on_version, 2, "the comment is on the new version");
        assert_eq!(
            kinds,
            ["consultation_opened", "consultation_closed", "version_published", "comment_round_opened", "comment_posted"],
            "the record shows the second round, with its window"
        );
    }
}
