#include "cli/wait.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <optional>
#include <thread>

#include "cli/commands.h"
#include "plugin/plugin_session.h"
#include "util/text.h"

namespace tide {

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr milliseconds kFirstDelay{100}, kMaxDelay{1000};
// One attempt may not take the whole wait when the network drops packets silently.
constexpr int64_t kMaxConnectTimeoutMs = 10000;
// Without a terminal, a line when the error changes, else one every this often.
constexpr milliseconds kQuietInterval{10000};

int64_t ms_since(Clock::time_point start) {
  return std::chrono::duration_cast<milliseconds>(Clock::now() - start).count();
}

// Authentication fails the same way for a wrong password and for a user that a starting
// container has not created yet: both are retried, and the hint tells them apart.
bool is_auth_failure(const Error &e) {
  return e.sqlstate.starts_with("28") || e.message.find("authentication failed") != std::string::npos ||
         e.message.find("Access denied") != std::string::npos;
}

// "cannot connect: connection refused" → "connection refused": the line says waiting.
std::string reason(const Error &e) {
  std::string text = e.message;
  if (text.starts_with("cannot connect: ")) text.erase(0, 16);
  if (!e.code.empty()) text += " (" + e.code + ")";
  return text;
}

Error timed_out(const Error &last, int attempts, int64_t timeout_ms, const std::string &url) {
  Error e;
  e.exit = Exit::kLocked;
  e.where = url;
  e.message = fmt::format("the database did not accept a connection within {:.1f} s ({} attempt(s))",
                          static_cast<double>(timeout_ms) / 1000, attempts);
  e.detail = "last error: " + reason(last);
  if (!last.detail.empty()) e.detail += "\n" + last.detail;
  e.hint = is_auth_failure(last)
               ? "the server answers but refuses the login: check the user and password in the URL (a "
                 "starting container may create the user late; --timeout waits longer)"
               : "check the host, port and that the server is running; --timeout waits longer";
  return e;
}

// Shows failed attempts: one line rewritten in place on a terminal; otherwise a line (a
// `waiting` event with --json) when the error changes, and every kQuietInterval.
class AttemptReport {
 public:
  AttemptReport(Output &out, std::string url, Clock::time_point start)
      : out_(out), url_(std::move(url)), start_(start), shown_at_(start) {}

  void failed(int attempt, const Error &e) {
    std::string why = reason(e);
    if (is_auth_failure(e)) why += " — retrying: a starting container may not have created the user yet";
    std::string line = fmt::format("waiting for {} ({:.1f} s): {}", url_, ms_since(start_) / 1000.0, why);
    if (out_.options().terminal && !out_.options().json) return out_.progress(line);
    if (why == shown_ && Clock::now() - shown_at_ < kQuietInterval) return;
    out_.event("waiting",
               {{"database", url_},
                {"attempt", std::to_string(attempt)},
                {"duration_ms", std::to_string(ms_since(start_))},
                {"error", reason(e)}},
               line);
    shown_ = why;
    shown_at_ = Clock::now();
  }

 private:
  Output &out_;
  std::string url_;
  Clock::time_point start_, shown_at_;
  std::string shown_;
};

}  // namespace

Status wait_command(const Config &config, const std::string &timeout, Output &out) {
  std::optional<int64_t> parsed = parse_duration_ms(timeout);
  if (!parsed)
    return Status::fail(Exit::kUsage, fmt::format("wait --timeout {}: not a duration", timeout),
                        "write it like 500ms, 30s, 5m or a number of seconds");
  const int64_t timeout_ms = *parsed;
  auto plugin = find_driver(config);  // a missing driver is not worth waiting for
  if (!plugin) return plugin.status();
  const std::string url = redact_url(config.database);
  const Clock::time_point start = Clock::now(), deadline = start + milliseconds(timeout_ms);
  milliseconds delay = kFirstDelay;
  AttemptReport report(out, url, start);
  for (int attempt = 1;; ++attempt) {
    ConnectOptions options;
    int64_t left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now()).count();
    options.connect_timeout_ms = std::clamp<int64_t>(left, 1, kMaxConnectTimeoutMs);
    auto session = PluginSession::connect(*plugin, config.database, options);
    if (session) {
      out.progress_end();
      int64_t ms = ms_since(start);
      out.event("ready",
                {{"database", url}, {"attempts", std::to_string(attempt)}, {"duration_ms", std::to_string(ms)}},
                fmt::format("database ready: {} ({} {}, after {} attempt(s), {} ms)", url, (*session)->dialect().name(),
                            (*session)->server_version(), attempt, ms));
      return {};
    }
    Error e = session.error();
    if (e.exit == Exit::kUsage) {  // a bad URL does not get better by waiting
      e.where = url;
      return e;
    }
    if (Clock::now() >= deadline) {
      out.progress_end();
      return timed_out(e, attempt, timeout_ms, url);
    }
    report.failed(attempt, e);
    std::this_thread::sleep_for(std::min<Clock::duration>(delay, deadline - Clock::now()));
    delay = std::min(delay * 2, kMaxDelay);
  }
}

}  // namespace tide
