-- The account lifecycle: a password that must be changed at the next sign-in (a generated or
-- reset one), and a counter that ends every session of a user when it moves (password, role).
ALTER TABLE users ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN session_epoch INTEGER NOT NULL DEFAULT 0;
