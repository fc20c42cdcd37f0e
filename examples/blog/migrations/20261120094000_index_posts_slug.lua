-- Index posts.slug without blocking writers.
--
-- On PostgreSQL a plain CREATE INDEX holds a lock that blocks every INSERT, UPDATE and
-- DELETE on the table until the index is built, which on a big table means minutes of
-- downtime. CREATE INDEX CONCURRENTLY builds it while writes go on, but PostgreSQL refuses
-- to run it inside a transaction block, so this migration sets `transaction = false`:
-- tide runs it statement by statement, records it "dirty" before it starts and "applied"
-- when it is done. If it fails half way, `tide status` names it and `tide resolve` or
-- `tide repair` clears it once the database has been checked by hand.
--
-- SQLite has no CONCURRENTLY (and builds the index in a blink); the same migration uses
-- the plain statement there.
return {
  description = "index posts.slug (concurrently on PostgreSQL)",
  transaction = false,
  up = function(db)
    local concurrently = db.dialect == "postgres" and "CONCURRENTLY " or ""
    db:exec("CREATE INDEX " .. concurrently .. "IF NOT EXISTS posts_slug_idx ON posts (slug)")
  end,
  down = function(db)
    local concurrently = db.dialect == "postgres" and "CONCURRENTLY " or ""
    db:exec("DROP INDEX " .. concurrently .. "IF EXISTS posts_slug_idx")
  end,
}
