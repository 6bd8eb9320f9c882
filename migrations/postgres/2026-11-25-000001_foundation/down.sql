DROP TABLE articles;
DROP TABLE divisions;
DROP TABLE draft_versions;
DROP TABLE consultations;
DROP TABLE settings;
