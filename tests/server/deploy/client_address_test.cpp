// Who the client is behind a reverse proxy (server-stub/src/http/client_address.*):
// the header is believed only from trusted peers, and only as far as the
// first hop that is not a trusted proxy.
#include <catch2/catch.hpp>

#include "http/client_address.h"

using namespace slotwise::server::http;

namespace {

TrustedProxies proxies(const char* list) {
    std::string bad;
    const auto ranges = TrustedProxies::parse_list(list, bad);
    REQUIRE(ranges);
    return TrustedProxies(*ranges);
}

}  // namespace

TEST_CASE("addresses parse to one canonical form") {
    CHECK(IpAddress::parse("192.0.2.1")->to_string() == "192.0.2.1");
    CHECK(IpAddress::parse("2001:DB8:0:0:0:0:0:1")->to_string() == "2001:db8::1");
    // What a dual-stack socket reports for an IPv4 peer is that IPv4 address.
    CHECK(IpAddress::parse("::ffff:127.0.0.1")->to_string() == "127.0.0.1");
    CHECK_FALSE(IpAddress::parse("").has_value());
    CHECK_FALSE(IpAddress::parse("unknown").has_value());
    CHECK_FALSE(IpAddress::parse("256.1.1.1").has_value());
    CHECK_FALSE(IpAddress::parse("1.2.3").has_value());
    CHECK_FALSE(IpAddress::parse(std::string(200, '1')).has_value());
}

TEST_CASE("ranges: prefixes, single addresses, refusals") {
    const auto loopback = Cidr::parse("127.0.0.0/8");
    REQUIRE(loopback);
    CHECK(loopback->contains(*IpAddress::parse("127.1.2.3")));
    CHECK_FALSE(loopback->contains(*IpAddress::parse("128.0.0.1")));
    CHECK_FALSE(loopback->contains(*IpAddress::parse("::1")));
    const auto odd = Cidr::parse("10.0.0.0/13");
    REQUIRE(odd);
    CHECK(odd->contains(*IpAddress::parse("10.7.255.255")));
    CHECK_FALSE(odd->contains(*IpAddress::parse("10.8.0.0")));
    const auto one = Cidr::parse("192.0.2.7");
    REQUIRE(one);
    CHECK(one->prefix == 32);
    CHECK(one->contains(*IpAddress::parse("192.0.2.7")));
    CHECK_FALSE(one->contains(*IpAddress::parse("192.0.2.8")));
    const auto v6 = Cidr::parse("fd00::/8");
    REQUIRE(v6);
    CHECK(v6->contains(*IpAddress::parse("fd12:3456::1")));
    CHECK_FALSE(v6->contains(*IpAddress::parse("fe80::1")));
    CHECK(Cidr::parse("0.0.0.0/0")->contains(*IpAddress::parse("203.0.113.9")));
    // Host bits set, prefix too long, junk: refused, so a typo cannot trust the world.
    CHECK_FALSE(Cidr::parse("10.0.0.1/8").has_value());
    CHECK_FALSE(Cidr::parse("10.0.0.0/33").has_value());
    CHECK_FALSE(Cidr::parse("::/129").has_value());
    CHECK_FALSE(Cidr::parse("10.0.0.0/").has_value());
    CHECK_FALSE(Cidr::parse("10.0.0.0/-1").has_value());
    CHECK_FALSE(Cidr::parse("localhost").has_value());
}

TEST_CASE("the list from flags or the environment") {
    std::string bad;
    const auto ranges = TrustedProxies::parse_list(" 127.0.0.1/32, ::1 ,10.0.0.0/8", bad);
    REQUIRE(ranges);
    CHECK(ranges->size() == 3);
    CHECK(TrustedProxies::parse_list("", bad)->empty());
    CHECK_FALSE(TrustedProxies::parse_list("127.0.0.1/32,10.0.0.1/8", bad).has_value());
    CHECK(bad == "10.0.0.1/8");
}

TEST_CASE("no trusted proxies: the peer, whatever the header says") {
    const TrustedProxies none;
    CHECK(none.client("198.51.100.4", {"203.0.113.9"}) == "198.51.100.4");
}

TEST_CASE("an untrusted peer cannot choose its address") {
    const auto p = proxies("127.0.0.1/32");
    CHECK(p.client("198.51.100.4", {"203.0.113.9"}) == "198.51.100.4");
    CHECK(p.client("198.51.100.4", {"127.0.0.1"}) == "198.51.100.4");
}

TEST_CASE("a trusted peer: the rightmost address that is not a trusted proxy") {
    const auto p = proxies("127.0.0.1/32,10.0.0.0/8");
    CHECK(p.client("127.0.0.1", {}) == "127.0.0.1");
    CHECK(p.client("127.0.0.1", {"203.0.113.9"}) == "203.0.113.9");
    // The client wrote "1.1.1.1" itself; nginx appended what it saw.
    CHECK(p.client("127.0.0.1", {"1.1.1.1, 203.0.113.9"}) == "203.0.113.9");
    // Two proxies of ours in a row are skipped.
    CHECK(p.client("127.0.0.1", {"1.1.1.1, 203.0.113.9, 10.1.2.3"}) == "203.0.113.9");
    // One list split over several fields, in order.
    CHECK(p.client("127.0.0.1", {"1.1.1.1", "203.0.113.9, 10.1.2.3"}) == "203.0.113.9");
    // Every hop ours: the farthest one.
    CHECK(p.client("127.0.0.1", {"10.9.9.9, 10.1.2.3"}) == "10.9.9.9");
    // Canonical form, ports and brackets as some proxies write them.
    CHECK(p.client("127.0.0.1", {"2001:DB8::0:1"}) == "2001:db8::1");
    CHECK(p.client("127.0.0.1", {"[2001:db8::1]:4711"}) == "2001:db8::1");
    CHECK(p.client("127.0.0.1", {"203.0.113.9:4711"}) == "203.0.113.9");
    CHECK(p.client("::ffff:127.0.0.1", {"203.0.113.9"}) == "203.0.113.9");
}

TEST_CASE("malformed forwarded values fall back to the peer") {
    const auto p = proxies("127.0.0.1/32");
    for (const char* value : {"", " ", "unknown", "203.0.113.9,", "203.0.113.9 198.51.100.1",
                              "999.1.1.1", "[2001:db8::1", "[2001:db8::1]x", "203.0.113.9:port", "203.0.113.9:123456",
                              "1.2.3.4:5:6", "\x01\x02", "_"}) {
        INFO(value);
        CHECK(p.client("127.0.0.1", {value}) == "127.0.0.1");
    }
    // Garbage left of the first untrusted address is never reached.
    CHECK(p.client("127.0.0.1", {"garbage, 203.0.113.9"}) == "203.0.113.9");
    const std::string huge(20000, '9');
    CHECK(p.client("127.0.0.1", {huge}) == "127.0.0.1");
}
