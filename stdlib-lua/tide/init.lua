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

return tide
