---@meta
-- LuaLS (lua-language-server) annotations for tide's Lua API: completion, hover docs and
-- type checks in migrations, seeds, hooks and tide.lua. Not run by tide. Installed in
-- share/tide/lua-types; point your editor at it (.luarc.json):
--   { "runtime.version": "LuaJIT", "workspace.library": ["/usr/local/share/tide/lua-types"] }
-- tests/unit/lua_types_test.cpp fails when a function of the embedded library has no
-- stub in stdlib-lua/types/ (and warns about a tide.* or db: stub naming a function that
-- does not exist): add one with every new API.

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

--- What tide.exec returns once the command ran (whatever its exit code).
--- Close tide's own connection (releasing the migration lock) while fn runs, for work that
--- needs nobody connected to the database (postgres_template snapshots); then reconnect,
--- take the lock again and check that the history did not change meanwhile (unless
--- history_may_change). Returns fn's results. Refused inside a transaction.
---@generic T
---@param fn fun(): T
---@param opts? {history_may_change?: boolean}
---@return T
function tide.step_aside(fn, opts) end

---@class tide.ExecResult
---@field code integer     The exit code.
---@field stdout string
---@field stderr string
---@field signal? integer  The signal that ended it, if one did.

--- Run a command with an argument vector (never through a shell) and wait for it:
--- `tide.exec{"pg_dump", "-Fc", "-f", file, env = {PGPASSWORD = pw}, timeout = "10m"}`.
--- Returns nil, err when it could not run (not installed) or ran out of time (killed with
--- its process group). `env` adds to the inherited environment; its values are masked in
--- everything tide prints. `input` is fed on stdin.
---@param spec {[integer]: string|number, env?: table<string, string>, timeout?: string|number, input?: string}
---@return tide.ExecResult?
---@return {message: string, timed_out?: boolean, stdout?: string, stderr?: string}? err
function tide.exec(spec) end

--- A duration as milliseconds: "500ms", "30s", "10m", "1h", or a number of seconds; nil
--- when malformed.
---@param d string|number
---@return integer?
function tide.duration_ms(d) end

--- JSON decoding (`require("tide.json")`), for the output of command-line tools.
tide.json = {}

--- JSON text to Lua tables; JSON null is `tide.json.null`.
---@param text string
---@return any
function tide.json.decode(text) end

--- A snapshot made by a provider's create().
---@class tide.Snapshot
local snapshot = {}
--- Put the database back as it was at create().
function snapshot:restore() end
--- Delete the snapshot.
function snapshot:drop() end
--- One line saying what the snapshot is and where.
---@return string
function snapshot:describe() end

--- Snapshot providers (also `require("tide.snapshot.<provider>")`): each create(opts)
--- returns a tide.Snapshot. See the README's "Hooks and snapshots" for every option.
tide.snapshot = {}
tide.snapshot.sqlite = {}
tide.snapshot.postgres_template = {}
tide.snapshot.pg_dump = {}
tide.snapshot.mysqldump = {}
tide.snapshot.aws_rds = {}
tide.snapshot.gcp_cloudsql = {}
tide.snapshot.azure_flexible = {}
tide.snapshot.supabase = {}

--- `VACUUM INTO` a copy through the run's connection; restore with SQLite's backup API.
---@param opts {db: tide.DB, path?: string, overwrite?: boolean}
---@return tide.Snapshot
function tide.snapshot.sqlite.create(opts) end

--- CREATE DATABASE snap TEMPLATE db (no other session may be connected to db).
---@param opts {url?: string, name?: string, terminate?: boolean}
---@return tide.Snapshot
function tide.snapshot.postgres_template.create(opts) end

--- pg_dump --format=custom; restore with pg_restore --clean in one transaction.
---@param opts {url?: string, path?: string, schemas?: string[]}
---@return tide.Snapshot
function tide.snapshot.pg_dump.create(opts) end

--- mysqldump --single-transaction; restore reloads it with mysql.
---@param opts {url?: string, path?: string}
---@return tide.Snapshot
function tide.snapshot.mysqldump.create(opts) end

--- An RDS snapshot (or point-in-time restore) with the aws CLI.
---@param opts {instance: string, name?: string, mode?: "snapshot"|"point_in_time", restore_instance?: string, region?: string, profile?: string}
---@return tide.Snapshot
function tide.snapshot.aws_rds.create(opts) end

--- A Cloud SQL backup with gcloud.
---@param opts {instance: string, name?: string, project?: string}
---@return tide.Snapshot
function tide.snapshot.gcp_cloudsql.create(opts) end

--- An Azure flexible server backup with az.
---@param opts {server: string, resource_group: string, engine?: "postgres"|"mysql", name?: string, restore_server?: string}
---@return tide.Snapshot
function tide.snapshot.azure_flexible.create(opts) end

--- Supabase point-in-time recovery with the supabase CLI.
---@param opts {project_ref: string, token?: string}
---@return tide.Snapshot
function tide.snapshot.supabase.create(opts) end

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

--- Stands for SQL NULL in the rows given to db:upsert and db:insert (a nil would leave
--- the column out of the row).
db.NULL = {}

--- What db:upsert, db:insert and db:load_csv did.
---@class tide.RowCounts
---@field inserted integer
---@field updated integer
---@field unchanged integer

--- Insert or update rows, in batches with bound parameters, idempotently:
--- `db:upsert("roles", {{name = "admin", level = 9}}, {key = {"name"}})`. Rows whose key
--- exists are updated when a value differs (update = "all", the default, or a list of
--- columns), or left alone (update = false). Every row has the same columns (db.NULL for
--- NULL), or `columns` lists them (a missing one is NULL).
---@param tbl string  "table" or "schema.table"
---@param rows table<string, tide.Value>[]
---@param opts {key: string[], update?: string[]|"all"|false, columns?: string[]}
---@return tide.RowCounts
function db:upsert(tbl, rows, opts) end

--- Insert rows (plain INSERT: a row whose key exists is the database's error).
---@param tbl string
---@param rows table<string, tide.Value>[]
---@param opts? {columns?: string[]}
---@return tide.RowCounts
function db:insert(tbl, rows, opts) end

--- Load a CSV file (path relative to the project folder) into a table, streaming it. The
--- header row names the columns; with key/update it upserts instead of inserting.
---@param tbl string
---@param path string
---@param opts? {key?: string[], update?: string[]|"all"|false, columns?: string[], rename?: table<string, string>, delimiter?: string, null?: string, types?: table<string, "integer"|"number"|"boolean"|"text">}
---@return tide.RowCounts
function db:load_csv(tbl, path, opts) end

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
---@field hooks? table<string, tide.Hook|tide.Hook[]>  Lifecycle hooks by event (before_migrate, after_migrate_error, ...).

--- A hook: a function of the context, or {env = EXPR, run = function}. It fails by raising
--- an error or returning nil, "why".
---@alias tide.Hook fun(ctx: tide.HookContext): (boolean|nil, string?)|{env?: string|string[], run: fun(ctx: tide.HookContext)}

--- What a hook receives.
---@class tide.HookContext
---@field event string
---@field environment string
---@field url string               The database URL with the password replaced by ***.
---@field migration? {version: string, name: string, file: string, direction: "up"|"down"}
---@field error? {message: string, code?: string, sqlstate?: string, file?: string, line?: integer, statement?: string, detail?: string}
---@field applied table[]          The migrations done so far in this run.
---@field db tide.DB               The run's own connection.
---@field state table              Shared by every hook of the command.
