--- Azure Database for PostgreSQL / MySQL flexible server snapshots with az: an
-- on-demand backup (`az postgres|mysql flexible-server backup create`), and restore as a
-- point-in-time restore to the backup's time into a new server (`... flexible-server
-- restore --source-server ... --restore-time ...`): Azure restores into a new server,
-- never in place. restore() logs the new server's name and returns it.
--   create{server = "prod-pg", resource_group = "rg", engine = "postgres" | "mysql",
--          name = "tide-before-deploy", restore_server = nil, az = "az", timeout = "2h"}
-- @module tide.snapshot.azure_flexible
local snapshot = require("tide.snapshot")

local M = {}
local Snapshot = {}
Snapshot.__index = Snapshot

function Snapshot:az(args, what, opts)
  local argv = { self.cli, self.engine, "flexible-server" }
  for _, a in ipairs(args) do argv[#argv + 1] = a end
  argv[#argv + 1] = "--output"
  argv[#argv + 1] = "json"
  argv.timeout = self.timeout
  if opts and opts.probe then return tide.exec(argv) end
  return snapshot.run_json(argv, what)
end

function M.create(opts)
  snapshot.check_opts("azure_flexible", opts,
    { "server", "resource_group", "engine", "name", "restore_server", "az", "timeout" })
  if type(opts.server) ~= "string" then error("azure_flexible.create: needs server = \"<server name>\"", 2) end
  if type(opts.resource_group) ~= "string" then error("azure_flexible.create: needs resource_group = \"<group>\"", 2) end
  local engine = opts.engine or "postgres"
  if engine ~= "postgres" and engine ~= "mysql" then error("azure_flexible.create: engine must be postgres or mysql", 2) end
  local self = setmetatable({
    server = opts.server, group = opts.resource_group, engine = engine, name = opts.name or snapshot.stamp("tide"),
    restore_server = opts.restore_server, cli = opts.az or "az", timeout = opts.timeout or "2h",
  }, Snapshot)
  local probe, err = self:az({ "backup", "show", "--resource-group", self.group, "--name", self.server,
    "--backup-name", self.name }, "azure_flexible snapshot", { probe = true })
  if not probe then snapshot.fail("azure_flexible snapshot: " .. err.message, snapshot.trim(err.stderr), err.hint) end
  if probe.code == 0 then
    snapshot.fail("azure_flexible snapshot: a backup named " .. self.name .. " already exists on " .. self.server, nil,
      "choose another name, or delete it with `az " .. engine .. " flexible-server backup delete`")
  end
  local backup = self:az({ "backup", "create", "--resource-group", self.group, "--name", self.server,
    "--backup-name", self.name }, "azure_flexible snapshot")
  self.time = type(backup) == "table" and type(backup.completedTime) == "string" and backup.completedTime
    or os.date("!%Y-%m-%dT%H:%M:%SZ")
  tide.log("snapshot: Azure backup %s of %s completed at %s", self.name, self.server, self.time)
  return self
end

function Snapshot:restore()
  local target = self.restore_server or (self.server .. "-restored-" .. os.date("!%Y%m%d%H%M%S"))
  self:az({ "restore", "--resource-group", self.group, "--name", target, "--source-server", self.server,
    "--restore-time", self.time }, "azure_flexible restore")
  tide.log.warn("snapshot: restored %s as of %s into the new server %s; point the application at it", self.server,
    self.time, target)
  self.restored_server = target
  return target
end

function Snapshot:drop()
  local argv = { self.cli, self.engine, "flexible-server", "backup", "delete", "--resource-group", self.group,
    "--name", self.server, "--backup-name", self.name, "--yes", timeout = self.timeout }
  snapshot.run(argv, "azure_flexible drop")
  tide.log("snapshot: deleted Azure backup %s", self.name)
end

function Snapshot:describe()
  return string.format("azure_flexible %s backup %s of server %s (%s)", self.engine, self.name, self.server,
    tostring(self.time))
end

return M
