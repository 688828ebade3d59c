// Who the client is when a reverse proxy (nginx, Caddy) stands in front: the
// TCP peer is then the proxy, and the client's address arrives in
// X-Forwarded-For, a header anyone can send. It is believed only from peers
// in the operator's --trusted-proxy ranges; from anyone else the peer is the
// client and the header is ignored. The one place that decides; the rate
// limit, the credential throttle, the access log, the fair worker queue and
// the Visitor actor all see its answer (Request::remote).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace slotwise::server::http {

// An IPv4 or IPv6 address; IPv4-mapped IPv6 addresses (::ffff:a.b.c.d, what a
// dual-stack socket reports for an IPv4 peer) are taken as the IPv4 address.
struct IpAddress {
    bool v6 = false;
    std::array<std::uint8_t, 16> bytes{};  // the first 4 for IPv4

    static std::optional<IpAddress> parse(std::string_view text);
    std::string to_string() const;  // canonical (RFC 5952 for IPv6), so one client is one rate-limit key
};

// An address range: "10.0.0.0/8", "::1/128", or a single address ("127.0.0.1").
struct Cidr {
    IpAddress network;
    int prefix = 0;

    static std::optional<Cidr> parse(std::string_view text);  // host bits set: refused (likely a typo)
    bool contains(const IpAddress& address) const;
};

class TrustedProxies {
public:
    TrustedProxies() = default;
    explicit TrustedProxies(std::vector<Cidr> ranges) : ranges_(std::move(ranges)) {}

    // Ranges separated by commas and/or spaces (SLOTWISE_TRUSTED_PROXIES);
    // nullopt names nothing; `bad` gets the first range that does not parse.
    static std::optional<std::vector<Cidr>> parse_list(std::string_view text, std::string& bad);

    bool empty() const { return ranges_.empty(); }
    bool trusts(std::string_view peer) const;

    // The client's address for a request from `peer` carrying these
    // X-Forwarded-For values (every such field, in order; RFC 9110 lets one
    // list be split over several fields). An untrusted peer, no header, or a
    // malformed element before the first untrusted address from the right:
    // the peer. Otherwise the rightmost address that is not a trusted proxy
    // (each proxy appends the address it saw, so everything left of it was
    // written by the client and proves nothing); all trusted: the leftmost.
    std::string client(const std::string& peer, const std::vector<std::string_view>& forwarded_for) const;

private:
    std::vector<Cidr> ranges_;
};

}  // namespace slotwise::server::http
