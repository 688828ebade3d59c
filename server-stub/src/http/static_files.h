// Files under --web-root: resolved to a canonical path inside the root (no
// traversal, symlinks out of the root refused), read and gzipped once per
// file version (keyed by the resolved path, its size and mtime, never by the
// spelling of the request), typed by the resolved file's extension, with
// ETag/304 and one byte range (several ranges get the whole file).
#pragma once

#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "http/http_server.h"

namespace slotwise::server::http {

class StaticFiles {
public:
    // Throws std::runtime_error when `root` is not a directory.
    explicit StaticFiles(const std::string& root);
    // The server's own origin as it listens (http://127.0.0.1:8080), allowed
    // beside 'self' in its pages' policy: a page reached under another name
    // of the same server may still load the widget from it.
    void set_listen_origin(const std::string& origin);
    // The answer to GET/HEAD of `head.path`; nullopt when no file is there.
    std::optional<Response> serve(const RequestHead& head);

private:
    struct File {
        std::filesystem::file_time_type mtime;
        std::uintmax_t size = 0;
        std::shared_ptr<const std::string> bytes;
        std::shared_ptr<const std::string> gzipped;  // made on first demand
        std::string etag;
    };
    std::optional<std::filesystem::path> resolve(const std::string& request_path) const;
    std::shared_ptr<File> load(const std::filesystem::path& file);

    std::filesystem::path root_;
    std::string page_policy_;
    std::mutex mutex_;
    std::unordered_map<std::string, std::shared_ptr<File>> files_;
};

}  // namespace slotwise::server::http
