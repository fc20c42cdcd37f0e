--- PostgreSQL snapshots as dump files: pg_dump in the custom format, and back with
-- pg_restore in one transaction. So that objects created after the snapshot go too,
-- restore first empties the schemas the snapshot covers (`schemas`, names, default
-- {"public"}) -- every object in them goes, the schema itself stays, so its identity,
-- owner, privileges and PostgreSQL 15's initial privileges of `public` are untouched.
-- The owner, privileges and comment recorded at create() are put back if the run
-- changed them. Extensions are left alone: a schema dump does not hold them.
-- Passwords travel in PGPASSWORD.
--   create{url = os.getenv("DATABASE_URL"), path = "before.dump", schemas = {"public"},
--          overwrite = false, pg_dump = "pg_dump", pg_restore = "pg_restore", psql = "psql", timeout = "1h"}
-- @module tide.snapshot.pg_dump
local snapshot = require("tide.snapshot")
local pg = require("tide.snapshot.pg_common")

local M = {}
local Snapshot = {}
Snapshot.__index = Snapshot

local exists = snapshot.file_exists

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
  self.schema_state = self:read_schemas()
  tide.log("snapshot: dumped %s to %s", url.database, self.path)
  return self
end

-- Owner, privileges and comment of each schema, as {name = {owner, acl, comment}}.
function Snapshot:read_schemas()
  local names = {}
  for _, name in ipairs(self.schemas) do names[#names + 1] = pg.literal(name) end
  return pg.query_json(self, self.url.database,
    "SELECT coalesce(json_object_agg(nspname, json_build_object('owner', nspowner::regrole::text, "
      .. "'acl', coalesce(nspacl, acldefault('n', nspowner))::text, "
      .. "'comment', obj_description(oid, 'pg_namespace'))), '{}') "
      .. "FROM pg_namespace WHERE nspname IN (" .. table.concat(names, ", ") .. ")",
    "pg_dump snapshot")
end

-- Drops every object of schema `name` except extensions and their members, keeping the
-- schema (made again if a migration dropped it), then gives it back its recorded owner,
-- privileges and comment. Objects are listed before any is dropped: CASCADE takes some
-- (a table's sequences) with others, and IF EXISTS skips those.
local EMPTY_SCHEMA = [[
DO $tide$
DECLARE
  ns oid := to_regnamespace(quote_ident(%s));
  drops text[];
  stmt text;
BEGIN
  IF ns IS NULL THEN
    EXECUTE format('CREATE SCHEMA %%I', %s);
    ns := to_regnamespace(quote_ident(%s));
  END IF;
  SELECT coalesce(array_agg(format('DROP %%s IF EXISTS %%s CASCADE',
           CASE o.type WHEN 'composite type' THEN 'TYPE' WHEN 'statistics object' THEN 'STATISTICS'
                       ELSE upper(o.type) END, o.identity)), '{}')
    INTO drops
    FROM pg_depend d CROSS JOIN LATERAL pg_identify_object(d.classid, d.objid, 0) o
   WHERE d.refclassid = 'pg_namespace'::regclass AND d.refobjid = ns AND d.deptype = 'n'
     AND d.classid <> 'pg_extension'::regclass
     AND NOT EXISTS (SELECT 1 FROM pg_depend e
                      WHERE e.classid = d.classid AND e.objid = d.objid AND e.deptype = 'e');
  FOREACH stmt IN ARRAY drops LOOP
    EXECUTE stmt;
  END LOOP;
END $tide$]]

local RESET_SCHEMA = [[
DO $tide$
BEGIN
  IF (SELECT nspowner::regrole::text FROM pg_namespace WHERE nspname = %s) <> %s THEN
    EXECUTE format('ALTER SCHEMA %%I OWNER TO %%s', %s, %s);
  END IF;
  IF obj_description(to_regnamespace(quote_ident(%s)), 'pg_namespace') IS DISTINCT FROM %s THEN
    EXECUTE format('COMMENT ON SCHEMA %%I IS %%L', %s, %s);
  END IF;
END $tide$]]

function Snapshot:restore()
  if not exists(self.path) then snapshot.fail("pg_dump snapshot: " .. self.path .. " is gone; cannot restore") end
  local sql = {}
  for _, s in ipairs(self.schemas) do
    local name = pg.literal(s)
    sql[#sql + 1] = string.format(EMPTY_SCHEMA, name, name, name)
    local state = self.schema_state[s]
    if type(state) == "table" then
      local owner = pg.literal(state.owner)
      local comment = type(state.comment) == "string" and pg.literal(state.comment) or "NULL"
      sql[#sql + 1] = string.format(RESET_SCHEMA, name, owner, name, owner, name, comment, name, comment)
      sql[#sql + 1] = pg.acl_sync_sql("SCHEMA", s, state.acl)
    end
  end
  pg.psql(self, self.url.database, sql, "pg_dump restore", { "--single-transaction" })
  -- The schemas themselves stay as they are: restore everything but their own entries.
  local list = self.path .. ".list"
  local toc = snapshot.run({ self.pg_restore, "--list", self.path, timeout = self.timeout }, "pg_dump restore")
  local kept = {}
  for line in toc.stdout:gmatch("[^\n]+") do
    if not (line:match("^%d+; %d+ %d+ SCHEMA %- ") or line:match("^%d+; %d+ %d+ %u+ %- SCHEMA ")) then
      kept[#kept + 1] = line
    end
  end
  snapshot.write_file("pg_dump", list, table.concat(kept, "\n") .. "\n")
  local target, env = pg.conninfo(self.url, self.url.database)
  local ok, err = pcall(snapshot.run, {
    self.pg_restore, "--single-transaction", "--exit-on-error", "--use-list=" .. list,
    "--dbname=" .. target, self.path, env = env, timeout = self.timeout,
  }, "pg_dump restore")
  os.remove(list)
  if not ok then error(err, 0) end
  tide.log("snapshot: restored %s from %s", self.url.database, self.path)
end

function Snapshot:drop()
  snapshot.drop_file("pg_dump", self.path)
end

function Snapshot:describe()
  return string.format("pg_dump snapshot of %s at %s", self.url.database, self.path)
end

return M
