--- The `db` object passed to migrations: queries with bound parameters, streaming rows,
-- transactions (savepoints when one is already open) and quoting, over tide.core's
-- connection primitives. Errors are raised as tide errors carrying the database's
-- message and code and the file:line of the caller.
-- @module tide.db
local M = {}

local Error = {}
Error.__index = Error
Error.__tostring = function(e)
  local s = e.message or "error"
  if e.where then s = e.where .. ": " .. s end
  if e.code then s = s .. " (" .. e.code .. ")" end
  return s
end
M.Error = Error

-- Raise err as a tide error located at the caller `level` frames above raise's caller.
local function raise(err, level)
  local info = debug.getinfo(level + 2, "Sl")
  if info and info.currentline and info.currentline > 0 then
    err.where = info.short_src .. ":" .. info.currentline
  end
  error(setmetatable(err, Error), 0)
end
M.raise = raise

local DB = {}
DB.__index = DB

local function check(ok, res, ...)
  if not ok then raise(res, 2) end
  return res, ...
end

-- A method that passes sql and its parameters to the connection primitive of the same
-- name and raises its error at the caller's line.
local function passthrough(name)
  return function(self, sql, ...)
    if type(sql) ~= "string" then error(name .. ": sql must be a string", 2) end
    local conn = self._conn
    local ok, res = conn[name](conn, sql, ...)
    if not ok then raise(res, 1) end
    return res
  end
end

--- Run SQL. Without parameters, a script of any number of statements; with
-- parameters, one statement with them bound. Returns the rows changed (with parameters).
DB.exec = passthrough("exec")

--- All rows of a query, as an array of tables keyed by column name.
DB.query = passthrough("query")

--- The first column of the first row, or nil when there is no row.
DB.scalar = passthrough("scalar")

--- Iterate over the rows of a query without loading them all:
--   for row in db:rows("SELECT id FROM users WHERE active = ?", true) do ... end
-- Starting another query ends an unfinished loop.
function DB:rows(sql, ...)
  if type(sql) ~= "string" then error("rows: sql must be a string", 2) end
  local ok, cur = self._conn:rows(sql, ...)
  if not ok then raise(cur, 1) end
  return function()
    local ok2, row = cur:next()
    if not ok2 then raise(row, 1) end
    return row
  end
end

--- Run fn(db) in a transaction: BEGIN/COMMIT, or a SAVEPOINT when a transaction is
-- already open (as it is inside a transactional migration). An error rolls back and is
-- raised again. Returns what fn returns.
function DB:transaction(fn)
  if type(fn) ~= "function" then error("transaction: expects a function", 2) end
  local conn = self._conn
  local nested = conn:in_transaction()
  local sp
  if nested then
    self._depth = (self._depth or 0) + 1
    sp = "tide_sp_" .. self._depth
    check(conn:exec("SAVEPOINT " .. sp))
  else
    check(conn:begin())
  end
  local results = { pcall(fn, self) }
  if nested then self._depth = self._depth - 1 end
  if not results[1] then
    if nested then conn:exec("ROLLBACK TO SAVEPOINT " .. sp) else conn:rollback() end
    error(results[2], 0)
  end
  if nested then check(conn:exec("RELEASE SAVEPOINT " .. sp)) else check(conn:commit()) end
  return unpack(results, 2)
end

--- Quote an identifier for this database ("users" → "\"users\"", `users` on MySQL).
function DB:quote_ident(name)
  if type(name) ~= "string" then error("quote_ident: expects a string", 2) end
  return self._conn:quote_ident(name)
end

--- The server's version string.
function DB:server_version()
  return self._conn:server_version()
end

--- Wrap a tide.Conn from the host.
function M.new(conn)
  return setmetatable({
    _conn = conn,
    dialect = conn:dialect(),
    capabilities = conn:capabilities(),
  }, DB)
end

return M
