// The runner over the in-memory fake database: ordering, transactions with their
// history rows, dirty records, refusals, and the lock.
#include "migrate/runner.h"

#include <algorithm>
#include <catch2/catch.hpp>

#include "fake_session.h"
#include "temp_dir.h"

using namespace tide;
using namespace tide::test;

namespace {

struct Fixture {
  TempDir dir;
  FakeDb db;
  FakeSession session{db};
  FakeHistory history{db};
  LuaState lua;
  RecordingReporter reporter;
  Catalog catalog;

  Fixture() { REQUIRE(lua.install_globals("test", nullptr).ok()); }

  void sql(const std::string &file, const std::string &up, const std::string &down = "",
           const std::string &extra = "") {
    std::string text = extra + "-- tide:up\n" + up + "\n";
    if (!down.empty()) text += "-- tide:down\n" + down + "\n";
    dir.write("migrations/" + file, text);
  }
  Runner runner(RunContext ctx = {}) { return runner(history, ctx); }
  // A runner over another history (one that can write several rows at once, say).
  Runner runner(History &other, RunContext ctx = {}) {
    auto cat = scan_migrations(dir.path() / "migrations", "migrations");
    REQUIRE(cat.ok());
    catalog = *cat;
    return Runner(session, other, lua, reporter, catalog, ctx);
  }
  bool ran(const std::string &stmt) const {
    const auto &e = db.state.executed;
    return std::find(e.begin(), e.end(), stmt) != e.end();
  }
};

}  // namespace

TEST_CASE("up applies pending migrations in version order, each with its history row") {
  Fixture f;
  f.sql("10_c.sql", "CREATE c;", "DROP c;");
  f.sql("9_b.sql", "CREATE b;", "DROP b;");
  f.sql("1_a.sql", "CREATE a;", "DROP a;");
  REQUIRE(f.runner().up({}).ok());
  CHECK(f.db.state.executed == std::vector<std::string>{"CREATE a", "CREATE b", "CREATE c"});
  REQUIRE(f.db.state.history.size() == 3);
  CHECK(f.db.state.history["9"].status == "applied");
  CHECK(f.db.state.history["9"].checksum.size() == 64);
  CHECK(f.db.state.history["9"].environment == "development");
  CHECK(f.db.commits == 3);  // one transaction per migration
}

TEST_CASE("up --step and --to limit what is applied") {
  Fixture f;
  f.sql("1_a.sql", "CREATE a;", "DROP a;");
  f.sql("2_b.sql", "CREATE b;", "DROP b;");
  f.sql("3_c.sql", "CREATE c;", "DROP c;");
  UpOptions step;
  step.step = 1;
  REQUIRE(f.runner().up(step).ok());
  CHECK(f.db.state.history.size() == 1);
  UpOptions to;
  to.to = "2";
  REQUIRE(f.runner().up(to).ok());
  CHECK(f.db.state.history.size() == 2);
  CHECK_FALSE(f.ran("CREATE c"));
  UpOptions bad;
  bad.to = "7";
  Status s = f.runner().up(bad);
  CHECK(s.error().exit == Exit::kUsage);
}

TEST_CASE("a failing transactional migration leaves neither its changes nor a record") {
  Fixture f;
  f.sql("1_a.sql", "CREATE a;", "DROP a;");
  f.sql("2_b.sql", "CREATE b;\nINSERT FAIL;", "DROP b;");
  f.sql("3_c.sql", "CREATE c;", "DROP c;");
  Status s = f.runner().up({});
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().exit == Exit::kFailed);
  CHECK(s.error().where == "migrations/2_b.sql:3");  // the failing statement's line
  CHECK(s.error().detail.find("statement 2") != std::string::npos);
  CHECK(f.ran("CREATE a"));
  CHECK_FALSE(f.ran("CREATE b"));
  CHECK_FALSE(f.ran("CREATE c"));
  CHECK(f.db.state.history.count("1") == 1);
  CHECK(f.db.state.history.count("2") == 0);
}

TEST_CASE("a non-transactional migration is recorded dirty first and stops later runs when it fails") {
  Fixture f;
  f.sql("1_a.sql", "CREATE a;\nINDEX FAIL;", "DROP a;", "-- tide:no-transaction\n");
  Status s = f.runner().up({});
  REQUIRE_FALSE(s.ok());
  CHECK(f.ran("CREATE a"));  // no transaction: the first statement stays
  REQUIRE(f.db.state.history.count("1") == 1);
  CHECK(f.db.state.history["1"].status == "dirty");
  CHECK(f.db.state.history["1"].error.find("fake failure") != std::string::npos);

  Status again = f.runner().up({});
  CHECK(again.error().exit == Exit::kInvalid);
  CHECK(again.error().message.find("dirty") != std::string::npos);
  CHECK(again.error().hint.find("tide resolve 1") != std::string::npos);

  REQUIRE(f.runner().resolve("1", true).ok());
  CHECK(f.db.state.history["1"].status == "applied");
}

TEST_CASE("without transactional DDL every migration is recorded dirty, then applied") {
  Fixture f;
  f.db.transactional_ddl = false;
  f.sql("1_a.sql", "CREATE a;", "DROP a;");
  REQUIRE(f.runner().up({}).ok());
  CHECK(f.db.state.history["1"].status == "applied");
  CHECK(f.db.commits == 0);  // no BEGIN/COMMIT around DDL that would commit anyway
}

TEST_CASE("without transactional DDL, dirty-then-applied costs one history commit per migration") {
  Fixture f;
  f.db.transactional_ddl = false;
  f.sql("1_a.sql", "CREATE a;");
  f.sql("2_b.sql", "CREATE b;");
  f.sql("3_c.sql", "CREATE c;");
  REQUIRE(f.runner().up({}).ok());
  for (const char *v : {"1", "2", "3"}) CHECK(f.db.state.history[v].status == "applied");
  // 1 dirty; {1 applied + 2 dirty}; {2 applied + 3 dirty}; 3 applied. The wrapped
  // limit (each migration's statements, then its history insert) costs 3.
  CHECK(f.db.commits + f.db.autocommits == 4);
  CHECK(f.db.commits == 2);
}

namespace {

// A history that writes several rows in one statement (the driver's upsert): one commit
// each, without BEGIN/COMMIT. put_then_exec is logged, "rows | script" per call; a carried
// write of at least refuse_from rows is refused before its script, one of at least
// lose_from rows loses the connection (0: never).
class PuttingHistory : public FakeHistory {
 public:
  PuttingHistory(FakeDb &db) : FakeHistory(db), db_(db) {}
  bool can_put() const override { return true; }
  Status put(std::span<const HistoryRecord> rows) override {
    if (!db_.in_tx) ++db_.autocommits;
    for (const HistoryRecord &r : rows) db_.state.history[r.version] = r;
    ++puts;
    return {};
  }
  Status put_then_exec(std::span<const HistoryRecord> rows, Session &session, std::string_view script,
                       Session::Stage &stage) override {
    std::string call;
    for (const HistoryRecord &r : rows) call += r.version + " " + r.status + ", ";
    carried.push_back(call + "| " + std::string(script.substr(0, script.find('\n'))));
    if (lose_from && rows.size() >= lose_from) {
      stage = Session::Stage::kUnknown;
      return Status::fail(Exit::kFailed, "server has gone away");
    }
    if (refuse_from && rows.size() >= refuse_from) {
      stage = Session::Stage::kNone;
      return Status::fail(Exit::kFailed, "history write refused");
    }
    return History::put_then_exec(rows, session, script, stage);
  }
  int puts = 0;
  std::vector<std::string> carried;
  size_t refuse_from = 0, lose_from = 0;

 private:
  FakeDb &db_;
};

}  // namespace

TEST_CASE("with upsert, the applied and dirty marks share one statement and no transaction") {
  Fixture f;
  f.db.transactional_ddl = false;
  PuttingHistory history(f.db);
  f.sql("1_a.sql", "CREATE a;");
  f.sql("2_b.sql", "CREATE b;");
  f.sql("3_c.sql", "CREATE c;");
  Runner r = f.runner(history);
  REQUIRE(r.up({}).ok());
  for (const char *v : {"1", "2", "3"}) CHECK(f.db.state.history[v].status == "applied");
  // put {1 dirty}; put {1 applied, 2 dirty}; put {2 applied, 3 dirty}; 3 applied.
  CHECK(history.puts == 3);
  CHECK(f.db.commits == 0);
  CHECK(f.db.autocommits == 4);
}

TEST_CASE("with upsert, each SQL migration's dirty mark travels with its first statement") {
  Fixture f;
  f.db.transactional_ddl = false;
  PuttingHistory history(f.db);
  f.sql("1_a.sql", "CREATE a;");
  f.sql("2_b.sql", "CREATE b;\nCREATE b2;");
  f.dir.write("migrations/3_c.lua", "return { up = function(db) db:exec('CREATE c') end }");
  f.sql("4_d.sql", "CREATE d;");
  Runner r = f.runner(history);
  REQUIRE(r.up({}).ok());
  // The Lua migration's mark is written on its own before its up runs (its Lua code and
  // tide.exec could act before any db call); 4's carries 3's applied mark.
  CHECK(history.carried == std::vector<std::string>{"1 dirty, | CREATE a;", "1 applied, 2 dirty, | CREATE b;",
                                                    "3 applied, 4 dirty, | CREATE d;"});
  CHECK(history.puts == 4);  // three carried, and {2 applied, 3 dirty} alone
  for (const char *v : {"1", "2", "3", "4"}) CHECK(f.db.state.history[v].status == "applied");
  CHECK(f.ran("CREATE b2"));
}

TEST_CASE("with upsert, a history write that fails keeps the migration from starting") {
  Fixture f;
  f.db.transactional_ddl = false;
  PuttingHistory history(f.db);
  f.sql("1_a.sql", "CREATE a;");
  f.sql("2_b.sql", "CREATE b;");
  Runner r = f.runner(history);
  history.refuse_from = 1;
  Status s = r.up({});
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().message == "history write refused");
  CHECK_FALSE(f.ran("CREATE a"));
  CHECK(f.db.state.history.count("1") == 0);  // not started: nothing to mark dirty
}

TEST_CASE("with upsert, a carried write that fails still leaves the previous migration applied") {
  Fixture f;
  f.db.transactional_ddl = false;
  PuttingHistory history(f.db);
  f.sql("1_a.sql", "CREATE a;");
  f.sql("2_b.sql", "CREATE b;");
  history.refuse_from = 2;  // the write carrying 1's applied mark with 2's dirty one
  Runner r = f.runner(history);
  Status s = r.up({});
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().message == "history write refused");
  CHECK_FALSE(f.ran("CREATE b"));
  CHECK(f.db.state.history.count("2") == 0);
  CHECK(f.db.state.history["1"].status == "applied");  // written on its own when the run ended
}

TEST_CASE("with upsert, a dirty-first down carries its dirty mark too") {
  Fixture f;
  f.db.transactional_ddl = false;
  PuttingHistory history(f.db);
  f.sql("1_a.sql", "CREATE a;", "DROP a;");
  Runner r = f.runner(history);
  REQUIRE(r.up({}).ok());
  REQUIRE(r.down({}).ok());
  CHECK(history.carried == std::vector<std::string>{"1 dirty, | CREATE a;", "1 dirty, | DROP a;"});
  CHECK(f.ran("DROP a"));
  CHECK(f.db.state.history.count("1") == 0);
}

TEST_CASE("with upsert, a connection lost with the carried dirty mark says what may have happened") {
  Fixture f;
  f.db.transactional_ddl = false;
  PuttingHistory history(f.db);
  f.sql("1_a.sql", "CREATE a;");
  f.sql("2_b.sql", "CREATE b;");
  Runner r = f.runner(history);
  UpOptions to1;
  to1.to = "1";
  REQUIRE(r.up(to1).ok());  // 1 applied; the next run starts with no mark pending
  history.lose_from = 1;
  Status s = r.up({});
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().detail.find("whether 2 started is not known") != std::string::npos);
  CHECK(s.error().hint.find("`tide status`") != std::string::npos);
  CHECK(s.error().hint.find("`tide resolve 2 --applied`") != std::string::npos);
}

TEST_CASE("with upsert, a connection lost after the previous migration names its applied mark too") {
  Fixture f;
  f.db.transactional_ddl = false;
  PuttingHistory history(f.db);
  f.sql("1_a.sql", "CREATE a;");
  f.sql("2_b.sql", "CREATE b;");
  history.lose_from = 2;  // on 2's carried write, which holds 1's applied mark too
  Runner r = f.runner(history);
  Status s = r.up({});
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().hint.find("`tide resolve 1 --applied`") != std::string::npos);
  CHECK(s.error().detail.find("recording it applied failed") == std::string::npos);  // not written again
  CHECK(f.db.state.history["1"].status == "dirty");  // its applied mark was never confirmed
}

TEST_CASE("up in a single transaction writes the history rows in one statement when it can") {
  Fixture f;
  PuttingHistory history(f.db);
  f.sql("1_a.sql", "CREATE a;");
  f.sql("2_b.sql", "CREATE b;");
  f.sql("3_c.sql", "CREATE c;");
  Runner r = f.runner(history);
  UpOptions o;
  o.single_transaction = true;
  REQUIRE(r.up(o).ok());
  for (const char *v : {"1", "2", "3"}) CHECK(f.db.state.history[v].status == "applied");
  CHECK(history.puts == 1);  // one write for the three rows, inside the transaction
  CHECK(f.db.commits == 1);
}

TEST_CASE("without transactional DDL, a failure after an applied one leaves that one applied") {
  Fixture f;
  f.db.transactional_ddl = false;
  f.sql("1_a.sql", "CREATE a;");
  f.sql("2_b.sql", "CREATE b;\nCREATE FAIL;");
  REQUIRE_FALSE(f.runner().up({}).ok());
  CHECK(f.db.state.history["1"].status == "applied");
  CHECK(f.db.state.history["2"].status == "dirty");
}

TEST_CASE("without transactional DDL, a migration that only changes rows runs in a transaction") {
  Fixture f;
  f.db.transactional_ddl = false;
  f.sql("1_a.sql", "CREATE a;");
  f.sql("2_rows.sql", "INSERT INTO a VALUES (1);\nUPDATE a SET x = 2;\nSET @n = 3;");
  f.sql("3_bad.sql", "INSERT INTO a VALUES (2);\nDELETE FAIL;");
  Status s = f.runner().up({});
  REQUIRE_FALSE(s.ok());
  CHECK(f.db.state.history["1"].status == "applied");  // its mark rode in 2's transaction
  CHECK(f.db.state.history["2"].status == "applied");
  CHECK(f.ran("UPDATE a SET x = 2"));
  // 3 rolled back whole: no dirty row, none of its statements kept.
  CHECK(f.db.state.history.count("3") == 0);
  CHECK_FALSE(f.ran("INSERT INTO a VALUES (2)"));
  CHECK(s.error().detail.find("rolled back") != std::string::npos);
}

TEST_CASE("without transactional DDL, DDL or a session SET keeps a migration dirty-first") {
  Fixture f;
  f.db.transactional_ddl = false;
  f.sql("1_mixed.sql", "INSERT INTO a VALUES (1);\nALTER FAIL;");
  f.sql("2_set.sql", "SET autocommit = 1;");
  REQUIRE_FALSE(f.runner().up({}).ok());
  CHECK(f.ran("INSERT INTO a VALUES (1)"));  // committed: no transaction to roll back
  CHECK(f.db.state.history["1"].status == "dirty");
}

TEST_CASE("up --single-transaction is all or nothing, and refuses non-transactional files") {
  Fixture f;
  f.sql("1_a.sql", "CREATE a;", "DROP a;");
  f.sql("2_b.sql", "CREATE b;", "DROP b;");
  f.sql("3_c.sql", "FAIL c;", "DROP c;");
  UpOptions single;
  single.single_transaction = true;
  Status s = f.runner().up(single);
  REQUIRE_FALSE(s.ok());
  CHECK(f.db.state.executed.empty());
  CHECK(f.db.state.history.empty());

  f.sql("3_c.sql", "CREATE c;", "DROP c;", "-- tide:no-transaction\n");
  s = f.runner().up(single);
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().exit == Exit::kUsage);
  CHECK(s.error().message.find("migrations/3_c.sql") != std::string::npos);
  CHECK(f.db.state.history.empty());
}

TEST_CASE("a changed applied migration is refused until repair accepts it") {
  Fixture f;
  f.sql("1_a.sql", "CREATE a;", "DROP a;");
  REQUIRE(f.runner().up({}).ok());
  f.sql("1_a.sql", "CREATE a2;", "DROP a;");
  f.sql("2_b.sql", "CREATE b;", "DROP b;");
  Status s = f.runner().up({});
  CHECK(s.error().exit == Exit::kInvalid);
  CHECK(s.error().message.find("migrations/1_a.sql") != std::string::npos);
  CHECK_FALSE(f.ran("CREATE b"));
  REQUIRE(f.runner().repair().ok());
  REQUIRE(f.runner().up({}).ok());
  CHECK(f.ran("CREATE b"));
}

TEST_CASE("an older pending migration after newer applied ones is refused unless allowed") {
  Fixture f;
  f.sql("2_b.sql", "CREATE b;", "DROP b;");
  REQUIRE(f.runner().up({}).ok());
  f.sql("1_a.sql", "CREATE a;", "DROP a;");
  Status s = f.runner().up({});
  CHECK(s.error().exit == Exit::kInvalid);
  CHECK(s.error().message.find("migrations/1_a.sql") != std::string::npos);
  UpOptions allow;
  allow.allow_out_of_order = true;
  REQUIRE(f.runner().up(allow).ok());
  CHECK(f.ran("CREATE a"));
}

TEST_CASE("down reverts the latest, checks every down before reverting anything") {
  Fixture f;
  f.sql("1_a.sql", "CREATE a;");  // no down
  f.sql("2_b.sql", "CREATE b;", "DROP b;");
  f.sql("3_c.sql", "CREATE c;", "DROP c;");
  REQUIRE(f.runner().up({}).ok());
  REQUIRE(f.runner().down({}).ok());
  CHECK(f.ran("DROP c"));
  CHECK(f.db.state.history.count("3") == 0);

  DownOptions all;
  all.all = true;
  Status s = f.runner().down(all);
  CHECK(s.error().exit == Exit::kInvalid);
  CHECK(s.error().message.find("1_a.sql") != std::string::npos);
  CHECK_FALSE(f.ran("DROP b"));  // nothing reverted
  CHECK(f.db.state.history.size() == 2);

  DownOptions to;
  to.to = "1";
  REQUIRE(f.runner().down(to).ok());
  CHECK(f.ran("DROP b"));
  CHECK(f.db.state.history.size() == 1);
}

TEST_CASE("redo reverts and re-applies the latest migration") {
  Fixture f;
  f.sql("1_a.sql", "CREATE a;", "DROP a;");
  REQUIRE(f.runner().up({}).ok());
  REQUIRE(f.runner().redo().ok());
  CHECK(f.db.state.executed == std::vector<std::string>{"CREATE a", "DROP a", "CREATE a"});
  CHECK(f.db.state.history.count("1") == 1);
}

TEST_CASE("a lock held elsewhere ends the run with exit 4 and touches nothing") {
  Fixture f;
  f.sql("1_a.sql", "CREATE a;", "DROP a;");
  f.db.locked_by_other = true;
  RunContext ctx;
  ctx.lock_timeout_ms = 10;
  Status s = f.runner(ctx).up({});
  CHECK(s.error().exit == Exit::kLocked);
  CHECK(s.error().hint.find("--lock-timeout") != std::string::npos);
  CHECK(f.db.state.executed.empty());
}

TEST_CASE("baseline marks files up to V applied on an unmanaged database, once") {
  Fixture f;
  f.sql("1_a.sql", "CREATE a;", "DROP a;");
  f.sql("2_b.sql", "CREATE b;", "DROP b;");
  f.sql("3_c.sql", "CREATE c;", "DROP c;");
  REQUIRE(f.runner().baseline("2").ok());
  CHECK(f.db.state.history.size() == 2);
  CHECK(f.db.state.executed.empty());
  CHECK(f.runner().baseline("2").error().exit == Exit::kInvalid);
  REQUIRE(f.runner().up({}).ok());
  CHECK(f.db.state.executed == std::vector<std::string>{"CREATE c"});
}

TEST_CASE("env gates skip migrations without recording them") {
  Fixture f;
  f.sql("1_a.sql", "CREATE a;", "DROP a;", "-- tide:env production\n");
  f.sql("2_b.sql", "CREATE b;", "DROP b;", "-- tide:env !production\n");
  REQUIRE(f.runner().up({}).ok());
  CHECK_FALSE(f.ran("CREATE a"));
  CHECK(f.ran("CREATE b"));
  CHECK(f.db.state.history.count("1") == 0);
  CHECK(std::find(f.reporter.lines.begin(), f.reporter.lines.end(), "skip 1") != f.reporter.lines.end());
}

TEST_CASE("Lua migrations run up and down with the db object") {
  Fixture f;
  f.dir.write("migrations/1_a.lua", R"(return {
  up = function(db) db:exec("CREATE a; CREATE a2") end,
  down = function(db) db:exec("DROP a") end,
})");
  f.dir.write("migrations/2_b.lua", R"(return {
  transaction = false,
  up = function(db)
    db:exec("CREATE b")
    error("boom")
  end,
})");
  Status s = f.runner().up({});
  REQUIRE_FALSE(s.ok());
  CHECK(f.ran("CREATE a"));
  CHECK(f.ran("CREATE a2"));
  CHECK(f.ran("CREATE b"));
  INFO(s.error().message);
  CHECK(s.error().message.find("migrations/2_b.lua:5: boom") != std::string::npos);
  CHECK(s.error().traceback.find("migrations/2_b.lua:5") != std::string::npos);
  CHECK(f.db.state.history["2"].status == "dirty");
}

TEST_CASE("status says which pending migrations the env gate skips") {
  Fixture f;
  f.sql("1_a.sql", "CREATE a;", "DROP a;", "-- tide:env production\n");
  f.sql("2_b.sql", "CREATE b;", "DROP b;");
  auto ov = f.runner().status();
  REQUIRE(ov.ok());
  CHECK(ov->entries[0].state == State::kSkipped);
  CHECK(ov->entries[1].state == State::kPending);
  CHECK(std::string(state_name(State::kSkipped)) == "skipped (env)");
}

TEST_CASE("a file that does not load, or a bad gate, stops up before anything is applied") {
  Fixture f;
  f.sql("1_a.sql", "CREATE a;", "DROP a;");
  f.sql("2_b.sql", "CREATE b;", "DROP b;", "-- a comment\n-- tide:env (production\n");
  Status s = f.runner().up({});
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().exit == Exit::kInvalid);
  CHECK(s.error().where == "migrations/2_b.sql:2");
  CHECK(f.db.state.executed.empty());

  f.sql("2_b.sql", "CREATE b;", "DROP b;");
  f.dir.write("migrations/3_c.lua", "return {");
  s = f.runner().up({});
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().exit == Exit::kInvalid);
  CHECK(s.error().message.find("migrations/3_c.lua") != std::string::npos);
  CHECK(f.db.state.executed.empty());
}

TEST_CASE("up --step counts only migrations that run, not ones the env gate skips") {
  Fixture f;
  f.sql("1_a.sql", "CREATE a;", "DROP a;", "-- tide:env production\n");
  f.sql("2_b.sql", "CREATE b;", "DROP b;");
  f.sql("3_c.sql", "CREATE c;", "DROP c;");
  UpOptions one;
  one.step = 1;
  REQUIRE(f.runner().up(one).ok());
  CHECK(f.db.state.executed == std::vector<std::string>{"CREATE b"});
}

TEST_CASE("a migration that ends tide's transaction itself is recorded dirty, not reported rolled back") {
  Fixture f;
  f.sql("1_a.sql", "CREATE a;\nCOMMIT;\nCREATE b;", "DROP a;");
  Status s = f.runner().up({});
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().exit == Exit::kFailed);
  CHECK(s.error().message.find("ended tide's transaction") != std::string::npos);
  CHECK(s.error().detail.find("rolled back") == std::string::npos);
  REQUIRE(f.db.state.history.count("1") == 1);
  CHECK(f.db.state.history["1"].status == "dirty");
  CHECK(f.runner().up({}).error().message.find("dirty") != std::string::npos);
}
