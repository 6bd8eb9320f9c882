CREATE TABLE organizations (
    id INTEGER PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    org_type TEXT NOT NULL,
    uscc TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL,
    review_reason TEXT,
    reviewed_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    reviewed_at TIMESTAMP,
    created_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX organizations_status ON organizations (status, created_at);

ALTER TABLE users ADD COLUMN organization_id INTEGER REFERENCES organizations (id) ON DELETE SET NULL;
CREATE INDEX users_organization ON users (organization_id);

CREATE TABLE consultation_roles (
    consultation_id INTEGER NOT NULL REFERENCES consultations (id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    granted_at TIMESTAMP NOT NULL,
    PRIMARY KEY (consultation_id, user_id, role)
);
CREATE INDEX consultation_roles_user ON consultation_roles (user_id);
