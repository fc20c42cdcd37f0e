---@meta
-- LuaLS (lua-language-server) annotations for tide's Lua API: completion, hover docs and
-- type checks in migrations, seeds, hooks and tide.lua. Not run by tide. Installed in
-- share/tide/lua-types; point your editor at it (.luarc.json):
--   { "runtime.version": "LuaJIT", "workspace.library": ["/usr/local/share/tide/lua-types"] }
-- tests/unit/lua_types_test.cpp fails when a function of the embedded library has no
-- stub here, or a stub names a function that does not exist: add one with every new API.

---@class tide.Log
---@overload fun(fmt: any, ...: any)  Log a line: tide.log("copied %d rows", n) formats like string.format.

---@class tide
---@field env string      The environment of this run ("development", "production", ...).
---@field version string  tide's version.
tide = {}

--- Print a line to the run's log (an event under --json, silent under --quiet). With
--- arguments, `fmt` is a string.format format.
---@type tide.Log
tide.log = {}

--- Log a line at info level (same as tide.log(...)).
---@param fmt any
---@param ... any
function tide.log.info(fmt, ...) end

--- Log a warning (stderr; a "warning" event under --json).
---@param fmt any
---@param ... any
function tide.log.warn(fmt, ...) end

--- The value of an environment variable, or `default` (nil when not given).
---@param name string
---@param default? string
---@return string?
function tide.getenv(name, default) end

--- Sleep for a number of seconds (fractions allowed).
---@param seconds number
function tide.sleep(seconds) end

---@alias tide.Value nil|boolean|integer|number|string  Bound as NULL, boolean, integer, float or text.
---@alias tide.Row table<string, any>                   A row, keyed by column name.

--- The connection a migration (or seed, or hook) receives. Parameters are always bound,
--- never spliced: `?` placeholders on SQLite and MySQL, `$1` on PostgreSQL. Errors raise
--- a tide error with the database's message, its code, and the file:line of the call.
---@class tide.DB
---@field dialect "sqlite"|"postgres"|"mysql"|string  The database's dialect.
---@field capabilities {transactional_ddl: boolean, savepoints: boolean, server_lock: boolean, concurrent_index: boolean, embedded: boolean}
local db = {}

--- Run SQL. Without parameters, a script of any number of statements; with parameters,
--- one statement with them bound, returning the number of rows it changed.
---@param sql string
---@param ... tide.Value
---@return integer? changed
function db:exec(sql, ...) end

--- All rows of a query, as an array of tables keyed by column name.
---@param sql string
---@param ... tide.Value
---@return tide.Row[]
function db:query(sql, ...) end

--- An iterator that streams the rows of a query: `for row in db:rows(sql, ...) do ... end`.
--- Another statement started inside the loop ends it.
---@param sql string
---@param ... tide.Value
---@return fun(): tide.Row?
function db:rows(sql, ...) end

--- The first column of the first row, or nil when there is no row.
---@param sql string
---@param ... tide.Value
---@return any
function db:scalar(sql, ...) end

--- Run fn(db) in a transaction (a SAVEPOINT when one is already open, as inside a
--- transactional migration). An error rolls back and is raised again. Returns what fn returns.
---@generic T
---@param fn fun(db: tide.DB): T
---@return T
function db:transaction(fn) end

--- Quote an identifier for this database ("users" → "\"users\"", `users` on MySQL).
---@param name string
---@return string
function db:quote_ident(name) end

--- The server's version string.
---@return string
function db:server_version() end

--- What a migration file (migrations/*.lua) returns.
---@class tide.Migration
---@field description? string
---@field transaction? boolean      Default true; false runs it outside a transaction (recorded dirty first).
---@field irreversible? boolean     There is no down on purpose.
---@field env? string|string[]      A gate: a name, a list (any of), or "!production and !staging".
---@field up fun(db: tide.DB)
---@field down? fun(db: tide.DB)

--- What tide.lua returns. Every key is optional.
---@class tide.Config
---@field database? string|table<string, string>|fun(env: string): string  A URL, one per environment, or a function of the environment.
---@field environment? string       Used when neither --env nor $TIDE_ENV is set.
---@field protected? string[]       Environments where down and redo need --yes (default {"production"}).
---@field migrations? string        Default "migrations".
---@field seeds? string             Default "seeds".
---@field history_table? string     Default "tide_history".
---@field lock_timeout? string|number       "30s", "5m", or seconds.
---@field statement_timeout? string|number  Passed to drivers that support it.
---@field plugin_path? string|string[]      Extra folders to search for driver plugins.
