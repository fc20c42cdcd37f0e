--- The `db` object passed to migrations: queries with bound parameters, streaming rows,
-- transactions (savepoints when one is already open) and quoting, over tide.core's
-- connection primitives. Errors are raised as tide errors carrying the database's
-- message and code and the file:line of the caller.
-- @module tide.db
local core = require("tide.core")

local M = {}

--- Stands for SQL NULL in the rows given to db:upsert and db:insert, where a nil would
-- leave the column out of the row.
M.NULL = core.NULL

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

-- Options of upsert/insert/load_csv, checked and normalised for the connection
-- primitive: {mode = "insert"|"update"|"ignore", key = {...}, update = {...} | nil
-- (all), columns = {...} | nil}. `known` lists what this caller accepts besides.
local function names(what, v)
  if type(v) == "string" then return { v } end
  if type(v) ~= "table" then error(what .. " must be a column name or a list of them", 4) end
  return v
end

local function rows_options(fname, opts, needs_key, known)
  if opts == nil then opts = {} end
  if type(opts) ~= "table" then error(fname .. ": options must be a table", 3) end
  for k in pairs(opts) do
    if not known[k] then
      local list = {}
      for name in pairs(known) do list[#list + 1] = name end
      table.sort(list)
      error(string.format("%s: unknown option %q (known: %s)", fname, tostring(k), table.concat(list, ", ")), 3)
    end
  end
  local spec = { mode = "insert" }
  if opts.columns ~= nil then spec.columns = names(fname .. ": `columns`", opts.columns) end
  if opts.key ~= nil then spec.key = names(fname .. ": `key`", opts.key) end
  if needs_key or opts.key ~= nil then
    if spec.key == nil then
      error(fname .. ": `key` must name the columns of a primary key or unique index, e.g. {key = {\"id\"}}", 3)
    end
    local u = opts.update
    if u == nil or u == "all" then
      spec.mode = "update"
    elseif u == false then
      spec.mode = "ignore"
    elseif type(u) == "table" or type(u) == "string" then
      spec.mode, spec.update = "update", names(fname .. ": `update`", u)
    else
      error(fname .. ': `update` must be a list of columns, "all" or false', 3)
    end
  elseif opts.update ~= nil then
    error(fname .. ": `update` needs `key` (the columns that identify a row)", 3)
  end
  return spec
end

local UPSERT_OPTIONS = { key = true, update = true, columns = true }
local INSERT_OPTIONS = { columns = true }
local CSV_OPTIONS = {
  key = true, update = true, columns = true, rename = true, delimiter = true, null = true, types = true,
}

--- Insert or update rows: db:upsert("roles", {{name = "admin", level = 9}, ...},
-- {key = {"name"}, update = {...} | "all" (default) | false}). Rows whose key exists are
-- updated (only when a value differs), or left alone with update = false. Every row has
-- the same columns (db.NULL for NULL), or `columns` lists them (a missing one is NULL).
-- Returns {inserted = n, updated = n, unchanged = n}.
function DB:upsert(tbl, rows, opts)
  if type(tbl) ~= "string" then error("upsert: the table name must be a string", 2) end
  if type(rows) ~= "table" then error("upsert: rows must be an array of row tables", 2) end
  if opts == nil then
    error('upsert: options are required: {key = {"id"}} names the columns that identify a row', 2)
  end
  local spec = rows_options("upsert", opts, true, UPSERT_OPTIONS)
  local ok, res = self._conn:upsert(tbl, rows, spec)
  if not ok then raise(res, 1) end
  return res
end

--- Insert rows (plain INSERT: a row whose key exists is the database's error). Same rows
-- as db:upsert; returns {inserted = n, updated = 0, unchanged = 0}.
function DB:insert(tbl, rows, opts)
  if type(tbl) ~= "string" then error("insert: the table name must be a string", 2) end
  if type(rows) ~= "table" then error("insert: rows must be an array of row tables", 2) end
  local spec = rows_options("insert", opts, false, INSERT_OPTIONS)
  local ok, res = self._conn:upsert(tbl, rows, spec)
  if not ok then raise(res, 1) end
  return res
end

--- Load a CSV file (path relative to the project folder) into a table, streaming it:
-- db:load_csv("countries", "seeds/data/countries.csv", {key = {"code"}}). The header
-- row names the columns. Options: key/update (upsert instead of insert), columns (load
-- only these), rename ({["CSV header"] = "column"}), delimiter (default ","), null (the
-- unquoted text that means NULL; default "" — an empty unquoted field), types
-- ({column = "integer"|"number"|"boolean"|"text"}; default text).
function DB:load_csv(tbl, path, opts)
  if type(tbl) ~= "string" then error("load_csv: the table name must be a string", 2) end
  if type(path) ~= "string" then error("load_csv: the path must be a string", 2) end
  local spec = rows_options("load_csv", opts, false, CSV_OPTIONS)
  opts = opts or {}
  spec.rename, spec.delimiter, spec.null, spec.types = opts.rename, opts.delimiter, opts.null, opts.types
  local ok, res = self._conn:load_csv(tbl, path, spec)
  if not ok then raise(res, 1) end
  return res
end

--- Wrap a tide.Conn from the host.
function M.new(conn)
  return setmetatable({
    NULL = M.NULL,
    _conn = conn,
    dialect = conn:dialect(),
    capabilities = conn:capabilities(),
  }, DB)
end

return M
