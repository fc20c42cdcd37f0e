// The runner's hook calls over the in-memory fake database (the order of events and
// SPEC §6's failure rules), and run_process (tide.exec's core).
#include <algorithm>
#include <catch2/catch.hpp>

#include "fake_session.h"
#include "migrate/runner.h"
#include "temp_dir.h"
#include "util/process.h"

using namespace tide;
using namespace tide::test;

namespace {

// Records "event version" per call; fails the events named in fail_on.
class RecordingHooks : public Hooks {
 public:
  std::vector<std::string> calls;
  std::vector<std::string> fail_on;
  Status run(HookEvent event, const HookContext &ctx) override {
    std::string name = hook_event_name(event);
    calls.push_back(name + (ctx.item ? " " + ctx.item->version : "") + (ctx.error ? " !" : ""));
    if (std::find(fail_on.begin(), fail_on.end(), name) != fail_on.end())
      return Status::fail(Exit::kFailed, name + " hook failed: boom");
    return {};
  }
};

struct Fixture {
  TempDir dir;
  FakeDb db;
  FakeSession session{db};
  FakeHistory history{db};
  LuaState lua;
  RecordingReporter reporter;
  RecordingHooks hooks;
  Catalog catalog;
  Fixture() { REQUIRE(lua.install_globals("test", nullptr).ok()); }
  void sql(const std::string &file, const std::string &up) {
    dir.write("migrations/" + file, "-- tide:up\n" + up + "\n-- tide:down\nDROP x;\n");
  }
  Status up() {
    auto cat = scan_migrations(dir.path() / "migrations", "migrations");
    REQUIRE(cat.ok());
    catalog = *cat;
    Runner r(session, history, lua, reporter, catalog, {});
    r.set_hooks(hooks);
    return r.up({});
  }
};

}  // namespace

TEST_CASE("hooks: events around up in order, error hooks after a failure") {
  Fixture f;
  f.sql("1_a.sql", "CREATE a;");
  f.sql("2_b.sql", "FAIL b;");
  Status s = f.up();
  REQUIRE_FALSE(s.ok());
  CHECK(f.hooks.calls == std::vector<std::string>{"before_migrate", "before_each 1", "after_each 1", "before_each 2",
                                                  "after_each_error 2 !", "after_migrate_error !"});
  CHECK(f.db.state.history.size() == 1);
}

TEST_CASE("hooks: a failing before_migrate stops the run, no other hook runs") {
  Fixture f;
  f.sql("1_a.sql", "CREATE a;");
  f.hooks.fail_on = {"before_migrate"};
  Status s = f.up();
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().exit == Exit::kFailed);
  CHECK(f.hooks.calls == std::vector<std::string>{"before_migrate"});
  CHECK(f.db.state.executed.empty());
}

TEST_CASE("hooks: a failing error hook keeps the original error") {
  Fixture f;
  f.sql("1_a.sql", "FAIL a;");
  f.hooks.fail_on = {"after_migrate_error"};
  Status s = f.up();
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().message.find("after_migrate_error") == std::string::npos);
  CHECK(s.error().detail.find("the after_migrate_error hook failed too: after_migrate_error hook failed: boom") !=
        std::string::npos);
}

TEST_CASE("hooks: a failing after_migrate fails the run without the error hook") {
  Fixture f;
  f.sql("1_a.sql", "CREATE a;");
  f.hooks.fail_on = {"after_migrate"};
  Status s = f.up();
  REQUIRE_FALSE(s.ok());
  CHECK(f.hooks.calls.back() == "after_migrate");
  CHECK(f.db.state.history.size() == 1);
}

TEST_CASE("hooks: ctx.applied is kept for hooks, and not kept without any") {
  HookItem a;
  a.version = "1";
  RecordingHooks some;
  HookedRun with(some, HookedRun::kMigrate);
  REQUIRE(with.begin().ok());
  REQUIRE(with.after_each(a).ok());
  CHECK(with.done().size() == 1);
  // Nothing would read the list: a thousand-migration run does not grow it.
  NoHooks none;
  HookedRun without(none, HookedRun::kMigrate);
  REQUIRE(without.begin().ok());
  REQUIRE(without.after_each(a).ok());
  CHECK(without.done().empty());
}

TEST_CASE("run_process: output, exit code, input, missing command, timeout") {
  ProcessSpec spec;
  spec.argv = {"sh", "-c", "read x; echo out:$x; echo err >&2; exit 7"};
  spec.input = "in\n";
  auto r = run_process(spec);
  REQUIRE(r.ok());
  CHECK(r->code == 7);
  CHECK(r->out == "out:in\n");
  CHECK(r->err == "err\n");

  spec = {};
  spec.argv = {"tide-no-such-command-xyz"};
  auto missing = run_process(spec);
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().message == "command not found: tide-no-such-command-xyz");

  spec = {};
  spec.argv = {"sh", "-c", "trap '' TERM; sleep 20"};
  spec.timeout_ms = 200;
  spec.kill_grace_ms = 200;  // it ignores SIGTERM: SIGKILL follows
  auto slow = run_process(spec);
  REQUIRE(slow.ok());
  CHECK(slow->timed_out);
  CHECK(slow->signal != 0);
}
