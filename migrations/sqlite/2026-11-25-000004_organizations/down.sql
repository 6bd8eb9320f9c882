DROP TABLE consultation_roles;
DROP INDEX users_organization;
ALTER TABLE users DROP COLUMN organization_id;
DROP TABLE organizations;
