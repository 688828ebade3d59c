#include "http/compression.h"

#include "http/field_list.h"

#include <zlib.h>

#include <cstdlib>

namespace slotwise::server::http {

bool accepts_gzip(std::string_view accept_encoding) {
    // The first gzip element decides, as before: its q of 0 refuses gzip.
    std::optional<bool> accepted;
    any_list_element(accept_encoding, [&](std::string_view item) {
        const std::size_t semicolon = item.find(';');
        std::string_view coding = item.substr(0, semicolon);
        while (!coding.empty() && (coding.back() == ' ' || coding.back() == '\t')) coding.remove_suffix(1);
        if (coding.size() != 4 || (coding[0] | 0x20) != 'g' || (coding[1] | 0x20) != 'z' || (coding[2] | 0x20) != 'i' ||
            (coding[3] | 0x20) != 'p')
            return false;
        if (semicolon == std::string_view::npos) {
            accepted = true;
        } else {
            const std::string parameters(item.substr(semicolon + 1));
            const std::size_t q = parameters.find("q=");
            accepted = q == std::string::npos || std::strtod(parameters.c_str() + q + 2, nullptr) > 0;
        }
        return true;
    });
    return accepted.value_or(false);
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
