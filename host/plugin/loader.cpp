#include "plugin/loader.h"

#include <dlfcn.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <set>

namespace fs = std::filesystem;

namespace tide {

namespace {

// Members the host needs, as offsets into the table: a plugin whose struct_size does not
// reach them is refused (members are only appended, so a shorter table is older).
constexpr size_t kMinStructSize = offsetof(tide_driver, in_transaction) + sizeof(tide_driver::in_transaction);

fs::path exe_dir() {
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::path() : exe.parent_path();
}

}  // namespace

Result<std::shared_ptr<Plugin>> Plugin::load(const fs::path &path) {
  void *handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    const char *why = dlerror();
    return Status::fail(Exit::kUsage,
                        fmt::format("{}: cannot load plugin: {}", path.string(), why ? why : "unknown error"));
  }
  auto refuse = [&](std::string why) -> Result<std::shared_ptr<Plugin>> {
    dlclose(handle);
    return Status::fail(Exit::kUsage, fmt::format("{}: {}", path.string(), why),
                        "rebuild the plugin against this tide's plugins/include/tide/driver.h");
  };
  auto entry = reinterpret_cast<tide_driver_entry_fn>(dlsym(handle, TIDE_DRIVER_ENTRY_SYMBOL));
  if (!entry) return refuse(fmt::format("not a tide plugin (no {} function)", TIDE_DRIVER_ENTRY_SYMBOL));
  const tide_driver *table = entry();
  if (!table) return refuse("not a tide plugin (its entry function returned NULL)");
  if (table->abi_major != TIDE_ABI_MAJOR)
    return refuse(fmt::format("plugin ABI {}.{} is not compatible with this tide (ABI {}.{})", table->abi_major,
                              table->abi_minor, TIDE_ABI_MAJOR, TIDE_ABI_MINOR));
  if (table->struct_size < kMinStructSize)
    return refuse(fmt::format("plugin table is too short ({} bytes, need {})", table->struct_size, kMinStructSize));
  // Every member the host calls must be there: a NULL one would crash much later.
  const bool complete = table->name && table->schemes && table->history_ddl && table->connect && table->close &&
                        table->last_error && table->server_version && table->exec && table->query && table->step &&
                        table->column_count && table->column_name && table->column_value && table->changes &&
                        table->finalize && table->begin && table->commit && table->rollback && table->lock &&
                        table->unlock && table->quote_ident && table->split && table->in_transaction;
  if (!complete) return refuse("plugin table is missing required members (a NULL name, string or function)");
  return std::shared_ptr<Plugin>(new Plugin(handle, table, path));
}

Plugin::~Plugin() { dlclose(handle_); }

bool Plugin::handles(std::string_view scheme) const {
  for (const char *const *s = table_->schemes; *s; ++s)
    if (scheme == *s) return true;
  return false;
}

std::vector<std::string> Plugin::schemes() const {
  std::vector<std::string> out;
  for (const char *const *s = table_->schemes; *s; ++s) out.emplace_back(*s);
  return out;
}

PluginFinder::PluginFinder(std::vector<fs::path> explicit_dirs) : dirs_(std::move(explicit_dirs)) {
  if (const char *env = std::getenv("TIDE_PLUGIN_PATH")) {
    std::string_view rest = env;
    while (!rest.empty()) {
      size_t colon = rest.find(':');
      std::string_view dir = rest.substr(0, colon);
      if (!dir.empty()) dirs_.emplace_back(std::string(dir));
      rest = colon == std::string_view::npos ? std::string_view() : rest.substr(colon + 1);
    }
  }
  fs::path exe = exe_dir();
  if (!exe.empty()) {
    dirs_.push_back(exe.parent_path() / "lib" / "tide" / "plugins");
    dirs_.push_back(exe / "plugins");
  }
#ifdef TIDE_BUILD_PLUGIN_DIR
  dirs_.emplace_back(TIDE_BUILD_PLUGIN_DIR);
#endif
  // The binary's own plugins/ is often the build tree's: list each folder once.
  std::vector<fs::path> unique;
  std::set<fs::path> seen;
  for (auto &d : dirs_) {
    std::error_code ec;
    fs::path key = fs::weakly_canonical(d, ec);
    if (seen.insert(ec ? d : key).second) unique.push_back(std::move(d));
  }
  dirs_ = std::move(unique);
}

std::vector<fs::path> PluginFinder::candidates() const {
  std::vector<fs::path> out;
  std::set<fs::path> seen;
  for (const auto &dir : dirs_) {
    std::error_code ec;
    std::vector<fs::path> here;
    for (const auto &entry : fs::directory_iterator(dir, ec)) {
      std::string file = entry.path().filename().string();
      if (file.rfind("tide-driver-", 0) == 0 && entry.path().extension() == ".so") here.push_back(entry.path());
    }
    std::sort(here.begin(), here.end());
    for (auto &p : here) {
      // The same file name in a later directory is shadowed by the earlier one.
      if (seen.insert(p.filename()).second) out.push_back(p);
    }
  }
  return out;
}

Result<std::shared_ptr<Plugin>> PluginFinder::for_scheme(const std::string &scheme) const {
  std::vector<fs::path> all = candidates();
  // Most schemes name their plugin file; try that one first so a run loads one library.
  std::stable_partition(all.begin(), all.end(),
                        [&](const fs::path &p) { return p.filename() == "tide-driver-" + scheme + ".so"; });
  std::vector<std::string> errors;
  for (const auto &path : all) {
    auto plugin = Plugin::load(path);
    if (!plugin) {
      errors.push_back(plugin.error().message);
      continue;
    }
    if ((*plugin)->handles(scheme)) return plugin;
  }
  std::string looked;
  for (const auto &d : dirs_) looked += "\n  " + d.string();
  Error e;
  e.exit = Exit::kUsage;
  e.message = fmt::format("no driver plugin for URL scheme \"{}:\"", scheme);
  e.detail = "looked in:" + looked;
  for (const auto &err : errors) e.detail += "\n  skipped " + err;
  e.hint =
      "check the database URL, or point --plugin-path / TIDE_PLUGIN_PATH at the folder holding "
      "tide-driver-<name>.so; `tide drivers` lists what is found";
  return e;
}

std::vector<PluginFinder::Found> PluginFinder::all() const {
  std::vector<Found> out;
  for (const auto &path : candidates()) {
    auto plugin = Plugin::load(path);
    if (plugin)
      out.push_back({path, *plugin, {}});
    else
      out.push_back({path, nullptr, plugin.error().message});
  }
  return out;
}

}  // namespace tide
