--- What the PostgreSQL providers share: quoting, and running psql / pg_dump / pg_restore
-- with the password in PGPASSWORD (masked in tide's output) instead of on the command line.
-- @module tide.snapshot.pg_common
local snapshot = require("tide.snapshot")

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
-- run outside a transaction); raises on failure. -A -t: bare values on stdout.
function M.psql(self, db, statements, what)
  local target, env = M.conninfo(self.url, db)
  local argv = { self.psql or "psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", target }
  for _, sql in ipairs(statements) do
    argv[#argv + 1] = "-c"
    argv[#argv + 1] = sql
  end
  argv.env = env
  argv.timeout = self.timeout
  return snapshot.run(argv, what)
end

return M
