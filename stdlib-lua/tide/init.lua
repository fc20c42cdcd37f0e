--- The global `tide` table, present in migrations, seeds, hooks and tide.lua alike.
-- @module tide
local core = require("tide.core")

local tide = {
  --- The environment of this run ("development", "production", ...); set by the host.
  env = nil,
  version = "0.1.0",
}

local function format(fmt, ...)
  if select("#", ...) == 0 then
    return tostring(fmt)
  end
  return string.format(fmt, ...)
end

--- Print a line to the run's log (also an event in --json output).
-- tide.log("copied %d rows", n) formats like string.format when given arguments.
tide.log = setmetatable({
  info = function(fmt, ...) core.log("info", format(fmt, ...)) end,
  warn = function(fmt, ...) core.log("warn", format(fmt, ...)) end,
}, {
  __call = function(_, fmt, ...) core.log("info", format(fmt, ...)) end,
})

--- print() in a migration goes to the run's log like tide.log, so it honours --quiet and
-- becomes a log event under --json instead of a stray line that breaks the JSON stream.
function print(...)
  local parts = {}
  for i = 1, select("#", ...) do parts[i] = tostring((select(i, ...))) end
  core.log("info", table.concat(parts, "\t"))
end

--- os.exit() would end tide in the middle of a migration's transaction, with an exit
-- code that means something else to CI: fail the migration with error() instead.
os.exit = function()
  error("os.exit() is not allowed in tide scripts: raise an error with error() to fail", 2)
end

--- The value of an environment variable, or nil (a `default` when given).
function tide.getenv(name, default)
  local v = core.getenv(name)
  if v == nil then return default end
  return v
end

--- Sleep for a number of seconds (fractions allowed).
function tide.sleep(seconds)
  core.sleep(seconds)
end

--- Run a command with an argument vector (never through a shell) and wait for it:
--   local r, err = tide.exec{"pg_dump", "-Fc", "-f", file, env = {PGPASSWORD = pw}, timeout = "10m"}
-- Returns {code =, stdout =, stderr =, signal =} once the command ran, whatever its
-- exit code (check r.code). Returns nil, err when it could not run (not installed: the
-- message names it) or ran out of time (killed with its process group; err.stdout and
-- err.stderr hold what it wrote). `env` is added to the inherited environment and its
-- values are masked ("***") in everything tide prints; `input` is fed on stdin.
function tide.exec(spec)
  if type(spec) ~= "table" then error("exec: expects a table {\"cmd\", \"arg\", ...}", 2) end
  local argv = {}
  for i = 1, #spec do
    local a = spec[i]
    if type(a) == "number" then a = tostring(a) end
    if type(a) ~= "string" then error("exec: argument " .. i .. " must be a string, not a " .. type(a), 2) end
    argv[i] = a
  end
  if #argv == 0 then error("exec: no command given", 2) end
  for k, v in pairs(spec) do
    if type(k) ~= "number" and k ~= "env" and k ~= "timeout" and k ~= "input" then
      error("exec: unknown option `" .. tostring(k) .. "` (known: env, timeout, input)", 2)
    end
    if type(k) == "number" and (k < 1 or k > #argv or k % 1 ~= 0) then
      error("exec: the argument list has a hole at " .. tostring(k), 2)
    end
  end
  local env = spec.env
  if env ~= nil then
    if type(env) ~= "table" then error("exec: env must be a table of NAME = value", 2) end
    for k, v in pairs(env) do
      if type(k) ~= "string" or type(v) ~= "string" then
        error("exec: env must map names to strings (" .. tostring(k) .. " = " .. type(v) .. ")", 2)
      end
      core.add_secret(v)
    end
  end
  if spec.input ~= nil and type(spec.input) ~= "string" then error("exec: input must be a string", 2) end
  local timeout_ms
  if spec.timeout ~= nil then
    timeout_ms = tide.duration_ms(spec.timeout)
    if not timeout_ms then error("exec: timeout must be a duration like \"30s\" or \"10m\", or seconds", 2) end
  end
  local ok, res = core.exec(argv, env, spec.input, timeout_ms, spec._kill_grace_ms)
  if not ok then return nil, res end
  if res.timed_out then
    return nil, {
      message = string.format("%s timed out after %s; it was killed (with every process it started)",
        argv[1], type(spec.timeout) == "number" and spec.timeout .. "s" or spec.timeout),
      timed_out = true, stdout = res.stdout, stderr = res.stderr,
    }
  end
  return res
end

--- A duration as milliseconds: "500ms", "30s", "10m", "1h", or a number of seconds.
-- nil when malformed.
function tide.duration_ms(d)
  if type(d) == "number" then return d >= 0 and math.floor(d * 1000) or nil end
  if type(d) ~= "string" then return nil end
  local n, unit = d:match("^%s*(%d+%.?%d*)%s*(%a*)%s*$")
  n = tonumber(n)
  if not n then return nil end
  local scale = ({ [""] = 1000, ms = 1, s = 1000, m = 60000, h = 3600000 })[unit]
  return scale and math.floor(n * scale) or nil
end

--- Snapshot providers, loaded on first use: tide.snapshot.sqlite, tide.snapshot.pg_dump ...
-- (the same modules as require("tide.snapshot.<name>")).
setmetatable(tide, {
  __index = function(t, k)
    if k == "snapshot" then
      local s = require("tide.snapshot")
      rawset(t, k, s)
      return s
    end
  end,
})

return tide
