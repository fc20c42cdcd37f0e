--- Google Cloud SQL snapshots with gcloud: an on-demand backup (`gcloud sql backups
-- create`, which waits for it), found again by its description, restored in place onto
-- the instance (`gcloud sql backups restore ID --restore-instance=...`) and deleted on
-- drop. A restore overwrites the instance's data, as Cloud SQL does.
--   create{instance = "prod-db", name = "tide-before-deploy", project = nil,
--          gcloud = "gcloud", timeout = "2h"}
-- @module tide.snapshot.gcp_cloudsql
local snapshot = require("tide.snapshot")

local M = {}
local Snapshot = {}
Snapshot.__index = Snapshot

function Snapshot:gcloud(args, what, json)
  local argv = { self.cli, "sql", "backups" }
  for _, a in ipairs(args) do argv[#argv + 1] = a end
  if self.project then argv[#argv + 1] = "--project=" .. self.project end
  argv[#argv + 1] = "--format=json"
  argv.timeout = self.timeout
  if json then return snapshot.run_json(argv, what) end
  return snapshot.run(argv, what)
end

function Snapshot:find()
  local list = self:gcloud({ "list", "--instance=" .. self.instance, "--filter=description=" .. self.name },
    "gcp_cloudsql snapshot", true)
  if type(list) ~= "table" then return nil end
  return list[1]
end

function M.create(opts)
  snapshot.check_opts("gcp_cloudsql", opts, { "instance", "name", "project", "gcloud", "timeout" })
  if type(opts.instance) ~= "string" then error("gcp_cloudsql.create: needs instance = \"<instance id>\"", 2) end
  local self = setmetatable({
    instance = opts.instance, name = opts.name or snapshot.stamp("tide"), project = opts.project,
    cli = opts.gcloud or "gcloud", timeout = opts.timeout or "2h",
  }, Snapshot)
  if self:find() then
    snapshot.fail("gcp_cloudsql snapshot: a backup described \"" .. self.name .. "\" already exists on "
      .. self.instance, nil, "choose another name, or delete it with `gcloud sql backups delete`")
  end
  self:gcloud({ "create", "--instance=" .. self.instance, "--description=" .. self.name }, "gcp_cloudsql snapshot")
  local backup = self:find()
  if not backup or not backup.id then
    snapshot.fail("gcp_cloudsql snapshot: the backup \"" .. self.name .. "\" was created but is not listed")
  end
  self.id = tostring(backup.id)
  tide.log("snapshot: Cloud SQL backup %s (%s) of %s", self.id, self.name, self.instance)
  return self
end

function Snapshot:restore()
  self:gcloud({ "restore", self.id, "--restore-instance=" .. self.instance, "--quiet" }, "gcp_cloudsql restore")
  tide.log("snapshot: restored Cloud SQL instance %s from backup %s", self.instance, self.id)
end

function Snapshot:drop()
  self:gcloud({ "delete", self.id, "--instance=" .. self.instance, "--quiet" }, "gcp_cloudsql drop")
  tide.log("snapshot: deleted Cloud SQL backup %s", self.id)
end

function Snapshot:describe()
  return string.format("gcp_cloudsql backup %s (%s) of instance %s", tostring(self.id), self.name, self.instance)
end

return M
