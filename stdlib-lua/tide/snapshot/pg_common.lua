--- What the PostgreSQL providers share: quoting, and running psql / pg_dump / pg_restore
-- with the password in PGPASSWORD (masked in tide's output) instead of on the command line.
-- @module tide.snapshot.pg_common
local snapshot = require("tide.snapshot")
local json = require("tide.json")

local M = {}

function M.ident(name) return '"' .. name:gsub('"', '""') .. '"' end
function M.literal(s) return "'" .. s:gsub("'", "''") .. "'" end

function M.terminate_sql(db)
  return "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = " .. M.literal(db)
    .. " AND pid <> pg_backend_pid()"
end

--- A postgresql:// URL for database db without the password, and the env holding it.
function M.conninfo(url, db)
  local auth = url.user and (url.user:gsub("[@:/%%?#]", function(c) return string.format("%%%02X", c:byte()) end) .. "@") or ""
  local host = url.host or ""
  if url.port then host = host .. ":" .. url.port end
  local s = "postgresql://" .. auth .. host .. "/" .. db
  if url.query then s = s .. "?" .. url.query end
  local env = {}
  if url.password then env.PGPASSWORD = url.password end
  return s, env
end

--- psql on database db running each statement (each its own -c, so DROP / CREATE DATABASE
-- run outside a transaction, unless flags holds "--single-transaction"); raises on
-- failure. -A -t: bare values on stdout.
function M.psql(self, db, statements, what, flags)
  local target, env = M.conninfo(self.url, db)
  local argv = { self.psql or "psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", target }
  for _, flag in ipairs(flags or {}) do argv[#argv + 1] = flag end
  for _, sql in ipairs(statements) do
    argv[#argv + 1] = "-c"
    argv[#argv + 1] = sql
  end
  argv.env = env
  argv.timeout = self.timeout
  return snapshot.run(argv, what)
end

--- Run one query through psql on database db and decode the JSON value it prints.
function M.query_json(self, db, sql, what)
  local r = M.psql(self, db, { sql }, what)
  local value, err = json.decode(r.stdout)
  if value == nil then snapshot.fail(what .. ": psql printed no JSON: " .. tostring(err), snapshot.trim(r.stdout)) end
  return value
end

--- A DO block that makes the ACL of a schema or database (kind "SCHEMA" or "DATABASE")
-- hold exactly the privileges of `want` (aclitem[] text, as recorded from the catalog):
-- what is there and not wanted is revoked, what is wanted and missing is granted. The
-- grantor of a new grant is the object's owner when the running role acts as (a member
-- of) the owner, which is how the defaults were recorded.
function M.acl_sync_sql(kind, name, want)
  local current = kind == "SCHEMA"
    and "SELECT coalesce(nspacl, acldefault('n', nspowner)) FROM pg_namespace WHERE nspname = " .. M.literal(name)
    or "SELECT coalesce(datacl, acldefault('d', datdba)) FROM pg_database WHERE datname = " .. M.literal(name)
  return string.format([[
DO $tide$
DECLARE r record;
BEGIN
  FOR r IN
    WITH now AS (SELECT a.grantee, a.privilege_type, a.is_grantable FROM aclexplode((%s)) a),
         want AS (SELECT a.grantee, a.privilege_type, a.is_grantable FROM aclexplode(%s::aclitem[]) a)
    SELECT 'REVOKE' AS verb, * FROM (SELECT * FROM now EXCEPT SELECT * FROM want) gone
    UNION ALL
    SELECT 'GRANT', * FROM (SELECT * FROM want EXCEPT SELECT * FROM now) added
    ORDER BY 1 DESC
  LOOP
    EXECUTE format('%%s %%s ON %s %%I %%s %%s%%s', r.verb, r.privilege_type, %s,
      CASE r.verb WHEN 'GRANT' THEN 'TO' ELSE 'FROM' END,
      CASE WHEN r.grantee = 0 THEN 'PUBLIC' ELSE r.grantee::regrole::text END,
      CASE WHEN r.verb = 'GRANT' AND r.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END);
  END LOOP;
END $tide$]], current, M.literal(want), kind, M.literal(name))
end

return M
