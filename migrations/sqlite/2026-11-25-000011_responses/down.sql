DROP INDEX comments_endorsed;
DROP INDEX comments_organizations;
DROP INDEX comments_dashboard;
DROP TABLE comment_themes;
DROP TABLE themes;
DROP TABLE comment_triage;
DROP TABLE response_comments;
DROP TABLE responses;
ALTER TABLE consultations DROP COLUMN concluded_at;
