#include "migrate/hooks.h"

namespace tide {

namespace {

constexpr const char *kNames[kHookEventCount] = {
    "before_migrate",       "before_each",         "after_each",      "after_each_error",
    "after_migrate",        "after_migrate_error", "before_rollback", "after_rollback",
    "after_rollback_error", "before_seed",         "after_seed",      "after_seed_error",
};

void add_detail(Error &e, const std::string &line) { e.detail += (e.detail.empty() ? "" : "\n") + line; }

}  // namespace

const char *hook_event_name(HookEvent event) { return kNames[static_cast<int>(event)]; }

bool hook_event_from(std::string_view name, HookEvent &out) {
  for (int i = 0; i < kHookEventCount; ++i) {
    if (name == kNames[i]) {
      out = static_cast<HookEvent>(i);
      return true;
    }
  }
  return false;
}

std::string hook_event_list() {
  std::string out;
  for (const char *n : kNames) out += (out.empty() ? "" : ", ") + std::string(n);
  return out;
}

HookEvent HookedRun::before() const {
  return kind_ == kMigrate    ? HookEvent::kBeforeMigrate
         : kind_ == kRollback ? HookEvent::kBeforeRollback
                              : HookEvent::kBeforeSeed;
}

HookEvent HookedRun::after() const {
  return kind_ == kMigrate    ? HookEvent::kAfterMigrate
         : kind_ == kRollback ? HookEvent::kAfterRollback
                              : HookEvent::kAfterSeed;
}

HookEvent HookedRun::after_error() const {
  return kind_ == kMigrate    ? HookEvent::kAfterMigrateError
         : kind_ == kRollback ? HookEvent::kAfterRollbackError
                              : HookEvent::kAfterSeedError;
}

Status HookedRun::begin() {
  done_.clear();
  HookContext ctx;
  ctx.applied = &done_;
  Status s = hooks_.run(before(), ctx);
  if (!s.ok()) add_detail(s.error(), "the run stopped before changing anything");
  return s;
}

Status HookedRun::before_each(const HookItem &item) {
  if (kind_ == kSeed) return {};
  HookContext ctx{&item, nullptr, &done_};
  Status s = hooks_.run(HookEvent::kBeforeEach, ctx);
  if (!s.ok()) add_detail(s.error(), "the run stopped before " + item.version + " " + item.name);
  return s;
}

Status HookedRun::after_each(const HookItem &item) {
  if (!hooks_.empty()) done_.push_back(item);
  if (kind_ == kSeed) return {};
  HookContext ctx{&item, nullptr, &done_};
  Status s = hooks_.run(HookEvent::kAfterEach, ctx);
  if (!s.ok())
    add_detail(s.error(), item.version + " " + item.name + " is done and stays so; the run stopped after it");
  return s;
}

void HookedRun::each_failed(const HookItem &item, Error &error) {
  if (kind_ == kSeed) return;
  HookContext ctx{&item, &error, &done_};
  Status s = hooks_.run(HookEvent::kAfterEachError, ctx);
  if (!s.ok()) add_detail(error, "the after_each_error hook failed too: " + s.error().headline());
}

Status HookedRun::finish(Status work) {
  HookContext ctx{nullptr, nullptr, &done_};
  if (work.ok()) return hooks_.run(after(), ctx);
  ctx.error = &work.error();
  Status s = hooks_.run(after_error(), ctx);
  if (!s.ok())
    add_detail(work.error(),
               std::string("the ") + hook_event_name(after_error()) + " hook failed too: " + s.error().headline());
  return work;
}

}  // namespace tide
