// The dump member (ABI 1.1, `tide dump`): any driver that has it writes a schema holding
// what was just created and no rows, and stops when the host's writer fails. A driver
// that cannot dump here (no dump tool installed) returns TIDE_EUNSUPPORTED and says why.
#include <cstring>

#include "harness.h"

using namespace conformance;

namespace {

bool has_dump(const tide_driver *d) {
  return d->struct_size >= offsetof(tide_driver, dump) + sizeof d->dump && d->dump != nullptr;
}

// What dump() wrote. The callback runs inside the plugin: no REQUIRE (no exception) there.
struct Sink {
  std::string text;
  int calls = 0;
  int stop_after = -1;  // return non-zero on this call (0-based); -1 never
};

int collect(void *user, const char *data, size_t len) {
  auto *sink = static_cast<Sink *>(user);
  if (sink->calls++ == sink->stop_after) return 1;
  sink->text.append(data, len);
  return 0;
}

// Runs dump into sink; true when the driver dumped, false when it may not here (after
// checking it said why).
bool dump_into(Conn &c, Sink &sink, int *rc_out = nullptr) {
  int rc = c.driver()->dump(c.get(), collect, &sink);
  if (rc_out) *rc_out = rc;
  if (rc != TIDE_EUNSUPPORTED) return true;
  const tide_error &e = c.error();
  INFO("a driver that cannot dump must say why in its error message");
  REQUIRE(e.message != nullptr);
  CHECK(std::strlen(e.message) > 0);
  WARN("dump is unsupported here: " << e.message);
  return false;
}

}  // namespace

TEST_CASE("dump: succeeds, or says why it cannot", "[conformance][dump]") {
  const Plugin &p = configured_plugin();
  if (!has_dump(p.driver)) {
    WARN(p.path << " has no dump member (ABI " << p.driver->abi_major << "." << p.driver->abi_minor << ")");
    return;
  }
  Conn c(p);
  Sink sink;
  int rc = TIDE_OK;
  if (!dump_into(c, sink, &rc)) return;
  INFO(c.describe_error());
  CHECK(rc == TIDE_OK);
}

TEST_CASE("dump: the schema holds a new table and its index, and no rows", "[conformance][dump]") {
  const Plugin &p = configured_plugin();
  if (!has_dump(p.driver)) return;  // said once, above
  Session s(p);
  const std::string table_name = unique_prefix() + "dumped";
  const std::string index_name = unique_prefix() + "dumped_label";
  const std::string table = s.table("dumped");
  const std::string int_type = dialect(p.driver).int_type, text_type = dialect(p.driver).text_type;
  s.conn().exec_ok("CREATE TABLE " + table + " (id " + int_type + " PRIMARY KEY, label " + text_type + ")");
  // MySQL cannot index a TEXT column without a prefix length: the index is on id.
  s.conn().exec_ok("CREATE INDEX " + quote_ident(p.driver, index_name) + " ON " + table + " (id)");
  s.conn().exec_ok("INSERT INTO " + table + " (id, label) VALUES (1, 'tide-conformance-row-marker')");

  Sink sink;
  int rc = TIDE_OK;
  if (!dump_into(s.conn(), sink, &rc)) return;
  INFO(s.conn().describe_error());
  REQUIRE(rc == TIDE_OK);
  INFO("dump:\n" << sink.text);
  CHECK(sink.text.find(table_name) != std::string::npos);
  CHECK(sink.text.find(index_name) != std::string::npos);
  CHECK(sink.text.find("tide-conformance-row-marker") == std::string::npos);
  // The connection is usable afterwards.
  CHECK(s.conn().scalar_int("SELECT count(*) FROM " + table) == 1);
}

TEST_CASE("dump: a failing writer stops the dump with TIDE_EINTERNAL", "[conformance][dump]") {
  const Plugin &p = configured_plugin();
  if (!has_dump(p.driver)) return;  // said once, above
  Session s(p);
  const std::string table = s.table("dump_stop");
  s.conn().exec_ok("CREATE TABLE " + table + " (id " + dialect(p.driver).int_type + ")");
  Sink sink;
  sink.stop_after = 0;
  int rc = TIDE_OK;
  if (!dump_into(s.conn(), sink, &rc)) return;
  INFO(s.conn().describe_error());
  CHECK(rc == TIDE_EINTERNAL);
  CHECK(sink.calls == 1);  // not called again once it said stop
  REQUIRE(s.conn().error().message != nullptr);
  CHECK(std::strlen(s.conn().error().message) > 0);
  CHECK(s.conn().scalar_int("SELECT count(*) FROM " + table) == 0);
}
