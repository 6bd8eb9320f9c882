DROP INDEX comments_division;
ALTER TABLE comments DROP COLUMN division_id;
