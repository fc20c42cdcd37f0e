#include "seed/seed_runner.h"

#include <filesystem>
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <optional>

#include "lua/bind.h"
#include "migrate/env_gate.h"
#include "seed/deletes.h"
#include "util/text.h"

namespace tide {

namespace {

int64_t elapsed_ms(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
}

// A seed as hooks see it in ctx.applied.
HookItem hook_item(const MigrationFile &file) {
  HookItem item;
  item.kind = "seed";
  item.version = item.name = file.name;
  item.file = file.display;
  return item;
}

std::string protected_hint() {
  return "pass --yes if you mean it (protected environments are set by `protected` in tide.lua)";
}

}  // namespace

// --only takes a seed's name ("010_roles") or its file name ("010_roles.lua").
Result<std::vector<const MigrationFile *>> SeedRunner::selected() const {
  std::vector<const MigrationFile *> out;
  for (const auto &f : seeds_) {
    bool named = options_.only.empty();
    for (const auto &o : options_.only) named = named || o == f.name || o == std::filesystem::path(f.path).filename().string();
    if (named) out.push_back(&f);
  }
  for (const auto &o : options_.only) {
    bool known = std::any_of(seeds_.begin(), seeds_.end(),
                             [&](const MigrationFile &f) { return o == f.name || o == std::filesystem::path(f.path).filename().string(); });
    if (known) continue;
    std::string list;
    for (const auto &f : seeds_) list += (list.empty() ? "" : ", ") + f.name;
    return Status::fail(Exit::kUsage, fmt::format("--only {}: no seed has that name", o),
                        list.empty() ? "there are no seeds in this project" : "the seeds are: " + list);
  }
  return out;
}

// A gated-out seed is skipped, unless --only named it: then it runs with a warning, and
// in a protected environment only with --yes.
Status SeedRunner::check_gate(Planned &p) {
  const Seed &seed = *p.seed;
  if (!seed.env()) return {};
  auto match = env_matches(*seed.env(), context_.environment);
  if (!match) {
    Error e = match.error();
    e.where = seed.env_where();
    e.exit = Exit::kInvalid;
    return e;
  }
  if (*match) return {};
  std::string why = fmt::format("env gate \"{}\" excludes {}", *seed.env(), context_.environment);
  if (options_.only.empty()) {
    p.skip = why;
    return {};
  }
  if (options_.protected_env && !options_.yes)
    return Status::fail(Exit::kUsage,
                        fmt::format("{}: refusing to run this seed in the protected environment \"{}\": its {}",
                                    p.file->display, context_.environment, why),
                        fmt::format("it is meant for other environments (--env NAME); {}", protected_hint()));
  reporter_.warn(fmt::format("{}: running it because --only names it, although its {}", p.file->display, why));
  return {};
}

// Load every seed that may run before running any, so a file that does not parse, a
// bad gate or a refusal stops the run before it changes anything.
Result<std::vector<SeedRunner::Planned>> SeedRunner::plan(const std::vector<const MigrationFile *> &files,
                                                          const std::vector<HistoryRecord> &records) {
  std::vector<Planned> out;
  for (const MigrationFile *f : files) {
    auto seed = load_seed(*f, lua_, session_.dialect());
    if (!seed) return seed.status();
    Planned p{f, std::move(*seed), {}};
    TIDE_TRY(check_gate(p));
    auto rec =
        std::find_if(records.begin(), records.end(), [&](const HistoryRecord &r) { return r.version == f->name; });
    if (p.skip.empty() && rec != records.end() && rec->checksum == p.seed->checksum() && !options_.force)
      p.skip = "up to date";
    if (p.skip.empty() && !p.seed->deletes().empty() && options_.protected_env && !options_.yes)
      return Status::fail(Exit::kUsage,
                          fmt::format("{}: refusing to run a seed that deletes rows in the protected environment "
                                      "\"{}\": {}",
                                      f->display, context_.environment, p.seed->deletes()),
                          protected_hint());
    out.push_back(std::move(p));
  }
  return out;
}

Status SeedRunner::run() {
  auto files = selected();
  if (!files) return files.status();
  if (seeds_.empty()) {
    reporter_.note("no_seeds", "no seeds to run");
    return {};
  }
  auto records = history_.load(kKindSeed);
  if (!records) return records.status();
  auto planned = plan(*files, *records);
  if (!planned) return planned.status();
  int up_to_date = 0;
  bool any_runs = false;
  for (const Planned &p : *planned) {
    if (p.skip == "up to date")
      ++up_to_date;
    else if (p.skip.empty())
      any_runs = true;
  }
  // before_seed / after_seed (SPEC §6) only around real work, like before_migrate: a
  // snapshot of a database whose seeds are all up to date protects nothing.
  static NoHooks no_hooks;
  std::optional<HookedRun> hooked;
  if (any_runs) {
    hooked.emplace(hooks_ ? *hooks_ : no_hooks, HookedRun::kSeed);
    TIDE_TRY(hooked->begin());
  }
  Status s;
  for (Planned &p : *planned) {
    if (!p.skip.empty()) {
      if (p.skip != "up to date") reporter_.seed_skipped(*p.file, p.skip);
      continue;
    }
    auto rec = std::find_if(records->begin(), records->end(),
                            [&](const HistoryRecord &r) { return r.version == p.file->name; });
    s = run_one(*p.seed, rec == records->end() ? nullptr : &*rec);
    if (s.ok()) s = hooked->after_each(hook_item(*p.file));  // fills ctx.applied; no per-seed events
    if (!s.ok()) break;
    p.seed.reset();  // its Lua table is no longer needed
  }
  if (hooked) s = hooked->finish(std::move(s));
  if (s.ok() && up_to_date > 0)
    reporter_.note(
        "seeds_up_to_date",
        fmt::format("{} seed(s) up to date (unchanged since they ran; --force runs them again)", up_to_date));
  return s;
}

// The seed and its history row commit together, or neither does.
Status SeedRunner::run_one(Seed &seed, const HistoryRecord *previous) {
  const MigrationFile &file = seed.file();
  reporter_.seed_begin(file);
  auto start = std::chrono::steady_clock::now();
  current_ = &seed;
  counts_ = UpsertCounts{};
  wrote_rows_ = false;
  started_ = start;
  Status s = session_.begin();
  if (s.ok()) {
    set_row_sink(lua_.L(), this);
    s = seed.run(session_);
    set_row_sink(lua_.L(), nullptr);
    reporter_.progress_end();
  }
  if (s.ok() && !session_.in_transaction()) {
    s = Status::fail(
        Exit::kFailed,
        fmt::format("{}: the seed ended tide's transaction itself (a COMMIT or ROLLBACK in it)", file.display),
        "remove the seed's own COMMIT/ROLLBACK: tide runs each seed in one transaction");
  }
  if (s.ok()) {
    HistoryRecord r;
    r.kind = kKindSeed;
    r.version = r.name = file.name;
    r.checksum = seed.checksum();
    r.applied_at = utc_now();
    r.duration_ms = elapsed_ms(start);
    r.applied_by = context_.applied_by;
    r.environment = context_.environment;
    r.tide_version = context_.tide_version;
    s = previous ? history_.update(r) : history_.insert(r);
  }
  if (s.ok()) s = session_.commit();
  current_ = nullptr;
  if (!s.ok()) {
    (void)session_.rollback();
    Error &e = s.error();
    if (e.where.empty() && e.message.rfind(file.display, 0) != 0) e.where = file.display;
    e.detail += (e.detail.empty() ? "" : "\n") +
                std::string("the seed was rolled back; its checksum was not recorded, so the next run tries it again");
    reporter_.seed_failed(file, e);
    return s;
  }
  reporter_.seed_end(file, wrote_rows_ ? &counts_ : nullptr, elapsed_ms(start));
  return {};
}

void SeedRunner::written(const UpsertCounts &batch) {
  wrote_rows_ = true;
  counts_.inserted += batch.inserted;
  counts_.updated += batch.updated;
  counts_.unchanged += batch.unchanged;
}

void SeedRunner::progress(std::string_view what, int64_t rows, double fraction, double seconds) {
  if (std::chrono::steady_clock::now() - started_ < std::chrono::seconds(1)) return;
  reporter_.progress(what, rows, fraction, seconds);
}

std::string SeedRunner::check_sql(std::string_view sql) {
  if (!options_.protected_env || options_.yes) return {};
  std::string stmt = deleting_statement(sql, session_.dialect().name());
  if (stmt.empty()) return {};
  return fmt::format("refusing to run SQL that deletes rows in the protected environment \"{}\": {}",
                     context_.environment, stmt);
}

Status SeedRunner::validate() {
  std::string problems;
  for (const auto &f : seeds_) {
    auto seed = load_seed(f, lua_, session_.dialect());
    Result<bool> gate = seed && (*seed)->env() ? env_matches(*(*seed)->env(), context_.environment) : true;
    if (!seed) problems += "\n" + seed.error().headline();
    if (seed && !gate) problems += "\n" + (*seed)->env_where() + ": " + gate.error().message;
  }
  if (!problems.empty()) {
    Error e;
    e.exit = Exit::kInvalid;
    e.message = "seed validation failed";
    e.detail = problems.substr(1);
    return e;
  }
  if (!seeds_.empty()) reporter_.note("seeds_valid", fmt::format("{} seed(s) valid", seeds_.size()));
  return {};
}

Result<std::vector<SeedStatus>> SeedRunner::status() {
  auto records = history_.load(kKindSeed);
  if (!records) return records.status();
  std::map<std::string, const HistoryRecord *> by_name;
  for (const auto &r : *records) by_name[r.version] = &r;
  std::vector<SeedStatus> out;
  for (const auto &f : seeds_) {
    SeedStatus st{&f, f.name, "pending", {}};
    auto rec = by_name.find(f.name);
    auto seed = load_seed(f, lua_, session_.dialect());
    Result<bool> match = seed && (*seed)->env() ? env_matches(*(*seed)->env(), context_.environment) : true;
    if (!seed || !match) {
      reporter_.warn(seed ? match.error().headline() : seed.error().headline());
    } else if (!*match) {
      st.state = "skipped (env)";
    } else if (rec != by_name.end()) {
      st.state = rec->second->checksum == (*seed)->checksum() ? "applied" : "changed";
    }
    if (rec != by_name.end()) {
      st.applied_at = rec->second->applied_at;
      by_name.erase(rec);
    }
    out.push_back(std::move(st));
  }
  for (const auto &[name, r] : by_name) out.push_back(SeedStatus{nullptr, name, "missing", r->applied_at});
  return out;
}

}  // namespace tide
