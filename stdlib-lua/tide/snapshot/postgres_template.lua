--- PostgreSQL snapshots as databases: CREATE DATABASE snap TEMPLATE db, and back with
-- DROP DATABASE db; CREATE DATABASE db TEMPLATE snap. Fast (a file-level copy), but
-- PostgreSQL refuses to copy or drop a database anyone is connected to. Other sessions
-- are terminated only with terminate = true. The commands run through psql connected to
-- the maintenance database (maintenance_db, default "postgres"), with the password in
-- PGPASSWORD, never on the command line.
--   create{url = os.getenv("DATABASE_URL"), name = "app_before", terminate = false,
--          maintenance_db = "postgres", psql = "psql", timeout = "30m"}
-- @module tide.snapshot.postgres_template
local snapshot = require("tide.snapshot")
local pg = require("tide.snapshot.pg_common")

local M = {}
local Snapshot = {}
Snapshot.__index = Snapshot

function M.create(opts)
  snapshot.check_opts("postgres_template", opts,
    { "url", "name", "terminate", "maintenance_db", "psql", "timeout" })
  local url = snapshot.url(opts, "postgres_template")
  local self = setmetatable({
    url = url, source = url.database, name = opts.name or (url.database .. "_" .. snapshot.stamp("snap"):gsub("-", "_")),
    terminate = opts.terminate == true, maintenance_db = opts.maintenance_db or "postgres",
    psql = opts.psql or "psql", timeout = opts.timeout or "30m",
  }, Snapshot)
  if self:exists(self.name) then
    snapshot.fail("postgres_template snapshot: database " .. self.name .. " already exists", nil,
      "drop it (DROP DATABASE " .. pg.ident(self.name) .. "), or choose another name")
  end
  local sql = {}
  if self.terminate then sql[#sql + 1] = pg.terminate_sql(self.source) end
  sql[#sql + 1] = "CREATE DATABASE " .. pg.ident(self.name) .. " TEMPLATE " .. pg.ident(self.source)
  self:psql(sql, "postgres_template snapshot")
  tide.log("snapshot: copied database %s to %s", self.source, self.name)
  return self
end

function Snapshot:psql(statements, what)
  return pg.psql(self, self.maintenance_db, statements, what)
end

function Snapshot:exists(name)
  local r = self:psql({ "SELECT 1 FROM pg_database WHERE datname = " .. pg.literal(name) }, "postgres_template")
  return snapshot.trim(r.stdout) == "1"
end

function Snapshot:restore()
  local sql = {}
  if self.terminate then sql[#sql + 1] = pg.terminate_sql(self.source) end
  sql[#sql + 1] = "DROP DATABASE IF EXISTS " .. pg.ident(self.source)
  sql[#sql + 1] = "CREATE DATABASE " .. pg.ident(self.source) .. " TEMPLATE " .. pg.ident(self.name)
  self:psql(sql, "postgres_template restore")
  tide.log("snapshot: restored database %s from %s", self.source, self.name)
end

function Snapshot:drop()
  self:psql({ "DROP DATABASE IF EXISTS " .. pg.ident(self.name) }, "postgres_template drop")
  tide.log("snapshot: dropped database %s", self.name)
end

function Snapshot:describe()
  return string.format("postgres_template snapshot of database %s as %s", self.source, self.name)
end

return M
