--- PostgreSQL snapshots as dump files: pg_dump in the custom format, and back with
-- pg_restore --clean --if-exists in one transaction. So that objects created after the
-- snapshot go too, restore first drops and recreates the schemas the snapshot covers
-- (`schemas`, default {"public"}), and gives them back the privileges they had at the
-- snapshot (pg_restore alone would not). Passwords travel in PGPASSWORD.
--   create{url = os.getenv("DATABASE_URL"), path = "before.dump", schemas = {"public"},
--          overwrite = false, pg_dump = "pg_dump", pg_restore = "pg_restore", psql = "psql", timeout = "1h"}
-- @module tide.snapshot.pg_dump
local snapshot = require("tide.snapshot")
local pg = require("tide.snapshot.pg_common")

local M = {}
local Snapshot = {}
Snapshot.__index = Snapshot

local exists = snapshot.file_exists

-- The GRANT statements that give the schemas their privileges now. A dump leaves out
-- grants equal to PostgreSQL's initial ones (public's USAGE for everyone), and the
-- schema pg_restore --clean recreates starts without them; restore applies these.
local function schema_grants(self, target, env)
  local names = {}
  for _, s in ipairs(self.schemas) do names[#names + 1] = pg.literal(s) end
  local r = snapshot.run({
    self.psql, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", target, "-c",
    "SELECT format('GRANT %s ON SCHEMA %I TO %s%s', a.privilege_type, n.nspname, "
      .. "CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE a.grantee::regrole::text END, "
      .. "CASE WHEN a.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END) "
      .. "FROM pg_namespace n, aclexplode(n.nspacl) a WHERE n.nspname IN (" .. table.concat(names, ", ") .. ")",
    env = env, timeout = self.timeout,
  }, "pg_dump snapshot")
  local grants = {}
  for line in r.stdout:gmatch("[^\n]+") do grants[#grants + 1] = line end
  return grants
end

function M.create(opts)
  snapshot.check_opts("pg_dump", opts,
    { "url", "path", "schemas", "overwrite", "pg_dump", "pg_restore", "psql", "timeout" })
  local url = snapshot.url(opts, "pg_dump")
  local self = setmetatable({
    url = url, path = opts.path or (url.database .. "." .. snapshot.stamp("snapshot") .. ".dump"),
    schemas = opts.schemas or { "public" }, pg_restore = opts.pg_restore or "pg_restore",
    psql = opts.psql or "psql", timeout = opts.timeout or "1h",
  }, Snapshot)
  snapshot.check_new_file("pg_dump", self.path, opts.overwrite)
  local target, env = pg.conninfo(url, url.database)
  local argv = { opts.pg_dump or "pg_dump", "--format=custom", "--file=" .. self.path }
  for _, s in ipairs(self.schemas) do argv[#argv + 1] = "--schema=" .. s end
  argv[#argv + 1] = "--dbname=" .. target
  argv.env, argv.timeout = env, self.timeout
  snapshot.run(argv, "pg_dump snapshot")
  self.grants = schema_grants(self, target, env)
  tide.log("snapshot: dumped %s to %s", url.database, self.path)
  return self
end

function Snapshot:restore()
  if not exists(self.path) then snapshot.fail("pg_dump snapshot: " .. self.path .. " is gone; cannot restore") end
  local sql = {}
  for _, s in ipairs(self.schemas) do
    sql[#sql + 1] = "DROP SCHEMA IF EXISTS " .. pg.ident(s) .. " CASCADE"
    sql[#sql + 1] = "CREATE SCHEMA " .. pg.ident(s)
  end
  pg.psql(self, self.url.database, sql, "pg_dump restore")
  local target, env = pg.conninfo(self.url, self.url.database)
  snapshot.run({
    self.pg_restore, "--clean", "--if-exists", "--single-transaction", "--exit-on-error",
    "--dbname=" .. target, self.path, env = env, timeout = self.timeout,
  }, "pg_dump restore")
  if #self.grants > 0 then pg.psql(self, self.url.database, self.grants, "pg_dump restore (schema privileges)") end
  tide.log("snapshot: restored %s from %s", self.url.database, self.path)
end

function Snapshot:drop()
  snapshot.drop_file("pg_dump", self.path)
end

function Snapshot:describe()
  return string.format("pg_dump snapshot of %s at %s", self.url.database, self.path)
end

return M
