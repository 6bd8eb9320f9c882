DROP TABLE article_lineage;
DROP TABLE change_responses;
DROP INDEX change_comments_comment;
DROP TABLE change_comments;
