// Output is the one place tide prints, so it is where secrets are masked: every text
// line, JSON value and error field, on stdout and on stderr.
#include "cli/output.h"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <functional>

#include "temp_dir.h"
#include "util/text.h"

using namespace tide;

namespace {

struct Printed {
  std::string out, err;
};

// Runs fn with stdout and stderr redirected (dup2) to files, and returns what it printed.
Printed capture(const std::function<void()> &fn) {
  test::TempDir dir;
  auto redirect = [&](std::FILE *stream, const char *name) {
    std::fflush(stream);
    int saved = ::dup(::fileno(stream));
    std::FILE *file = std::fopen((dir.path() / name).c_str(), "w");
    ::dup2(::fileno(file), ::fileno(stream));
    std::fclose(file);
    return saved;
  };
  auto restore = [](std::FILE *stream, int saved) {
    std::fflush(stream);
    ::dup2(saved, ::fileno(stream));
    ::close(saved);
  };
  int saved_out = redirect(stdout, "out");
  int saved_err = redirect(stderr, "err");
  fn();
  restore(stdout, saved_out);
  restore(stderr, saved_err);
  return {read_file(dir.path() / "out").value(), read_file(dir.path() / "err").value()};
}

Error error_with(const std::string &secret) {
  Error e;
  e.message = "cannot connect: password " + secret + " rejected";
  e.where = "postgres://u:" + secret + "@h/db";
  e.code = "SQLSTATE 28P01";
  e.detail = "detail " + secret;
  e.hint = "hint " + secret;
  e.traceback = "traceback " + secret;
  return e;
}

bool has(const std::string &text, std::string_view part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("output masks secrets in text mode") {
  Output out(OutputOptions{});
  out.add_secret("s3cretpw");
  auto p = capture([&] {
    out.error(error_with("s3cretpw"));
    out.event("run", {{"database", "x:s3cretpw"}}, "database x:s3cretpw");
    out.info("info s3cretpw");
    out.warn("warn s3cretpw");
    out.log("info", "log s3cretpw");
  });
  CHECK_FALSE(has(p.out, "s3cretpw"));
  CHECK_FALSE(has(p.err, "s3cretpw"));
  // Masked, not dropped: the rest of each message is still there.
  CHECK(has(p.err, "error: postgres://u:***@h/db: cannot connect: password *** rejected"));
  CHECK(has(p.err, "  detail ***"));
  CHECK(has(p.err, "  traceback ***"));
  CHECK(has(p.err, "hint: hint ***"));
  CHECK(has(p.err, "warning: warn ***"));
  CHECK(has(p.out, "database x:***"));
  CHECK(has(p.out, "info ***"));
  CHECK(has(p.out, "log ***"));
}

TEST_CASE("output masks secrets in JSON values, never in keys") {
  Output out(OutputOptions{.json = true});
  out.add_secret("s3cretpw");
  out.add_secret("message");  // a secret that is also a key name leaves the JSON valid
  auto p = capture([&] {
    out.error(error_with("s3cretpw"));
    out.event("run", {{"database", "x:s3cretpw"}}, "");
  });
  CHECK_FALSE(has(p.out, "s3cretpw"));
  CHECK_FALSE(has(p.err, "s3cretpw"));
  CHECK(has(p.out, "{\"event\":\"error\",\"message\":\"cannot connect: password *** rejected\""));
  CHECK(has(p.out, "\"where\":\"postgres://u:***@h/db\""));
  CHECK(has(p.out, "\"detail\":\"detail ***\""));
  CHECK(has(p.out, "\"hint\":\"hint ***\""));
  CHECK(has(p.out, "{\"event\":\"run\",\"database\":\"x:***\"}"));
}

TEST_CASE("output masks the raw and decoded forms of a URL's password") {
  Output out(OutputOptions{});
  for (const auto &s : url_password("mysql://u:p%40ssw0rd@h/db")) out.add_secret(s);
  auto p = capture([&] { out.info("raw p%40ssw0rd, decoded p@ssw0rd"); });
  CHECK(p.out == "raw ***, decoded ***\n");
}

TEST_CASE("output ignores very short secrets and masks the longest first") {
  Output out(OutputOptions{});
  out.add_secret("");
  out.add_secret("ab");
  out.add_secret("secret");
  out.add_secret("secret123");
  auto p = capture([&] { out.info("ab secret123 secret"); });
  CHECK(p.out == "ab *** ***\n");
}

TEST_CASE("tracebacks show the user's frames, not tide's own, unless --verbose") {
  Error e;
  e.where = "migrations/001_x.lua:4";
  e.message = "no such table: userz";
  e.traceback =
      "stack traceback:\n\t[C]: in function 'error'\n\ttide/db.lua:24: in function 'raise'\n"
      "\ttide/db.lua:43: in function 'scalar'\n\tmigrations/001_x.lua:4: in function <migrations/001_x.lua:2>";
  Printed plain = capture([&] { Output({}).error(e); });
  CHECK(has(plain.err, "migrations/001_x.lua:4: in function"));
  CHECK_FALSE(has(plain.err, "tide/db.lua"));
  CHECK_FALSE(has(plain.err, "in function 'error'"));
  OutputOptions verbose;
  verbose.verbose = true;
  Printed full = capture([&] { Output(verbose).error(e); });
  CHECK(has(full.err, "tide/db.lua:24"));
}

TEST_CASE("output: a seed's line carries its row counts; SQL seeds have none") {
  MigrationFile f;
  f.version = f.name = "010_roles";
  f.display = "seeds/010_roles.lua";
  UpsertCounts c;
  c.inserted = 2, c.updated = 1, c.unchanged = 1234;
  Output text(OutputOptions{});
  auto p = capture([&] {
    text.seed_begin(f);
    text.seed_end(f, &c, 7);
    text.seed_end(f, nullptr, 3);
  });
  CHECK(p.out == "seed 010_roles ... done (2 inserted, 1 updated, 1234 unchanged; 7 ms)\nseed 010_roles done (3 ms)\n");
  OutputOptions o;
  o.json = true;
  Output json(o);
  p = capture([&] { json.seed_end(f, &c, 7); });
  CHECK(p.out ==
        "{\"event\":\"seeded\",\"name\":\"010_roles\",\"file\":\"seeds/010_roles.lua\",\"duration_ms\":7,"
        "\"inserted\":2,\"updated\":1,\"unchanged\":1234}\n");
}

TEST_CASE("output: the transient line is drawn in place and erased before the next output") {
  OutputOptions tty;
  tty.terminal = true;
  Output term(tty);
  auto p = capture([&] {
    term.progress("waiting (0.1 s): connection refused");
    term.progress("waiting (0.3 s): connection refused");
    term.info("database ready");
    term.progress_end();  // nothing left to erase
  });
  CHECK(p.out ==
        "\r\033[Kwaiting (0.1 s): connection refused\r\033[Kwaiting (0.3 s): connection refused\r\033[K"
        "database ready\n");
  Output plain(OutputOptions{});
  p = capture([&] {
    plain.progress("waiting (0.1 s): connection refused");
    plain.progress_end();
  });
  CHECK(p.out.empty());
}

TEST_CASE("output: progress is one redrawn line on a terminal, throttled plain lines otherwise") {
  OutputOptions tty;
  tty.terminal = true;
  Output term(tty);
  auto p = capture([&] {
    term.progress("users", 1500000, 0.5, 10.0);
    term.progress("users", 1600000, 0.6, 10.5);  // within 100 ms of the last: not shown
    term.progress_end();
  });
  CHECK(p.out == "\r\033[K  users: 1,500,000 rows (50%) · 150,000 rows/s · ETA 10s\r\033[K");
  Output plain(OutputOptions{});
  p = capture([&] {
    plain.progress("data.csv", 1000, -1, 2.0);
    plain.progress("data.csv", 2000, -1, 3.0);  // within 5 s: not shown
  });
  CHECK(p.out == "  data.csv: 1,000 rows · 500 rows/s\n");
}
