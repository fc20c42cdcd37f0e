-- Posts belong to a user; deleting the user deletes their posts.
-- tide:up
CREATE TABLE posts (
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  title VARCHAR(200) NOT NULL,
  body TEXT NOT NULL DEFAULT '',
  published_at TIMESTAMP
);

CREATE INDEX posts_user_id_idx ON posts (user_id);

-- tide:down
DROP INDEX posts_user_id_idx;
DROP TABLE posts;
