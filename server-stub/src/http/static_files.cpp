#include "http/static_files.h"

#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string_view>
#include <vector>

#include "http/compression.h"
#include "http/field_list.h"
#include "http/problem.h"

namespace slotwise::server::http {

namespace {

// The policy of the server's own pages: scripts and connections only from
// the server (the engine's WebAssembly may compile), no inline script or
// style, and no other site may frame them. Stripe.js and its frames are the
// one exception: the booking page (/app/book.html) shows the widget's
// payment step for a paid service, and Stripe's Payment Element lives in
// Stripe's own frames (the sources Stripe documents for a strict CSP).
constexpr std::string_view kStripeScripts = " https://js.stripe.com https://*.js.stripe.com";
constexpr std::string_view kStripeFrames = "https://js.stripe.com https://*.js.stripe.com https://hooks.stripe.com";
constexpr std::string_view kStripeApi = " https://api.stripe.com";

std::string page_policy(const std::string& also) {
    const std::string server = also.empty() ? "'self'" : "'self' " + also;
    return "default-src 'none'; script-src " + server + " 'wasm-unsafe-eval'" + std::string(kStripeScripts) +
           "; connect-src " + server + std::string(kStripeApi) + "; frame-src " + std::string(kStripeFrames) +
           "; style-src 'self'; img-src 'self' data: https:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
}

namespace fs = std::filesystem;

// Files larger than this are not served (the widget's largest file is well under it).
constexpr std::uintmax_t kMaxFileBytes = 64 * 1024 * 1024;
// Smaller files gain nothing from gzip.
constexpr std::size_t kMinGzipBytes = 256;

std::string content_type(const fs::path& file) {
    std::string ext = file.extension().string();
    for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    static const std::unordered_map<std::string, std::string> types = {
        {".html", "text/html; charset=utf-8"}, {".htm", "text/html; charset=utf-8"},
        {".js", "text/javascript"}, {".mjs", "text/javascript"},
        {".css", "text/css; charset=utf-8"}, {".json", "application/json"}, {".map", "application/json"},
        {".wasm", "application/wasm"}, {".svg", "image/svg+xml"}, {".png", "image/png"},
        {".jpg", "image/jpeg"}, {".jpeg", "image/jpeg"}, {".gif", "image/gif"}, {".webp", "image/webp"},
        {".ico", "image/x-icon"}, {".txt", "text/plain; charset=utf-8"}, {".woff2", "font/woff2"},
        {".woff", "font/woff"}, {".ics", "text/calendar; charset=utf-8"}, {".xml", "application/xml"}};
    const auto it = types.find(ext);
    return it == types.end() ? "application/octet-stream" : it->second;
}

bool compressible(const std::string& type) {
    return type.rfind("text/", 0) == 0 || type == "application/json" || type == "application/wasm" ||
           type == "image/svg+xml" || type == "application/xml";
}

bool is_html(const std::string& type) { return type.rfind("text/html", 0) == 0; }

// name.<8+ lowercase hex>.ext: the content decides the name, so it never changes.
bool content_hashed(const fs::path& file) {
    const std::string name = file.filename().string();
    const std::size_t last = name.rfind('.');
    if (last == std::string::npos || last + 1 == name.size() || last == 0) return false;
    for (std::size_t i = last + 1; i < name.size(); ++i)
        if (!std::isalnum(static_cast<unsigned char>(name[i]))) return false;
    const std::size_t before = name.rfind('.', last - 1);
    if (before == std::string::npos) return false;
    const std::string hash = name.substr(before + 1, last - before - 1);
    if (hash.size() < 8) return false;
    for (char c : hash)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    return true;
}

bool etag_listed(const std::string& if_none_match, const std::string& etag) {
    if (if_none_match.find('*') != std::string::npos) return true;
    return any_list_element(if_none_match, [&](std::string_view item) {
        if (item.substr(0, 2) == "W/") item.remove_prefix(2);
        return item == etag;
    });
}

struct ByteRange {
    std::size_t first, last;
};
// One range of "bytes=a-b", "bytes=a-" or "bytes=-n" over `size` bytes.
// nullopt: not a single well-formed byte range (answered with the whole file);
// a range with first > last: unsatisfiable.
std::optional<ByteRange> single_range(const std::string& header, std::size_t size) {
    if (header.rfind("bytes=", 0) != 0) return std::nullopt;
    const std::string spec = header.substr(6);
    if (spec.find(',') != std::string::npos) return std::nullopt;
    const std::size_t dash = spec.find('-');
    if (dash == std::string::npos) return std::nullopt;
    auto number = [](const std::string& s) -> std::optional<std::size_t> {
        if (s.empty() || s.size() > 18 || s.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
        return static_cast<std::size_t>(std::stoull(s));
    };
    const std::string a = spec.substr(0, dash), b = spec.substr(dash + 1);
    const ByteRange unsatisfiable{1, 0};
    if (a.empty()) {
        const auto suffix = number(b);
        if (!suffix) return std::nullopt;
        if (*suffix == 0 || size == 0) return unsatisfiable;
        return ByteRange{size - std::min(size, *suffix), size - 1};
    }
    const auto first = number(a);
    if (!first) return std::nullopt;
    std::size_t last = size == 0 ? 0 : size - 1;
    if (!b.empty()) {
        const auto given = number(b);
        if (!given || *given < *first) return std::nullopt;
        last = std::min(last, *given);
    }
    if (*first >= size) return unsatisfiable;
    return ByteRange{*first, last};
}

}  // namespace

StaticFiles::StaticFiles(const std::string& root) {
    std::error_code ec;
    root_ = fs::canonical(root, ec);
    if (ec || !fs::is_directory(root_)) throw std::runtime_error("--web-root " + root + " is not a directory");
    page_policy_ = page_policy("");
}

void StaticFiles::set_listen_origin(const std::string& origin) { page_policy_ = page_policy(origin); }

std::optional<fs::path> StaticFiles::resolve(const std::string& request_path) const {
    if (request_path.empty() || request_path.front() != '/') return std::nullopt;
    fs::path relative;
    std::size_t start = 1;
    while (start <= request_path.size()) {
        std::size_t slash = request_path.find('/', start);
        if (slash == std::string::npos) slash = request_path.size();
        const std::string segment = request_path.substr(start, slash - start);
        start = slash + 1;
        if (segment.empty()) continue;
        if (segment == "." || segment == ".." || segment.find('\\') != std::string::npos) return std::nullopt;
        relative /= segment;
    }
    std::error_code ec;
    fs::path file = fs::canonical(root_ / relative, ec);
    if (ec) return std::nullopt;
    if (fs::is_directory(file, ec)) file = fs::canonical(file / "index.html", ec);
    if (ec || !fs::is_regular_file(file, ec)) return std::nullopt;
    // Symbolic links may not lead out of the root.
    const std::string root = root_.string() + "/", resolved = file.string();
    if (resolved.compare(0, root.size(), root) != 0) return std::nullopt;
    return file;
}

std::shared_ptr<StaticFiles::File> StaticFiles::load(const fs::path& path) {
    std::error_code ec;
    const auto mtime = fs::last_write_time(path, ec);
    const auto size = ec ? 0 : fs::file_size(path, ec);
    if (ec || size > kMaxFileBytes) return nullptr;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        const auto it = files_.find(path.string());
        if (it != files_.end() && it->second->mtime == mtime && it->second->size == size) return it->second;
    }
    std::ifstream in(path, std::ios::binary);
    std::ostringstream contents;
    contents << in.rdbuf();
    if (!in.good() && !in.eof()) return nullptr;
    auto file = std::make_shared<File>();
    file->mtime = mtime;
    file->size = size;
    file->bytes = std::make_shared<const std::string>(contents.str());
    char etag[64];
    std::snprintf(etag, sizeof etag, "\"%zx-%llx\"", file->bytes->size(),
                  static_cast<unsigned long long>(mtime.time_since_epoch().count()));
    file->etag = etag;
    std::lock_guard<std::mutex> lock(mutex_);
    files_[path.string()] = file;
    return file;
}

namespace {
// The dashboard routes its screens in the browser (/app/bookings,
// /app/services/...): any /app/ path whose last segment names no file type
// is the dashboard's page, so a reload or a shared link opens that screen.
bool dashboard_route(const std::string& path) {
    if (path.rfind("/app/", 0) != 0) return false;
    const std::size_t last = path.rfind('/');
    return path.find('.', last) == std::string::npos;
}
}  // namespace

std::optional<Response> StaticFiles::serve(const RequestHead& head) {
    auto path = resolve(head.path);
    if (!path && dashboard_route(head.path)) path = resolve("/app/index.html");
    if (!path) return std::nullopt;
    const std::shared_ptr<File> file = load(*path);
    if (!file) return std::nullopt;
    const std::string type = content_type(*path);
    const std::size_t size = file->bytes->size();

    Response r;
    r.head_only = head.method == "HEAD";
    r.headers = {{"Content-Type", type},
                 {"Cache-Control", content_hashed(*path) ? "public, max-age=31536000, immutable" : "no-cache"},
                 // widget.js, the engine's module and its .wasm are loaded by
                 // provider sites on other origins (module scripts and fetch need CORS).
                 {"Access-Control-Allow-Origin", "*"},
                 {"Accept-Ranges", "bytes"}};
    if (is_html(type)) r.headers.emplace_back("Content-Security-Policy", page_policy_);
    const bool gzip_wanted = compressible(type) && size >= kMinGzipBytes && accepts_gzip(head.field("accept-encoding").value_or(""));
    if (compressible(type) && size >= kMinGzipBytes) r.headers.emplace_back("Vary", "Accept-Encoding");
    const std::string gzip_etag = file->etag.substr(0, file->etag.size() - 1) + "-gz\"";

    if (const auto inm = head.field("if-none-match"); inm && (etag_listed(*inm, file->etag) || etag_listed(*inm, gzip_etag))) {
        r.status = 304;
        r.head_only = true;
        r.headers.emplace_back("ETag", gzip_wanted ? gzip_etag : file->etag);
        return r;
    }
    const auto range_header = head.field("range");
    const auto if_range = head.field("if-range");
    if (range_header && (!if_range || *if_range == file->etag)) {
        if (const auto range = single_range(*range_header, size)) {
            if (range->first > range->last) {
                r.status = 416;
                r.headers[0].second = "application/problem+json";
                r.headers.emplace_back("Content-Range", "bytes */" + std::to_string(size));
                r.set_body(problem_body(416, "RANGE_NOT_SATISFIABLE", "the range lies outside the file"));
                return r;
            }
            r.status = 206;
            r.headers.emplace_back("ETag", file->etag);
            r.headers.emplace_back("Content-Range", "bytes " + std::to_string(range->first) + "-" +
                                                        std::to_string(range->last) + "/" + std::to_string(size));
            r.body = file->bytes;
            r.offset = range->first;
            r.length = range->last - range->first + 1;
            return r;
        }
    }
    r.body = file->bytes;
    r.length = size;
    r.headers.emplace_back("ETag", file->etag);
    if (gzip_wanted) {
        std::shared_ptr<const std::string> gzipped;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            gzipped = file->gzipped;
        }
        if (!gzipped) {
            if (auto made = gzip(*file->bytes, 9)) {
                gzipped = std::make_shared<const std::string>(std::move(*made));
                std::lock_guard<std::mutex> lock(mutex_);
                file->gzipped = gzipped;
            }
        }
        if (gzipped) {
            r.body = gzipped;
            r.length = gzipped->size();
            r.headers.back().second = gzip_etag;
            r.headers.emplace_back("Content-Encoding", "gzip");
        }
    }
    return r;
}

}  // namespace slotwise::server::http
