--- Amazon RDS snapshots with the aws CLI: a manual DB snapshot (create-db-snapshot, then
-- `aws rds wait db-snapshot-available`), or mode = "point_in_time", which only records
-- the time. RDS restores into a new instance, never in place: restore() creates
-- restore_instance (default "<instance>-restored-<time>") from the snapshot or at the
-- recorded time, waits for it (`aws rds wait db-instance-available`), logs its name and
-- returns it; point your application at it (or rename the instances) afterwards.
--   create{instance = "prod-db", name = "before-deploy", mode = "snapshot",
--          restore_instance = nil, region = nil, profile = nil, aws = "aws", timeout = "2h"}
-- @module tide.snapshot.aws_rds
local snapshot = require("tide.snapshot")

local M = {}
local Snapshot = {}
Snapshot.__index = Snapshot

function Snapshot:aws(args, what)
  local argv = { self.cli, "rds" }
  for _, a in ipairs(args) do argv[#argv + 1] = a end
  argv[#argv + 1] = "--output"
  argv[#argv + 1] = "json"
  if self.region then argv[#argv + 1] = "--region"; argv[#argv + 1] = self.region end
  if self.profile then argv[#argv + 1] = "--profile"; argv[#argv + 1] = self.profile end
  argv.timeout = self.timeout
  local ok, res = pcall(snapshot.run, argv, what)
  if not ok then
    if type(res) == "table" and tostring(res.detail):find("AlreadyExists", 1, true) then
      res.hint = "a snapshot with this name already exists: choose another name, or delete it with "
        .. "`aws rds delete-db-snapshot --db-snapshot-identifier " .. self.name .. "`"
    end
    error(res, 0)
  end
  return res
end

function M.create(opts)
  snapshot.check_opts("aws_rds", opts,
    { "instance", "name", "mode", "restore_instance", "region", "profile", "aws", "timeout" })
  if type(opts.instance) ~= "string" then error("aws_rds.create: needs instance = \"<db-instance-identifier>\"", 2) end
  local mode = opts.mode or "snapshot"
  if mode ~= "snapshot" and mode ~= "point_in_time" then
    error("aws_rds.create: mode must be \"snapshot\" or \"point_in_time\"", 2)
  end
  local self = setmetatable({
    instance = opts.instance, mode = mode, name = opts.name or snapshot.stamp(opts.instance),
    restore_instance = opts.restore_instance, region = opts.region, profile = opts.profile,
    cli = opts.aws or "aws", timeout = opts.timeout or "2h",
  }, Snapshot)
  if mode == "point_in_time" then
    self:aws({ "describe-db-instances", "--db-instance-identifier", self.instance }, "aws_rds snapshot")
    self.time = os.date("!%Y-%m-%dT%H:%M:%SZ")
    tide.log("snapshot: %s can be restored to %s (point in time)", self.instance, self.time)
    return self
  end
  self:aws({ "create-db-snapshot", "--db-instance-identifier", self.instance, "--db-snapshot-identifier", self.name },
    "aws_rds snapshot")
  self:aws({ "wait", "db-snapshot-available", "--db-instance-identifier", self.instance,
    "--db-snapshot-identifier", self.name }, "aws_rds snapshot")
  tide.log("snapshot: RDS snapshot %s of %s is available", self.name, self.instance)
  return self
end

function Snapshot:restore()
  local target = self.restore_instance or (self.instance .. "-restored-" .. os.date("!%Y%m%d%H%M%S"))
  if self.mode == "point_in_time" then
    self:aws({ "restore-db-instance-to-point-in-time", "--source-db-instance-identifier", self.instance,
      "--target-db-instance-identifier", target, "--restore-time", self.time }, "aws_rds restore")
  else
    self:aws({ "restore-db-instance-from-db-snapshot", "--db-instance-identifier", target,
      "--db-snapshot-identifier", self.name }, "aws_rds restore")
  end
  self:aws({ "wait", "db-instance-available", "--db-instance-identifier", target }, "aws_rds restore")
  tide.log.warn("snapshot: restored %s into the new RDS instance %s; point the application at it", self.instance,
    target)
  self.restored_instance = target
  return target
end

function Snapshot:drop()
  if self.mode == "snapshot" then
    self:aws({ "delete-db-snapshot", "--db-snapshot-identifier", self.name }, "aws_rds drop")
    tide.log("snapshot: deleted RDS snapshot %s", self.name)
  end
end

function Snapshot:describe()
  if self.mode == "point_in_time" then
    return string.format("aws_rds point in time %s of instance %s", self.time, self.instance)
  end
  return string.format("aws_rds snapshot %s of instance %s", self.name, self.instance)
end

return M
