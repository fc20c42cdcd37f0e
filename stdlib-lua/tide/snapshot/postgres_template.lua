--- PostgreSQL snapshots as databases: CREATE DATABASE snap TEMPLATE db, and back by
-- copying snap to a new database and swapping it in by renames. Fast (a file-level
-- copy), but PostgreSQL refuses to copy, rename or drop a database anyone is connected
-- to -- tide's own run included -- so both steps run inside tide.step_aside: tide closes
-- its connection and releases the migration lock, and connects and locks again after
-- (checking that no other tide run migrated in between). Other sessions are terminated
-- only with terminate = true; without it a connected session makes the step fail with
-- nothing changed. The commands run through psql on the maintenance database
-- (maintenance_db, default "postgres"), with the password in PGPASSWORD, never on the
-- command line. The database's own properties (owner, privileges, connection limit,
-- comment, ALTER DATABASE / ALTER ROLE ... IN DATABASE settings), which a copy does not
-- carry, are recorded at create() and given to the restored database.
--   create{url = os.getenv("DATABASE_URL"), name = "app_before", terminate = false,
--          maintenance_db = "postgres", psql = "psql", timeout = "30m"}
-- @module tide.snapshot.postgres_template
local snapshot = require("tide.snapshot")
local pg = require("tide.snapshot.pg_common")
local json = require("tide.json")

local M = {}
local Snapshot = {}
Snapshot.__index = Snapshot

local PROPERTIES = [[
SELECT json_build_object(
  'owner', d.datdba::regrole::text,
  'connlimit', d.datconnlimit,
  'acl', coalesce(d.datacl, acldefault('d', d.datdba))::text,
  'comment', shobj_description(d.oid, 'pg_database'),
  'settings', coalesce((SELECT json_agg(json_build_object(
      'role', CASE WHEN s.setrole = 0 THEN NULL ELSE s.setrole::regrole::text END, 'config', s.setconfig))
    FROM pg_db_role_setting s WHERE s.setdatabase = d.oid), '[]'))
FROM pg_database d WHERE d.datname = %s]]

-- Settings whose value is a list of identifiers are stored ready to be written back
-- unquoted (pg_dumpall treats them the same way); every other value is a string literal.
local LIST_SETTINGS = { search_path = true, temp_tablespaces = true, session_preload_libraries = true,
  local_preload_libraries = true, shared_preload_libraries = true }

local function name_for(source)
  return (source .. "_" .. snapshot.stamp("snap"):gsub("-", "_")):sub(1, 63)
end

function M.create(opts)
  snapshot.check_opts("postgres_template", opts,
    { "url", "name", "terminate", "maintenance_db", "psql", "timeout" })
  local url = snapshot.url(opts, "postgres_template")
  local self = setmetatable({
    url = url, source = url.database, name = opts.name or name_for(url.database),
    terminate = opts.terminate == true, maintenance_db = opts.maintenance_db or "postgres",
    psql = opts.psql or "psql", timeout = opts.timeout or "30m",
  }, Snapshot)
  if self:exists(self.name) then
    snapshot.fail("postgres_template snapshot: database " .. self.name .. " already exists", nil,
      "drop it (DROP DATABASE " .. pg.ident(self.name) .. "), or choose another name")
  end
  self.properties = pg.query_json(self, self.maintenance_db, string.format(PROPERTIES, pg.literal(self.source)),
    "postgres_template snapshot")
  if type(self.properties) ~= "table" then
    snapshot.fail("postgres_template snapshot: database " .. self.source .. " does not exist")
  end
  tide.step_aside(function()
    self:alone(self.source, { "CREATE DATABASE " .. pg.ident(self.name) .. " TEMPLATE " .. pg.ident(self.source) },
      "postgres_template snapshot")
  end)
  tide.log("snapshot: copied database %s to %s", self.source, self.name)
  return self
end

function Snapshot:run_sql(statements, what)
  return pg.psql(self, self.maintenance_db, statements, what)
end

function Snapshot:exists(name)
  local r = self:run_sql({ "SELECT 1 FROM pg_database WHERE datname = " .. pg.literal(name) }, "postgres_template")
  return snapshot.trim(r.stdout) == "1"
end

-- Statements that need nobody on database db: other sessions are ended first when
-- told to; otherwise PostgreSQL's refusal comes back with the way out.
function Snapshot:alone(db, statements, what)
  local sql = {}
  if self.terminate then sql[1] = pg.terminate_sql(db) end
  for _, s in ipairs(statements) do sql[#sql + 1] = s end
  local ok, err = pcall(self.run_sql, self, sql, what)
  if ok then return end
  if type(err) == "table" and tostring(err.detail or ""):find("being accessed by other users", 1, true) then
    err.hint = "other sessions are connected to database " .. db .. ": end them, or pass terminate = true "
      .. "to have tide end them (pg_terminate_backend)"
  end
  error(err, 0)
end

-- What `ALTER DATABASE db SET ...` needs to give database db the recorded properties.
function Snapshot:property_sql(db)
  local p, sql = self.properties, {}
  sql[#sql + 1] = pg.acl_sync_sql("DATABASE", db, p.acl)
  if type(p.comment) == "string" then
    sql[#sql + 1] = "COMMENT ON DATABASE " .. pg.ident(db) .. " IS " .. pg.literal(p.comment)
  end
  for _, s in ipairs(p.settings) do
    local prefix = (s.role ~= json.null and s.role ~= nil) and ("ALTER ROLE " .. s.role .. " IN DATABASE ")
      or "ALTER DATABASE "
    for _, item in ipairs(s.config) do
      local name, value = item:match("^([^=]+)=(.*)$")
      if name then
        if not LIST_SETTINGS[name] then value = pg.literal(value) end
        sql[#sql + 1] = prefix .. pg.ident(db) .. " SET " .. pg.ident(name) .. " = " .. value
      end
    end
  end
  return sql
end

-- A fresh copy of the snapshot is made under a temporary name (nobody is connected to
-- the snapshot, so tide need not step aside for it) and given the database's recorded
-- properties; then, with tide stepped aside, the database is renamed away, the copy
-- renamed into its place, and the old one dropped. Until the first rename nothing has
-- changed, and a failing second rename puts the first back.
function Snapshot:restore()
  local stamp = snapshot.stamp("tide"):gsub("-", "_")
  local fresh, old = stamp .. "_restore", stamp .. "_old"
  local p = self.properties
  self:run_sql({ string.format("CREATE DATABASE %s TEMPLATE %s OWNER %s CONNECTION LIMIT %d", pg.ident(fresh),
    pg.ident(self.name), p.owner, p.connlimit) }, "postgres_template restore")
  local ok, err = pcall(function()
    pg.psql(self, self.maintenance_db, self:property_sql(fresh), "postgres_template restore",
      { "--single-transaction" })
    tide.step_aside(function()
      self:alone(self.source, { "ALTER DATABASE " .. pg.ident(self.source) .. " RENAME TO " .. pg.ident(old) },
        "postgres_template restore")
      local swapped, why = pcall(self.run_sql, self,
        { "ALTER DATABASE " .. pg.ident(fresh) .. " RENAME TO " .. pg.ident(self.source) }, "postgres_template restore")
      if not swapped then
        self:run_sql({ "ALTER DATABASE " .. pg.ident(old) .. " RENAME TO " .. pg.ident(self.source) },
          "postgres_template restore (putting the database back)")
        error(why, 0)
      end
    end, { history_may_change = true })
  end)
  if not ok then
    pcall(self.run_sql, self, { "DROP DATABASE IF EXISTS " .. pg.ident(fresh) }, "postgres_template restore")
    error(err, 0)
  end
  self:run_sql({ "DROP DATABASE " .. pg.ident(old) }, "postgres_template restore (dropping the replaced database)")
  tide.log("snapshot: restored database %s from %s", self.source, self.name)
end

function Snapshot:drop()
  self:run_sql({ "DROP DATABASE IF EXISTS " .. pg.ident(self.name) }, "postgres_template drop")
  tide.log("snapshot: dropped database %s", self.name)
end

function Snapshot:describe()
  return string.format("postgres_template snapshot of database %s as %s", self.source, self.name)
end

return M
