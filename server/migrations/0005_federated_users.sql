-- Users who sign in through the identity provider (OpenID Connect): where a user signs in, the
-- provider's subject identifier for federated users, and the last successful sign-in of anyone.
-- A federated user's password_hash is a marker no password can match.
ALTER TABLE users ADD COLUMN source TEXT NOT NULL DEFAULT 'local' CHECK (source IN ('local', 'federated'));
ALTER TABLE users ADD COLUMN subject TEXT;
ALTER TABLE users ADD COLUMN last_sign_in_ms INTEGER;
CREATE UNIQUE INDEX users_by_subject ON users (subject) WHERE source = 'federated';
