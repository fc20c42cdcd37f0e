--- Supabase snapshots with the supabase CLI: point-in-time recovery. create() checks
-- that the project has PITR (`supabase backups list`) and records the time; restore()
-- runs `supabase backups restore --timestamp <unix time>`, which restores the project in
-- place; drop() has nothing to delete. The access token comes from the CLI's own login
-- or $SUPABASE_ACCESS_TOKEN (pass token = ... to hand it over, masked in output).
--   create{project_ref = "abcd1234", token = nil, supabase = "supabase", timeout = "2h"}
-- @module tide.snapshot.supabase
local snapshot = require("tide.snapshot")

local M = {}
local Snapshot = {}
Snapshot.__index = Snapshot

function Snapshot:cli_run(args, what, json)
  local argv = { self.cli }
  for _, a in ipairs(args) do argv[#argv + 1] = a end
  argv.env = self.token and { SUPABASE_ACCESS_TOKEN = self.token } or nil
  argv.timeout = self.timeout
  if json then return snapshot.run_json(argv, what) end
  return snapshot.run(argv, what)
end

function M.create(opts)
  snapshot.check_opts("supabase", opts, { "project_ref", "token", "supabase", "timeout" })
  if type(opts.project_ref) ~= "string" then error("supabase.create: needs project_ref = \"<project ref>\"", 2) end
  local self = setmetatable({
    ref = opts.project_ref, token = opts.token, cli = opts.supabase or "supabase", timeout = opts.timeout or "2h",
  }, Snapshot)
  local info = self:cli_run({ "backups", "list", "--project-ref", self.ref, "--output", "json" },
    "supabase snapshot", true)
  if type(info) ~= "table" or info.pitr_enabled ~= true then
    snapshot.fail("supabase snapshot: point-in-time recovery is not enabled for project " .. self.ref, nil,
      "enable the PITR add-on for the project, or use the pg_dump provider with the project's database URL")
  end
  self.time = os.time()
  tide.log("snapshot: supabase project %s can be restored to %s (point in time)", self.ref,
    os.date("!%Y-%m-%dT%H:%M:%SZ", self.time))
  return self
end

function Snapshot:restore()
  self:cli_run({ "backups", "restore", "--project-ref", self.ref, "--timestamp", tostring(self.time) },
    "supabase restore")
  tide.log("snapshot: restored supabase project %s to %s", self.ref, os.date("!%Y-%m-%dT%H:%M:%SZ", self.time))
end

function Snapshot:drop()
  tide.log("snapshot: nothing to delete for a supabase point in time")
end

function Snapshot:describe()
  return string.format("supabase point in time %s of project %s", os.date("!%Y-%m-%dT%H:%M:%SZ", self.time), self.ref)
end

return M
