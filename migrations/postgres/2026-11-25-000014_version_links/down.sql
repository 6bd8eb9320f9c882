DROP TABLE article_lineage;
DROP TABLE change_responses;
DROP TABLE change_comments;
