--- SQLite snapshots: a consistent copy of the database file, taken through the run's own
-- connection with VACUUM INTO (never a copy of a live file), and put back with SQLite's
-- backup API (the sqlite3 shell's .restore), page by page under SQLite's own locks, into
-- the file the run is connected to.
--   local snap = tide.snapshot.sqlite.create{db = ctx.db}
--   create{db =, path = "db/before.sqlite3", overwrite = false, sqlite3 = "sqlite3", timeout = "10m"}
-- @module tide.snapshot.sqlite
local snapshot = require("tide.snapshot")

local M = {}
local Snapshot = {}
Snapshot.__index = Snapshot

local exists = snapshot.file_exists

function M.create(opts)
  snapshot.check_opts("sqlite", opts, { "db", "path", "overwrite", "sqlite3", "timeout" })
  local db = opts.db
  if type(db) ~= "table" or db.dialect == nil then
    error("sqlite.create: needs db = ctx.db (the run's connection)", 2)
  end
  if db.dialect ~= "sqlite" then
    error("sqlite.create: the database is " .. tostring(db.dialect) .. ", not sqlite", 2)
  end
  local main = db:scalar("SELECT file FROM pragma_database_list WHERE name = 'main'")
  if main == nil or main == "" then
    snapshot.fail("sqlite snapshot: an in-memory database has no file to copy", nil,
      "snapshot a database file (sqlite:db/dev.sqlite3)")
  end
  local path = opts.path or (main .. "." .. snapshot.stamp("snapshot"))
  if path:find("'", 1, true) then error("sqlite.create: the snapshot path must not contain a single quote", 2) end
  snapshot.check_new_file("sqlite", path, opts.overwrite)
  os.remove(path) -- VACUUM INTO needs a new file; overwrite = true allowed an old one
  db:exec("VACUUM INTO ?", path)
  tide.log("snapshot: copied %s to %s", main, path)
  return setmetatable({
    db = db, main = main, path = path, sqlite3 = opts.sqlite3 or "sqlite3", timeout = opts.timeout or "10m",
  }, Snapshot)
end

--- Put the database back as it was at create(), schema and data.
function Snapshot:restore()
  if not exists(self.path) then snapshot.fail("sqlite snapshot: " .. self.path .. " is gone; cannot restore") end
  snapshot.run({
    self.sqlite3, "-bail", "-cmd", ".timeout 10000", self.main, ".restore '" .. self.path .. "'",
    timeout = self.timeout,
  }, "sqlite snapshot restore")
  tide.log("snapshot: restored %s from %s", self.main, self.path)
end

function Snapshot:drop()
  snapshot.drop_file("sqlite", self.path)
end

function Snapshot:describe()
  return string.format("sqlite snapshot of %s at %s", self.main, self.path)
end

return M
