#include "http/client_address.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>

namespace slotwise::server::http {
namespace {

constexpr std::array<std::uint8_t, 12> kMappedPrefix{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

bool all_digits(std::string_view s) {
    return !s.empty() && s.size() <= 5 && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// An X-Forwarded-For element: an address, optionally with a port as some
// proxies write it ("192.0.2.1:4711", "[2001:db8::1]:4711"); nginx writes
// the bare address.
std::optional<IpAddress> parse_forwarded_element(std::string_view element) {
    element = trim(element);
    if (!element.empty() && element.front() == '[') {
        const auto close = element.find(']');
        if (close == std::string_view::npos) return std::nullopt;
        const std::string_view rest = element.substr(close + 1);
        if (!rest.empty() && !(rest.front() == ':' && all_digits(rest.substr(1)))) return std::nullopt;
        return IpAddress::parse(element.substr(1, close - 1));
    }
    const auto colon = element.find(':');
    if (colon != std::string_view::npos && element.find(':', colon + 1) == std::string_view::npos) {
        if (!all_digits(element.substr(colon + 1))) return std::nullopt;
        const auto v4 = IpAddress::parse(element.substr(0, colon));
        if (!v4 || v4->v6) return std::nullopt;
        return v4;
    }
    return IpAddress::parse(element);
}

}  // namespace

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
    // inet_pton needs a terminated string; an address is never this long.
    char buffer[INET6_ADDRSTRLEN + 1];
    if (text.empty() || text.size() >= sizeof buffer) return std::nullopt;
    std::memcpy(buffer, text.data(), text.size());
    buffer[text.size()] = '\0';
    IpAddress a;
    if (inet_pton(AF_INET, buffer, a.bytes.data()) == 1) return a;
    if (inet_pton(AF_INET6, buffer, a.bytes.data()) != 1) return std::nullopt;
    a.v6 = true;
    if (std::equal(kMappedPrefix.begin(), kMappedPrefix.end(), a.bytes.begin())) {
        std::array<std::uint8_t, 16> v4{};
        std::copy(a.bytes.begin() + 12, a.bytes.end(), v4.begin());
        a.bytes = v4;
        a.v6 = false;
    }
    return a;
}

std::string IpAddress::to_string() const {
    char buffer[INET6_ADDRSTRLEN];
    if (!inet_ntop(v6 ? AF_INET6 : AF_INET, bytes.data(), buffer, sizeof buffer)) return {};
    return buffer;
}

std::optional<Cidr> Cidr::parse(std::string_view text) {
    text = trim(text);
    const auto slash = text.find('/');
    const auto address = IpAddress::parse(text.substr(0, slash));
    if (!address) return std::nullopt;
    const int bits = address->v6 ? 128 : 32;
    int prefix = bits;
    if (slash != std::string_view::npos) {
        const std::string_view digits = text.substr(slash + 1);
        if (digits.empty() || digits.size() > 3 || !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
            return std::nullopt;
        prefix = std::stoi(std::string(digits));
        if (prefix > bits) return std::nullopt;
    }
    Cidr range{*address, prefix};
    // "10.0.0.1/8" most likely meant something else; refusing it at start is
    // cheaper than trusting a range nobody intended.
    for (int bit = prefix; bit < bits; ++bit)
        if (address->bytes[bit / 8] & (0x80 >> (bit % 8))) return std::nullopt;
    return range;
}

bool Cidr::contains(const IpAddress& address) const {
    if (address.v6 != network.v6) return false;
    const int whole = prefix / 8, rest = prefix % 8;
    if (!std::equal(network.bytes.begin(), network.bytes.begin() + whole, address.bytes.begin())) return false;
    if (rest == 0) return true;
    const std::uint8_t mask = static_cast<std::uint8_t>(0xff << (8 - rest));
    return (network.bytes[whole] & mask) == (address.bytes[whole] & mask);
}

std::optional<std::vector<Cidr>> TrustedProxies::parse_list(std::string_view text, std::string& bad) {
    std::vector<Cidr> ranges;
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t end = text.find_first_of(", \t", start);
        if (end == std::string_view::npos) end = text.size();
        const std::string_view item = text.substr(start, end - start);
        start = end + 1;
        if (item.empty()) continue;
        const auto range = Cidr::parse(item);
        if (!range) {
            bad = std::string(item);
            return std::nullopt;
        }
        ranges.push_back(*range);
    }
    return ranges;
}

bool TrustedProxies::trusts(std::string_view peer) const {
    if (ranges_.empty()) return false;
    const auto address = IpAddress::parse(peer);
    return address && std::any_of(ranges_.begin(), ranges_.end(), [&](const Cidr& r) { return r.contains(*address); });
}

std::string TrustedProxies::client(const std::string& peer, const std::vector<std::string_view>& forwarded_for) const {
    if (forwarded_for.empty() || !trusts(peer)) return peer;
    std::vector<std::string_view> elements;
    for (std::string_view field : forwarded_for) {
        std::size_t start = 0;
        for (;;) {
            const std::size_t comma = std::min(field.find(',', start), field.size());
            elements.push_back(field.substr(start, comma - start));
            if (comma == field.size()) break;
            start = comma + 1;
        }
    }
    std::optional<IpAddress> leftmost;
    for (auto it = elements.rbegin(); it != elements.rend(); ++it) {
        const auto address = parse_forwarded_element(*it);
        // A hop we trust wrote something we cannot read: nothing from here
        // on can be attributed, so the request is the proxy's own.
        if (!address) return peer;
        if (std::none_of(ranges_.begin(), ranges_.end(), [&](const Cidr& r) { return r.contains(*address); }))
            return address->to_string();
        leftmost = address;
    }
    return leftmost ? leftmost->to_string() : peer;
}

}  // namespace slotwise::server::http
