-- A column with a default: existing rows get 'author' without a rewrite.
-- tide:up
ALTER TABLE users ADD COLUMN role VARCHAR(20) NOT NULL DEFAULT 'author';

-- tide:down
ALTER TABLE users DROP COLUMN role;
