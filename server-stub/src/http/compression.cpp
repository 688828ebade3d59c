#include "http/compression.h"

#include <zlib.h>

#include <cstdlib>

namespace slotwise::server::http {

bool accepts_gzip(std::string_view accept_encoding) {
    std::size_t start = 0;
    while (start < accept_encoding.size()) {
        std::size_t comma = accept_encoding.find(',', start);
        if (comma == std::string_view::npos) comma = accept_encoding.size();
        std::string_view item = accept_encoding.substr(start, comma - start);
        start = comma + 1;
        const std::size_t semicolon = item.find(';');
        std::string_view coding = item.substr(0, semicolon);
        while (!coding.empty() && (coding.front() == ' ' || coding.front() == '\t')) coding.remove_prefix(1);
        while (!coding.empty() && (coding.back() == ' ' || coding.back() == '\t')) coding.remove_suffix(1);
        if (coding.size() != 4 || (coding[0] | 0x20) != 'g' || (coding[1] | 0x20) != 'z' || (coding[2] | 0x20) != 'i' ||
            (coding[3] | 0x20) != 'p')
            continue;
        if (semicolon == std::string_view::npos) return true;
        const std::string parameters(item.substr(semicolon + 1));
        const std::size_t q = parameters.find("q=");
        return q == std::string::npos || std::strtod(parameters.c_str() + q + 2, nullptr) > 0;
    }
    return false;
}

std::optional<std::string> gzip(std::string_view data, int level) {
    z_stream z{};
    if (deflateInit2(&z, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) return std::nullopt;
    std::string out(deflateBound(&z, static_cast<uLong>(data.size())) + 32, '\0');
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    z.avail_in = static_cast<uInt>(data.size());
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    const int status = deflate(&z, Z_FINISH);
    out.resize(z.total_out);
    deflateEnd(&z);
    if (status != Z_STREAM_END) return std::nullopt;
    return out;
}

}  // namespace slotwise::server::http
