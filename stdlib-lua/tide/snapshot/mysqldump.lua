--- MySQL / MariaDB snapshots as dump files: mysqldump --single-transaction of the whole
-- database with DROP DATABASE / CREATE DATABASE in it (so tables created after the
-- snapshot go too), reloaded with the mysql client. The password travels in MYSQL_PWD.
--   create{url = os.getenv("DATABASE_URL"), path = "before.sql", overwrite = false,
--          mysqldump = "mysqldump", mysql = "mysql", timeout = "1h"}
-- @module tide.snapshot.mysqldump
local snapshot = require("tide.snapshot")

local M = {}
local Snapshot = {}
Snapshot.__index = Snapshot

local exists = snapshot.file_exists

local function client_args(self, cmd)
  local argv = { cmd }
  local u = self.url
  if u.host then argv[#argv + 1] = "--host=" .. u.host end
  if u.port then argv[#argv + 1] = "--port=" .. u.port end
  if u.user then argv[#argv + 1] = "--user=" .. u.user end
  argv.env = u.password and { MYSQL_PWD = u.password } or nil
  argv.timeout = self.timeout
  return argv
end

function M.create(opts)
  snapshot.check_opts("mysqldump", opts, { "url", "path", "overwrite", "mysqldump", "mysql", "timeout" })
  local url = snapshot.url(opts, "mysqldump")
  local self = setmetatable({
    url = url, path = opts.path or (url.database .. "." .. snapshot.stamp("snapshot") .. ".sql"),
    mysql = opts.mysql or "mysql", timeout = opts.timeout or "1h",
  }, Snapshot)
  snapshot.check_new_file("mysqldump", self.path, opts.overwrite)
  local argv = client_args(self, opts.mysqldump or "mysqldump")
  for _, a in ipairs({ "--single-transaction", "--routines", "--triggers", "--add-drop-database",
    "--result-file=" .. self.path, "--databases", url.database }) do
    argv[#argv + 1] = a
  end
  snapshot.run(argv, "mysqldump snapshot")
  tide.log("snapshot: dumped %s to %s", url.database, self.path)
  return self
end

function Snapshot:restore()
  if not exists(self.path) then snapshot.fail("mysqldump snapshot: " .. self.path .. " is gone; cannot restore") end
  local argv = client_args(self, self.mysql)
  argv[#argv + 1] = "--batch"
  argv[#argv + 1] = "--execute=source " .. self.path
  snapshot.run(argv, "mysqldump restore")
  tide.log("snapshot: restored %s from %s", self.url.database, self.path)
end

function Snapshot:drop()
  snapshot.drop_file("mysqldump", self.path)
end

function Snapshot:describe()
  return string.format("mysqldump snapshot of %s at %s", self.url.database, self.path)
end

return M
