-- Comments, and a trigger that keeps posts.comment_count up to date. The trigger body
-- has its own semicolons: tide splits SQLite scripts so BEGIN ... END stays one statement.
-- tide:up
ALTER TABLE posts ADD COLUMN comment_count INTEGER NOT NULL DEFAULT 0;

CREATE TABLE comments (
  id INTEGER PRIMARY KEY,
  post_id INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
  author VARCHAR(100) NOT NULL,
  body TEXT NOT NULL,
  created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);

CREATE TRIGGER comments_count_insert AFTER INSERT ON comments
BEGIN
  UPDATE posts SET comment_count = comment_count + 1 WHERE id = NEW.post_id;
END;

CREATE TRIGGER comments_count_delete AFTER DELETE ON comments
BEGIN
  UPDATE posts SET comment_count = comment_count - 1 WHERE id = OLD.post_id;
END;

-- tide:down
DROP TRIGGER comments_count_delete;
DROP TRIGGER comments_count_insert;
DROP TABLE comments;
ALTER TABLE posts DROP COLUMN comment_count;
