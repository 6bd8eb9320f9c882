DROP TABLE throttles;
DROP TABLE user_tokens;
DROP TABLE sessions;
DROP TABLE users;
