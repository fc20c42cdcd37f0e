-- tide configuration for the blog example. Every key is optional.

-- The deployment recipe (SPEC §6): snapshot before migrating, restore the snapshot when
-- a migration fails, drop it after success. On SQLite the snapshot is a consistent copy
-- of the file beside it; in production swap in the provider for your database, e.g.
--   tide.snapshot.pg_dump.create{url = tide.getenv("DATABASE_URL")}
--   tide.snapshot.aws_rds.create{instance = "blog-prod"}
local snap

return {
  -- The database for an environment (`tide --env NAME`, or $TIDE_ENV; default
  -- development). A plain URL string works too; so does a table keyed by environment.
  -- SQLite paths are relative to this folder.
  database = function(env)
    if env == "production" then
      return tide.getenv("DATABASE_URL") or error("the production database comes from $DATABASE_URL, which is not set", 0)
    end
    if env == "development" then return "sqlite:db/blog.sqlite3" end
    return "sqlite:db/blog_" .. env .. ".sqlite3"
  end,
  -- down, redo, seed --force and seeds that delete rows need --yes here.
  protected = { "production" },
  lock_timeout = "30s",
  migrations = "migrations",
  seeds = "seeds",               -- run in file order by `tide seed` and `tide up --seed`
  hooks = {
    before_migrate      = function(ctx) snap = tide.snapshot.sqlite.create{db = ctx.db} end,
    after_migrate_error = function(ctx) snap:restore() end,
    after_migrate       = function(ctx) snap:drop() end,
  },
}
