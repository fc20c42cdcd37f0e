// The runner's migrating half: the lock, the checks before work, applying one
// migration (in a transaction, or dirty-first), and up / down / redo. The commands that
// inspect or correct history are in runner_admin.cpp.
#include "migrate/runner.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>

#include "migrate/env_gate.h"
#include "migrate/history_carrier.h"
#include "util/text.h"

namespace tide {

namespace {

int64_t elapsed_ms(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
}

std::string list_entries(const std::vector<const Entry *> &entries) {
  std::string out;
  for (const Entry *e : entries) out += "\n  " + (e->file ? e->file->display : e->version + " " + e->name);
  return out;
}

// The way out of a migration a failure left dirty. A migration with an on_error gets
// it run next (after_failure), which then says what it did; one without is told it can.
std::string dirty_way_out(const Migration &m, Direction dir, bool outside_transaction) {
  const std::string &v = m.file().version;
  std::string why = outside_transaction ? "it ran outside a transaction" : "the database commits DDL as it runs";
  if (dir == Direction::kDown)
    return fmt::format(
        "migration {0} is now marked dirty ({1}, so what its down did before the failure stays); check the "
        "database, then `tide resolve {0} --rolled-back` if you completed the down by hand, or `tide resolve {0} "
        "--applied` if you restored what it removed",
        v, why);
  std::string hint = fmt::format(
      "migration {0} is now marked dirty ({1}, so what it did before the failure stays); check the database, "
      "then either complete it by hand and run `tide resolve {0} --applied`, or undo its changes and run "
      "`tide resolve {0} --rolled-back` (or `tide repair`) so the next `up` runs it again",
      v, why);
  if (m.file().format == MigrationFormat::kLua && !m.has_on_error())
    hint += "; an `on_error = function(db, err)` in the migration can do that undo itself when it fails";
  else if (m.file().format != MigrationFormat::kLua)
    hint += "; written as a .lua migration, its `on_error = function(db, err)` can do that undo itself";
  return hint;
}

}  // namespace

// SQLSTATE 25001: a statement that refuses to run in a transaction block (PostgreSQL's
// CREATE INDEX CONCURRENTLY, VACUUM, ...). Say how to run it outside one.
void hint_no_transaction(Status &s) {
  if (s.ok() || s.error().sqlstate != "25001" || !s.error().hint.empty()) return;
  s.error().hint =
      "this statement cannot run inside a transaction: make the migration non-transactional "
      "(`transaction = false` in a .lua migration, `-- tide:no-transaction` in a .sql one)";
}

// ---- locking and state checks --------------------------------------------------------

Status Runner::acquire_lock() {
  // Try once without waiting, so a wait can be announced before it starts.
  Status s = session_.lock(context_.lock_key, 0);
  if (s.ok() || s.error().exit != Exit::kLocked) return s;
  reporter_.note("lock_wait", fmt::format("waiting up to {} ms for the migration lock held by another tide run",
                                          context_.lock_timeout_ms));
  s = session_.lock(context_.lock_key, context_.lock_timeout_ms);
  if (!s.ok() && s.error().exit == Exit::kLocked) {
    s.error().message =
        fmt::format("migration lock not acquired within {} ms: {}", context_.lock_timeout_ms, s.error().message);
    s.error().hint = "another tide run is migrating this database; wait for it, or raise --lock-timeout";
  }
  return s;
}

Status Runner::locked(const std::function<Status()> &fn) {
  TIDE_TRY(acquire_lock());
  Status s = history_.ensure();
  if (s.ok()) s = fn();
  if (session_.in_transaction()) (void)session_.rollback();
  if (Status f = flush_applied(); !f.ok()) {
    if (s.ok())
      s = f;
    else
      s.error().detail += "\n" + f.error().headline() + "; " + f.error().hint;
  }
  Status u = session_.unlock(context_.lock_key);
  if (s.ok() && !u.ok()) return u;
  return s;
}

// status and validate only look: they create the history table only when reading it
// fails (a new database), so they work on a read-only connection to a managed one.
Result<Overview> Runner::load_overview_for_reading() {
  auto ov = load_overview();
  if (ov) return ov;
  TIDE_TRY(history_.ensure());
  return load_overview();
}

Result<Overview> Runner::load_overview() {
  auto records = history_.load(kKindMigration);
  if (!records) return records.status();
  return build_overview(catalog_, std::move(*records));
}

Status Runner::check_clean(const Overview &ov, bool allow_out_of_order) {
  if (auto dirty = ov.with(State::kDirty); !dirty.empty()) {
    const Entry &e = *dirty.front();
    Error err;
    err.exit = Exit::kInvalid;
    err.where = e.file ? e.file->display : e.version;
    err.message = fmt::format("migration {} is dirty: an earlier run started it and did not finish", e.version);
    err.detail = e.record->error.empty() ? "" : "it failed with: " + e.record->error;
    err.hint = fmt::format(
        "check the database by hand, then `tide resolve {0} --applied` if its changes are all "
        "there, or undo them and run `tide resolve {0} --rolled-back` (or `tide repair`) so the next "
        "`up` runs it again",
        e.version);
    return err;
  }
  if (auto changed = ov.with(State::kChanged); !changed.empty()) {
    return Status::fail(Exit::kInvalid,
                        fmt::format("{} applied migration(s) changed since they were applied:{}", changed.size(),
                                    list_entries(changed)),
                        "restore the files as they were (and add a new migration for the change), or run "
                        "`tide repair` to accept the new checksums");
  }
  if (auto missing = ov.with(State::kMissing); !missing.empty()) {
    std::string list;
    for (const Entry *e : missing) list += fmt::format("\n  {} {}", e->version, e->name);
    return Status::fail(Exit::kInvalid, fmt::format("{} applied migration(s) have no file:{}", missing.size(), list),
                        "restore the files, or run `tide repair` to forget them");
  }
  if (!allow_out_of_order) {
    std::vector<const Entry *> late;
    for (const Entry *e : ov.out_of_order()) {
      auto m = load(*e->file);
      if (!m) return m.status();
      auto skip = gated_out(**m);
      if (!skip) return skip.status();
      if (!*skip) late.push_back(e);
    }
    if (!late.empty()) {
      return Status::fail(
          Exit::kInvalid,
          fmt::format("{} pending migration(s) are older than the latest applied one ({}):{}", late.size(),
                      ov.latest_applied, list_entries(late)),
          "renumber them after the latest applied version, or pass --allow-out-of-order to apply them anyway");
    }
  }
  return {};
}

Result<std::unique_ptr<Migration>> Runner::load(const MigrationFile &file) {
  return load_migration(file, lua_, session_.dialect());
}

Result<bool> Runner::gated_out(const Migration &m) {
  if (!m.env()) return false;
  auto match = env_matches(*m.env(), context_.environment);
  if (!match) {
    Error e = match.error();
    e.where = m.env_where();
    e.exit = Exit::kInvalid;  // a migration file that does not parse
    return e;
  }
  return !*match;
}

// ---- applying one migration -----------------------------------------------------------

HistoryRecord Runner::record_for(const Migration &m, int64_t duration_ms) const {
  HistoryRecord r;
  r.version = m.file().version;
  r.name = m.file().name;
  r.checksum = m.checksum();
  r.applied_at = utc_now();
  r.duration_ms = duration_ms;
  r.applied_by = context_.applied_by;
  r.environment = context_.environment;
  r.tide_version = context_.tide_version;
  return r;
}

Status Runner::apply(Migration &m, Direction dir) {
  TIDE_TRY(before_each(m, dir));
  reporter_.migration_begin(m.file(), dir);
  auto start = std::chrono::steady_clock::now();
  // Without transactional DDL (MySQL) a migration that only changes rows still gets its
  // transaction: it is DDL that would commit half-way.
  bool in_tx = m.transactional() &&
               (session_.dialect().has(TIDE_CAP_TRANSACTIONAL_DDL) || m.changes_rows_only(dir, session_.dialect()));
  left_dirty_.reset();
  Status s = in_tx ? apply_in_transaction(m, dir) : apply_dirty_first(m, dir);
  if (!s.ok()) {
    reporter_.migration_failed(m.file(), dir, s.error());
    after_failure(m, dir, s.error());
    return s;
  }
  reporter_.migration_end(m.file(), dir, elapsed_ms(start));
  return after_each(m, dir);
}

// The migration and its history row commit together, or neither does.
Status Runner::apply_in_transaction(Migration &m, Direction dir) {
  auto start = std::chrono::steady_clock::now();
  TIDE_TRY(session_.begin());
  // The previous migration's applied mark commits with this one (it stays pending, and
  // is written again by locked(), if this one rolls back: the update is idempotent).
  Status s = applied_pending_ ? history_.update(*applied_pending_) : Status();
  if (s.ok()) s = m.run(dir, session_);
  hint_no_transaction(s);
  if (!session_.in_transaction()) return transaction_ended(m, dir, s);
  // The history row goes with the COMMIT: one round trip where the driver can.
  if (s.ok()) {
    s = dir == Direction::kUp ? history_.insert_then_commit(record_for(m, elapsed_ms(start)), session_)
                              : history_.remove_then_commit(kKindMigration, m.file().version, session_);
  }
  if (!s.ok()) {
    (void)session_.rollback();
    s.error().detail +=
        (s.error().detail.empty() ? "" : "\n") + std::string("the migration was rolled back; nothing was recorded");
    return s;
  }
  applied_pending_.reset();
  return s;
}

// The migration ended the transaction tide opened for it (a COMMIT or ROLLBACK of its
// own): what it did before that is committed or gone, and what came after ran on its
// own. Nothing can be rolled back now, so record it dirty and say so.
Status Runner::transaction_ended(Migration &m, Direction dir, const Status &run) {
  Error e;
  if (run.ok()) {
    e.where = m.file().display;
    e.message = "the migration ended tide's transaction itself (a COMMIT or ROLLBACK in it)";
  } else {
    e = run.error();
    e.message += " (after the migration had ended tide's transaction itself)";
  }
  e.exit = Exit::kFailed;
  HistoryRecord r = record_for(m, 0);
  r.status = kStatusDirty;
  r.error = e.headline();
  left_dirty_ = r;
  Status recorded = dir == Direction::kUp ? history_.insert(r) : history_.update(r);
  e.detail += (e.detail.empty() ? "" : "\n") +
              std::string("its changes may be partly applied; it is now marked dirty so the next run stops");
  if (!recorded.ok()) e.detail += "\nrecording it dirty failed too: " + recorded.error().headline();
  e.hint = fmt::format(
      "tide runs each migration in a transaction: remove the migration's own COMMIT/ROLLBACK (or set it "
      "non-transactional), check the database, then `tide resolve {} --applied` or `--rolled-back`",
      m.file().version);
  return e;
}

// Work that cannot run in a transaction: record it dirty first, so a failure or a kill
// half-way leaves a record that stops the next run until someone looks.
//
// A SQL migration's dirty mark (and the previous migration's applied mark, when that is
// still pending) travels with its first statement where the history can write rows in
// one statement (HistoryCarrier): one round trip fewer per migration on MySQL, where
// both still commit before the first statement starts. A Lua migration's mark is
// written first on its own: its tide.exec commands and Lua code run before any db call.
Status Runner::apply_dirty_first(Migration &m, Direction dir) {
  auto start = std::chrono::steady_clock::now();
  HistoryRecord r = record_for(m, 0);
  r.status = kStatusDirty;
  Status s;
  bool unconfirmed = false;  // the connection was lost before the dirty mark was confirmed
  std::string before;        // then: the migration whose applied mark went with it
  if (history_.can_put() && m.sql_script(dir)) {
    std::vector<HistoryRecord> rows;
    if (applied_pending_) rows.push_back(*applied_pending_);
    rows.push_back(r);
    HistoryCarrier carrier(session_, history_, std::move(rows));
    s = m.run(dir, carrier);
    if (s.ok()) s = carrier.finish();
    // Not written: the migration did not start (a failure before its first statement is
    // the write's own).
    if (carrier.stage() == Session::Stage::kNone) return carrier.write_error().ok() ? s : carrier.write_error();
    unconfirmed = carrier.stage() == Session::Stage::kUnknown && !s.ok();
    if (unconfirmed && applied_pending_) before = applied_pending_->version;
    // Written, or its fate is the dirty mark's (writing it again would say nothing new).
    applied_pending_.reset();
  } else {
    TIDE_TRY(record_started(r, dir));
    s = m.run(dir, session_);
  }
  if (!s.ok()) {
    const Error &e = s.error();
    r.error = (dir == Direction::kDown ? "down: " : "") + e.headline() + (e.detail.empty() ? "" : "\n" + e.detail);
    left_dirty_ = r;
    // The dirty row is already there; if adding the error to it fails, say so.
    if (Status u = history_.update(r); !u.ok())
      s.error().detail += (s.error().detail.empty() ? "" : "\n") +
                          std::string("recording the error in the history failed too: ") + u.error().headline();
    s.error().hint = dirty_way_out(m, dir, !m.transactional());
    if (unconfirmed) {
      s.error().detail += (s.error().detail.empty() ? "" : "\n") +
                          fmt::format(
                              "the connection was lost before the server confirmed the dirty mark sent with "
                              "the migration's first statement, so whether {} started is not known",
                              m.file().version);
      s.error().hint = fmt::format(
          "once the database is back, `tide status` shows it: if {0} is marked dirty, check whether its first "
          "statement ran, then `tide resolve {0} --applied` or `--rolled-back`; if it is still pending, nothing of "
          "it ran and `tide up` applies it",
          m.file().version);
      if (!before.empty())
        s.error().hint += fmt::format(
            "; {0} completed before it: if it is marked dirty, its applied mark was lost too (`tide resolve {0} "
            "--applied`)",
            before);
    }
    return s;
  }
  if (dir == Direction::kDown) return history_.remove(kKindMigration, m.file().version);
  r.status = kStatusApplied;
  r.duration_ms = elapsed_ms(start);
  // Written with the next migration's first history write, or at the end of the run
  // (locked()): one commit instead of two per migration (each one is a log flush).
  applied_pending_ = std::move(r);
  return {};
}

// The dirty mark of a migration about to run, and the applied mark of the one before it
// when that is still pending, committed together: in one upsert statement where the
// driver has upsert (one round trip instead of four: BEGIN, UPDATE, INSERT, COMMIT),
// else in one transaction.
Status Runner::record_started(const HistoryRecord &dirty, Direction dir) {
  auto write = [&] { return dir == Direction::kUp ? history_.insert(dirty) : history_.update(dirty); };
  if (!applied_pending_) return write();
  if (history_.can_put()) {
    const HistoryRecord rows[] = {*applied_pending_, dirty};
    TIDE_TRY(history_.put(rows));
    applied_pending_.reset();
    return {};
  }
  TIDE_TRY(session_.begin());
  Status s = history_.update(*applied_pending_);
  if (s.ok()) s = write();
  if (s.ok()) s = session_.commit();
  if (!s.ok()) {
    (void)session_.rollback();
    return s;
  }
  applied_pending_.reset();
  return s;
}

// A failure here (the server went away) leaves a completed migration marked dirty: say
// that it completed, so the way out is clear.
Status Runner::flush_applied() {
  if (!applied_pending_) return {};
  Status s = history_.update(*applied_pending_);
  if (s.ok()) {
    applied_pending_.reset();
    return s;
  }
  const std::string &v = applied_pending_->version;
  s.error().message = fmt::format("migration {} completed, but recording it applied failed: {}", v, s.error().message);
  s.error().hint = fmt::format("it is still marked dirty: once the database is back, `tide resolve {} --applied`", v);
  return s;
}

// ---- commands ------------------------------------------------------------------------

Status Runner::up(const UpOptions &options, const std::function<Status()> &then) {
  return locked([&]() -> Status {
    TIDE_TRY(up_locked(options));
    if (!then) return Status();
    // The seeds start with every migration's history final (no applied mark pending).
    TIDE_TRY(flush_applied());
    return then();
  });
}

Status Runner::up_locked(const UpOptions &options) {
  auto plan = pending(options);
  if (!plan) return plan.status();
  if (plan->empty()) {
    reporter_.note("up_to_date", "nothing to apply: the database is up to date");
    return {};
  }
  if (check_) TIDE_TRY(check_(*plan));
  return hooked(HookedRun::kMigrate, [&]() -> Status {
    if (options.single_transaction) return up_single_transaction(*plan);
    for (Planned &p : *plan) {
      if (!p.skip.empty()) {
        reporter_.migration_skipped(*p.file, p.skip);
        continue;
      }
      auto m = take(p);
      if (!m) return m.status();
      TIDE_TRY(apply(**m, Direction::kUp));
    }
    return {};
  });
}

Result<std::vector<Runner::Planned>> Runner::pending(const UpOptions &options, bool history_may_be_missing) {
  std::vector<const MigrationFile *> todo;
  {
    // Only the pending files are needed from here: the overview (every migration and
    // history row) is gone before the migrations are loaded, so the two never add up.
    auto ov = load_overview();
    if (!ov && history_may_be_missing && is_missing_table(ov.error())) ov = build_overview(catalog_, {});
    if (!ov) return ov.status();
    TIDE_TRY(check_clean(*ov, options.allow_out_of_order));
    for (const Entry *e : ov->with(State::kPending)) {
      if (!options.to.empty() && compare_versions(e->version, options.to) > 0) break;
      todo.push_back(e->file);
    }
  }
  if (!options.to.empty() && !catalog_.find(options.to))
    return Status::fail(Exit::kUsage, fmt::format("--to {}: no migration has that version", options.to));
  if (todo.empty()) return std::vector<Planned>{};
  auto plan = preflight(todo, options.single_transaction);
  if (!plan) return plan.status();
  limit_steps(*plan, options.step);
  return plan;
}

// Load every migration about to run once before running any, so a file that does not
// parse or a malformed env gate stops the run before it changes anything. Loaded
// migrations are kept for the run up to a memory budget (their text plus what a loaded
// migration costs besides), so memory stays flat however many there are, and a small
// run reads each file once; the others are loaded again when their turn comes.
Result<std::vector<Runner::Planned>> Runner::preflight(const std::vector<const MigrationFile *> &files,
                                                       bool single_transaction) {
  constexpr size_t kPreflightKeepBytes = 256 << 10;
  // The object, its parsed sections and checksum, a Lua migration's table: measured at
  // 250-400 bytes for small SQL files (heaptrack), rounded up.
  constexpr size_t kLoadedOverheadBytes = 512;
  size_t kept = 0;
  std::vector<Planned> plan;
  plan.reserve(files.size());
  for (const MigrationFile *file : files) {
    auto m = load(*file);
    if (!m) return m.status();
    auto out = gated_out(**m);
    if (!out) return out.status();
    if (single_transaction && !*out && !(*m)->transactional())
      return Status::fail(Exit::kUsage,
                          fmt::format("{}: cannot run with --single-transaction: the migration is marked "
                                      "non-transactional",
                                      file->display),
                          "run `tide up` without --single-transaction");
    Planned p{file, nullptr, {}};
    if (*out) p.skip = fmt::format("env gate \"{}\" excludes {}", *(*m)->env(), context_.environment);
    kept += (*m)->source_bytes() + kLoadedOverheadBytes;
    if (kept <= kPreflightKeepBytes) p.loaded = std::move(*m);
    plan.push_back(std::move(p));
  }
  return plan;
}

// --step N counts migrations that run: ones the env gate skips do not use up a step.
void Runner::limit_steps(std::vector<Planned> &plan, int step) {
  if (step <= 0) return;
  int runs = 0;
  size_t end = 0;
  while (end < plan.size() && runs < step) runs += plan[end++].skip.empty() ? 1 : 0;
  plan.resize(end);
}

Result<std::unique_ptr<Migration>> Runner::take(Planned &p) {
  if (p.loaded) return std::move(p.loaded);
  return load(*p.file);
}

Status Runner::up_single_transaction(std::vector<Planned> &plan) {
  if (!session_.dialect().has(TIDE_CAP_TRANSACTIONAL_DDL))
    return Status::fail(
        Exit::kUsage,
        fmt::format("--single-transaction needs transactional DDL, which {} does not have", session_.dialect().name()));
  TIDE_TRY(session_.begin());
  // With the driver's multi-row write (History::put) and no hook that could read the
  // history meanwhile, the history rows go in batches, one statement each, instead of
  // one round trip per migration: they commit with the one transaction either way.
  constexpr size_t kHistoryBatch = 1000;
  const bool batch_history = history_.can_put() && (!hooks_ || hooks_->empty());
  std::vector<HistoryRecord> unwritten;
  auto write_history = [&]() -> Status {
    if (unwritten.empty()) return {};
    Status put = history_.put(unwritten);
    unwritten.clear();
    return put;
  };
  Status s;
  for (Planned &p : plan) {
    const MigrationFile *file = p.file;
    if (!p.skip.empty()) {
      reporter_.migration_skipped(*file, p.skip);
      continue;
    }
    auto m = take(p);
    if (!m) {
      s = m.status();
      break;
    }
    if (s = before_each(**m, Direction::kUp); !s.ok()) break;
    reporter_.migration_begin(*file, Direction::kUp);
    auto start = std::chrono::steady_clock::now();
    s = (*m)->run(Direction::kUp, session_);
    hint_no_transaction(s);
    if (!session_.in_transaction()) {
      s = transaction_ended(**m, Direction::kUp, s);
      s.error().detail += "\nearlier migrations of this run were committed or rolled back with it: see `tide status`";
      reporter_.migration_failed(*file, Direction::kUp, s.error());
      return s;
    }
    if (s.ok() && batch_history) {
      unwritten.push_back(record_for(**m, elapsed_ms(start)));
      if (unwritten.size() >= kHistoryBatch) s = write_history();
    } else if (s.ok()) {
      s = history_.insert(record_for(**m, elapsed_ms(start)));
    }
    if (!s.ok()) {
      reporter_.migration_failed(*file, Direction::kUp, s.error());
      (void)session_.rollback();  // before on_error and the error hooks, which run outside it
      after_failure(**m, Direction::kUp, s.error());
      break;
    }
    reporter_.migration_end(*file, Direction::kUp, elapsed_ms(start));
    if (s = after_each(**m, Direction::kUp); !s.ok()) break;  // inside the one transaction
  }
  if (s.ok()) s = write_history();
  if (s.ok()) s = session_.commit();
  if (!s.ok()) {
    (void)session_.rollback();
    s.error().detail += (s.error().detail.empty() ? "" : "\n") +
                        fmt::format("all {} migration(s) of this run were rolled back", plan.size());
  }
  return s;
}

Status Runner::down(const DownOptions &options) {
  return locked([&]() -> Status {
    auto ov = load_overview();
    if (!ov) return ov.status();
    TIDE_TRY(check_clean(*ov, true));
    if (!options.to.empty() && !catalog_.find(options.to) && options.to != "0")
      return Status::fail(Exit::kUsage, fmt::format("--to {}: no migration has that version", options.to));
    std::vector<const Entry *> targets;
    auto applied = ov->with(State::kApplied);
    for (auto it = applied.rbegin(); it != applied.rend(); ++it) {
      if (!options.to.empty()) {
        if (compare_versions((*it)->version, options.to) <= 0) break;
      } else if (!options.all && static_cast<int>(targets.size()) >= options.step) {
        break;
      }
      targets.push_back(*it);
    }
    if (targets.empty()) {
      reporter_.note("nothing_to_revert", "nothing to revert");
      return {};
    }
    return revert(targets);
  });
}

Status Runner::revert(const std::vector<const Entry *> &targets) {
  // Check every down exists before reverting anything, so a missing one cannot leave the
  // database half way between two versions.
  for (const Entry *e : targets) {
    auto m = load(*e->file);
    if (!m) return m.status();
    if (!(*m)->has_down())
      return Status::fail(Exit::kInvalid,
                          fmt::format("{}: cannot revert: the migration has no down{}", e->file->display,
                                      (*m)->irreversible() ? " (it is marked irreversible)" : ""),
                          "write a down for it, or restore the database from a backup");
  }
  return hooked(HookedRun::kRollback, [&]() -> Status {
    for (const Entry *e : targets) {
      auto m = load(*e->file);
      if (!m) return m.status();
      TIDE_TRY(apply(**m, Direction::kDown));
    }
    return {};
  });
}

Status Runner::redo() {
  return locked([&]() -> Status {
    auto ov = load_overview();
    if (!ov) return ov.status();
    TIDE_TRY(check_clean(*ov, true));
    auto applied = ov->with(State::kApplied);
    if (applied.empty()) return Status::fail(Exit::kUsage, "nothing to redo: no migration is applied");
    TIDE_TRY(revert({applied.back()}));
    auto m = load(*applied.back()->file);
    if (!m) return m.status();
    return hooked(HookedRun::kMigrate, [&]() { return apply(**m, Direction::kUp); });
  });
}

}  // namespace tide
