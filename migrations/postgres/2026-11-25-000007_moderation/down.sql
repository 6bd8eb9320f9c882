DROP TABLE moderation_actions;
DROP TABLE reports;
