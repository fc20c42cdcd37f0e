--- Snapshot providers (SPEC §6): one interface for every database and cloud.
--   local snap = tide.snapshot.<provider>.create(opts)   -- or require("tide.snapshot.<provider>")
--   snap:restore()    -- put the database back as it was at create()
--   snap:drop()       -- delete the snapshot
--   snap:describe()   -- one line saying what and where it is
-- Providers: sqlite, postgres_template, pg_dump, mysqldump, aws_rds, gcp_cloudsql,
-- azure_flexible, supabase. Every failure raises an error naming the provider, the
-- command and its own message; nothing is retried silently.
-- @module tide.snapshot
local json = require("tide.json")

local M = {}

local Error = require("tide.db").Error

--- Raise a tide error (message, detail, hint) from a provider.
function M.fail(message, detail, hint)
  error(setmetatable({ message = message, detail = detail ~= "" and detail or nil, hint = hint }, Error), 0)
end

local function trim(s)
  return (s or ""):gsub("^%s+", ""):gsub("%s+$", "")
end
M.trim = trim

--- Run an argument vector with tide.exec; raise when it cannot start, times out or exits
-- non-zero (the error names `what`, the command, its exit code and its stderr).
-- Returns the result ({code, stdout, stderr}).
function M.run(spec, what)
  local r, err = tide.exec(spec)
  if not r then
    M.fail(string.format("%s: %s", what, err.message), trim(err.stderr), err.hint)
  end
  if r.code ~= 0 then
    local why = trim(r.stderr) ~= "" and trim(r.stderr) or trim(r.stdout)
    M.fail(string.format("%s: `%s %s` failed (exit code %d)", what, spec[1], spec[2] or "", r.code), why)
  end
  return r
end

--- M.run, then decode stdout as JSON (raising when it is not).
function M.run_json(spec, what)
  local r = M.run(spec, what)
  local value, err = json.decode(r.stdout)
  if value == nil then M.fail(string.format("%s: %s printed no JSON: %s", what, spec[1], err), trim(r.stdout)) end
  return value
end

--- Whether a file exists (and can be opened).
function M.file_exists(path)
  local f = io.open(path, "rb")
  if f then f:close() end
  return f ~= nil
end

--- Refuse to overwrite an existing snapshot file unless told to.
function M.check_new_file(provider, path, overwrite)
  if M.file_exists(path) and not overwrite then
    M.fail(provider .. " snapshot: " .. path .. " already exists", nil,
      "drop the old snapshot, choose another path, or pass overwrite = true")
  end
end

--- Delete a snapshot file (gone already is fine).
function M.drop_file(provider, path)
  if M.file_exists(path) then
    local ok, err = os.remove(path)
    if not ok then M.fail(provider .. " snapshot: cannot delete " .. path .. ": " .. tostring(err)) end
  end
  tide.log("snapshot: dropped %s", path)
end

--- A name for a snapshot: prefix plus a UTC timestamp (letters, digits, hyphens).
function M.stamp(prefix)
  return (prefix or "tide") .. "-" .. os.date("!%Y%m%d-%H%M%S")
end

--- Check opts against the known keys; misuse raises at the caller of create().
function M.check_opts(provider, opts, known)
  if type(opts) ~= "table" then error(provider .. ".create: expects a table of options", 3) end
  local set = {}
  for _, k in ipairs(known) do set[k] = true end
  for k in pairs(opts) do
    if not set[k] then
      error(string.format("%s.create: unknown option `%s` (known: %s)", provider, tostring(k),
        table.concat(known, ", ")), 3)
    end
  end
end

--- Parse a postgres:// or mysql:// URL into its parts (percent-decoded).
function M.parse_url(url)
  if type(url) ~= "string" then return nil end
  local scheme, rest = url:match("^(%a[%w+.-]*)://(.*)$")
  if not scheme then return nil end
  local function unescape(s)
    return s and (s:gsub("%%(%x%x)", function(h) return string.char(tonumber(h, 16)) end)) or nil
  end
  local query = rest:match("%?(.*)$")
  rest = rest:gsub("%?.*$", "")
  local userinfo, hostpart = rest:match("^(.*)@([^@]*)$")
  hostpart = hostpart or rest
  local user, password
  if userinfo then
    user, password = userinfo:match("^([^:]*):(.*)$")
    if not user then user = userinfo end
  end
  local hostport, db = hostpart:match("^([^/]*)/?(.*)$")
  local host, port = hostport:match("^(.*):(%d+)$")
  host = host or hostport
  return {
    scheme = scheme:lower(), user = unescape(user), password = unescape(password), host = host ~= "" and host or nil,
    port = port, database = unescape(db ~= "" and db or nil), query = query,
  }
end

--- The database URL of the run: opts.url, else $DATABASE_URL.
function M.url(opts, provider)
  local url = opts.url or tide.getenv("DATABASE_URL")
  local parts = M.parse_url(url)
  if not parts or not parts.database then
    error(provider .. ".create: needs url = \"postgres://user:password@host/db\" (or $DATABASE_URL)", 3)
  end
  return parts
end

-- tide.snapshot.<name> loads tide.snapshot.<name> on first use.
return setmetatable(M, {
  __index = function(t, name)
    local ok, mod = pcall(require, "tide.snapshot." .. tostring(name))
    if not ok and not tostring(mod):find("not found", 1, true) then error(mod, 0) end
    if not ok then
      error("tide.snapshot." .. tostring(name) .. ": no such provider (sqlite, postgres_template, pg_dump, "
        .. "mysqldump, aws_rds, gcp_cloudsql, azure_flexible, supabase)", 2)
    end
    rawset(t, name, mod)
    return mod
  end,
})
