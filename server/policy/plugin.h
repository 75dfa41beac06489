// server/policy/plugin.h — one loaded plugin shared object: dlopen with
// RTLD_NOW | RTLD_LOCAL, the entry point, and the ABI checks done before any
// hook is used.
// Thread-safety: immutable once opened; shared by the policies that use it.
#pragma once

#include <expected>
#include <memory>
#include <string>

#include "allot_plugin.h"

namespace allot::policy {

class Plugin {
 public:
  // Loads `path` and runs the handshake. Error: a message naming the file and
  // what is wrong (with dlerror() when the loader said why), e.g.
  // "plugin /p/x.so: entry symbol allot_plugin_init not found: ...".
  static std::expected<std::shared_ptr<const Plugin>, std::string> Open(
      const std::string& path);

  ~Plugin();  // dlclose; every instance must have been destroyed before
  Plugin(const Plugin&) = delete;
  Plugin& operator=(const Plugin&) = delete;

  const allot_plugin_api& api() const { return *api_; }
  const std::string& path() const { return path_; }
  bool concurrent() const { return (api_->flags & ALLOT_PLUGIN_FLAG_CONCURRENT) != 0; }

 private:
  Plugin(std::string path, void* handle) : path_(std::move(path)), handle_(handle) {}

  std::string path_;
  void* handle_;
  const allot_plugin_api* api_ = nullptr;
};

}  // namespace allot::policy
