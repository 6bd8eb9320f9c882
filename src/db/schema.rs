// The diesel schema shared by both backends; `tests/app/schema.rs` checks that the SQLite and
// PostgreSQL migrations both produce exactly this.

diesel::table! {
    settings (key) {
        key -> Text,
        value -> Text,
    }
}

diesel::table! {
    consultations (id) {
        id -> Integer,
        slug -> Text,
        title -> Text,
        title_en -> Nullable<Text>,
        issuer -> Text,
        issuer_en -> Nullable<Text>,
        summary -> Text,
        summary_en -> Nullable<Text>,
        risk_tier -> Text,
        topics -> Text,
        is_demo -> Bool,
        opens_at -> Timestamp,
        closes_at -> Timestamp,
        current_version_id -> Nullable<Integer>,
        created_at -> Timestamp,
        concluded_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    draft_versions (id) {
        id -> Integer,
        consultation_id -> Integer,
        number -> Integer,
        language -> Text,
        translation_of -> Nullable<Integer>,
        title -> Text,
        preamble -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    divisions (id) {
        id -> Integer,
        version_id -> Integer,
        parent_id -> Nullable<Integer>,
        kind -> Text,
        number -> Integer,
        label -> Text,
        title -> Text,
        position -> Integer,
    }
}

diesel::table! {
    articles (id) {
        id -> Integer,
        version_id -> Integer,
        division_id -> Nullable<Integer>,
        number -> Integer,
        label -> Text,
        body -> Text,
        position -> Integer,
        stable_key -> Text,
    }
}

diesel::joinable!(articles -> divisions (division_id));
diesel::joinable!(articles -> draft_versions (version_id));
diesel::joinable!(divisions -> draft_versions (version_id));
diesel::joinable!(draft_versions -> consultations (consultation_id));

diesel::allow_tables_to_appear_in_same_query!(
    settings,
    consultations,
    draft_versions,
    divisions,
    articles,
);

diesel::table! {
    outbox (id) {
        id -> Integer,
        idempotency_key -> Text,
        recipient -> Text,
        subject -> Text,
        body_text -> Text,
        body_html -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        locked_until -> Nullable<Timestamp>,
        sent_at -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
        list_unsubscribe -> Nullable<Text>,
    }
}

diesel::table! {
    users (id) {
        id -> Integer,
        email -> Text,
        display_name -> Text,
        password_hash -> Text,
        stakeholder_type -> Text,
        locale -> Text,
        is_admin -> Bool,
        verified_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        deleted_at -> Nullable<Timestamp>,
        organization_id -> Nullable<Integer>,
    }
}

diesel::table! {
    sessions (id) {
        id -> Integer,
        token_hash -> Text,
        user_id -> Integer,
        created_at -> Timestamp,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    user_tokens (id) {
        id -> Integer,
        user_id -> Integer,
        purpose -> Text,
        token_hash -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    throttles (key) {
        key -> Text,
        window_start -> Timestamp,
        hits -> Integer,
        locked_until -> Nullable<Timestamp>,
    }
}

diesel::table! {
    organizations (id) {
        id -> Integer,
        name -> Text,
        org_type -> Text,
        uscc -> Text,
        status -> Text,
        review_reason -> Nullable<Text>,
        reviewed_by -> Nullable<Integer>,
        reviewed_at -> Nullable<Timestamp>,
        created_by -> Nullable<Integer>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    consultation_roles (consultation_id, user_id, role) {
        consultation_id -> Integer,
        user_id -> Integer,
        role -> Text,
        granted_at -> Timestamp,
    }
}

diesel::joinable!(users -> organizations (organization_id));
diesel::joinable!(consultation_roles -> users (user_id));
diesel::joinable!(consultation_roles -> consultations (consultation_id));
diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(user_tokens -> users (user_id));

diesel::allow_tables_to_appear_in_same_query!(
    users,
    sessions,
    user_tokens,
    throttles,
    organizations,
    consultation_roles,
    consultations,
);

diesel::table! {
    comments (id) {
        id -> Integer,
        tracking -> Text,
        consultation_id -> Integer,
        version_id -> Integer,
        article_id -> Nullable<Integer>,
        parent_id -> Nullable<Integer>,
        author_id -> Nullable<Integer>,
        author_name -> Text,
        stakeholder_type -> Text,
        organization_name -> Nullable<Text>,
        stance -> Nullable<Text>,
        body -> Text,
        proposed_text -> Nullable<Text>,
        visibility -> Text,
        state -> Text,
        content_hash -> Text,
        dispute_token_hash -> Text,
        endorsements -> Integer,
        hidden_reason -> Nullable<Text>,
        hidden_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        division_id -> Nullable<Integer>,
    }
}

diesel::table! {
    endorsements (comment_id, user_id) {
        comment_id -> Integer,
        user_id -> Integer,
        created_at -> Timestamp,
    }
}

diesel::table! {
    disputes (id) {
        id -> Integer,
        comment_id -> Integer,
        created_at -> Timestamp,
        resolved_at -> Nullable<Timestamp>,
    }
}

diesel::joinable!(comments -> consultations (consultation_id));
diesel::joinable!(comments -> articles (article_id));
diesel::joinable!(endorsements -> comments (comment_id));
diesel::joinable!(disputes -> comments (comment_id));

diesel::allow_tables_to_appear_in_same_query!(comments, endorsements, disputes);
diesel::allow_tables_to_appear_in_same_query!(comments, articles);
diesel::allow_tables_to_appear_in_same_query!(comments, users);
diesel::allow_tables_to_appear_in_same_query!(comments, consultations);
diesel::allow_tables_to_appear_in_same_query!(comments, draft_versions);
diesel::allow_tables_to_appear_in_same_query!(endorsements, users);

diesel::table! {
    reports (id) {
        id -> Integer,
        comment_id -> Integer,
        reporter_id -> Nullable<Integer>,
        reporter_verified -> Bool,
        reason -> Text,
        created_at -> Timestamp,
        resolved_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    moderation_actions (id) {
        id -> Integer,
        consultation_id -> Integer,
        comment_id -> Nullable<Integer>,
        actor_id -> Nullable<Integer>,
        action -> Text,
        reason -> Text,
        created_at -> Timestamp,
    }
}

diesel::joinable!(reports -> comments (comment_id));
diesel::joinable!(moderation_actions -> comments (comment_id));

diesel::allow_tables_to_appear_in_same_query!(reports, comments);
diesel::allow_tables_to_appear_in_same_query!(moderation_actions, comments);

diesel::table! {
    attachments (id) {
        id -> Integer,
        comment_id -> Integer,
        sha256 -> Text,
        size -> BigInt,
        content_type -> Text,
        file_name -> Text,
        created_at -> Timestamp,
    }
}

diesel::joinable!(attachments -> comments (comment_id));

diesel::allow_tables_to_appear_in_same_query!(attachments, comments);

diesel::table! {
    search_terms (term, doc_kind, doc_id) {
        term -> Text,
        doc_kind -> Text,
        doc_id -> Integer,
    }
}

// The index is read in subqueries of queries over the documents it points to.
diesel::allow_tables_to_appear_in_same_query!(search_terms, articles);
diesel::allow_tables_to_appear_in_same_query!(search_terms, draft_versions);
diesel::allow_tables_to_appear_in_same_query!(search_terms, consultations);
diesel::allow_tables_to_appear_in_same_query!(search_terms, comments);

diesel::table! {
    ledger_entries (consultation_id, seq) {
        consultation_id -> Integer,
        seq -> BigInt,
        kind -> Text,
        comment_id -> Nullable<Integer>,
        line -> Text,
        hash -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    ledger_heads (consultation_id) {
        consultation_id -> Integer,
        seq -> BigInt,
        hash -> Text,
        opened -> Bool,
        closed -> Bool,
    }
}

diesel::table! {
    ledger_pending (id) {
        id -> Integer,
        consultation_id -> Integer,
        kind -> Text,
        comment_id -> Nullable<Integer>,
        payload -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    ledger_signatures (consultation_id, seq) {
        consultation_id -> Integer,
        seq -> BigInt,
        head -> Text,
        public_key -> Text,
        signature -> Text,
        created_at -> Timestamp,
    }
}

diesel::joinable!(ledger_entries -> consultations (consultation_id));
diesel::joinable!(ledger_heads -> consultations (consultation_id));
diesel::joinable!(ledger_pending -> consultations (consultation_id));
diesel::joinable!(ledger_signatures -> consultations (consultation_id));

diesel::allow_tables_to_appear_in_same_query!(ledger_entries, consultations);
diesel::allow_tables_to_appear_in_same_query!(ledger_heads, consultations);
diesel::allow_tables_to_appear_in_same_query!(ledger_pending, consultations);
diesel::allow_tables_to_appear_in_same_query!(ledger_signatures, consultations);

diesel::table! {
    subscriptions (id) {
        id -> Integer,
        email -> Text,
        user_id -> Nullable<Integer>,
        consultation_id -> Nullable<Integer>,
        article_id -> Nullable<Integer>,
        topic -> Nullable<Text>,
        risk_tier -> Nullable<Text>,
        frequency -> Text,
        locale -> Text,
        confirm_hash -> Nullable<Text>,
        unsubscribe_nonce -> Text,
        unsubscribe_hash -> Text,
        created_at -> Timestamp,
        confirmed_at -> Nullable<Timestamp>,
    }
}

diesel::joinable!(subscriptions -> consultations (consultation_id));
diesel::joinable!(subscriptions -> articles (article_id));

diesel::allow_tables_to_appear_in_same_query!(subscriptions, consultations);
diesel::allow_tables_to_appear_in_same_query!(subscriptions, articles);

diesel::table! {
    campaign_clusters (id) {
        id -> Integer,
        consultation_id -> Integer,
        representative_id -> Integer,
        size -> Integer,
        first_at -> Timestamp,
        last_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    campaign_members (comment_id) {
        comment_id -> Integer,
        cluster_id -> Integer,
    }
}

diesel::table! {
    campaign_runs (consultation_id) {
        consultation_id -> Integer,
        max_comment_id -> Integer,
        comments -> BigInt,
        clustered_at -> Timestamp,
    }
}

diesel::joinable!(campaign_members -> campaign_clusters (cluster_id));
diesel::joinable!(campaign_members -> comments (comment_id));
diesel::joinable!(campaign_clusters -> comments (representative_id));

diesel::allow_tables_to_appear_in_same_query!(campaign_members, campaign_clusters, comments);
diesel::allow_tables_to_appear_in_same_query!(campaign_runs, comments);
diesel::allow_columns_to_appear_in_same_group_by_clause!(
    campaign_members::cluster_id,
    comments::stakeholder_type,
);

diesel::table! {
    responses (id) {
        id -> Integer,
        consultation_id -> Integer,
        article_id -> Nullable<Integer>,
        decision -> Text,
        reasoning -> Text,
        author_id -> Nullable<Integer>,
        published_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    response_comments (response_id, comment_id) {
        response_id -> Integer,
        comment_id -> Integer,
    }
}

diesel::table! {
    comment_triage (comment_id) {
        comment_id -> Integer,
        status -> Text,
        note -> Text,
        updated_by -> Nullable<Integer>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    themes (id) {
        id -> Integer,
        consultation_id -> Integer,
        name -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    comment_themes (comment_id, theme_id) {
        comment_id -> Integer,
        theme_id -> Integer,
    }
}

diesel::joinable!(response_comments -> responses (response_id));
diesel::joinable!(response_comments -> comments (comment_id));
diesel::joinable!(comment_triage -> comments (comment_id));
diesel::joinable!(comment_themes -> themes (theme_id));
diesel::joinable!(comment_themes -> comments (comment_id));
diesel::joinable!(responses -> articles (article_id));

diesel::allow_tables_to_appear_in_same_query!(responses, response_comments, comments);
diesel::allow_tables_to_appear_in_same_query!(responses, articles);
diesel::allow_tables_to_appear_in_same_query!(themes, comment_themes, comments, comment_triage);
diesel::allow_tables_to_appear_in_same_query!(response_comments, comment_triage);
diesel::allow_tables_to_appear_in_same_query!(response_comments, comment_themes);

diesel::table! {
    change_comments (article_id, comment_id) {
        article_id -> Integer,
        comment_id -> Integer,
    }
}

diesel::table! {
    change_responses (article_id, response_id) {
        article_id -> Integer,
        response_id -> Integer,
    }
}

diesel::joinable!(change_comments -> articles (article_id));
diesel::joinable!(change_comments -> comments (comment_id));
diesel::joinable!(change_responses -> articles (article_id));
diesel::joinable!(change_responses -> responses (response_id));

diesel::allow_tables_to_appear_in_same_query!(change_comments, articles);
diesel::allow_tables_to_appear_in_same_query!(change_comments, draft_versions);
diesel::allow_tables_to_appear_in_same_query!(change_comments, comments);
diesel::allow_tables_to_appear_in_same_query!(change_responses, articles);
diesel::allow_tables_to_appear_in_same_query!(change_responses, draft_versions);
diesel::allow_tables_to_appear_in_same_query!(change_responses, responses);
diesel::allow_tables_to_appear_in_same_query!(change_responses, response_comments);

diesel::table! {
    article_lineage (article_id, source_id) {
        article_id -> Integer,
        source_id -> Integer,
        kind -> Text,
    }
}
