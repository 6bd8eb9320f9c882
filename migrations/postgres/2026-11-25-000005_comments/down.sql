DROP TABLE disputes;
DROP TABLE endorsements;
DROP TABLE comments;
