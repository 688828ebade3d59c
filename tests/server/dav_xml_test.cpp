// The WebDAV XML reader (server-stub/src/adapters/dav_xml.*): namespaces as
// servers actually spell them, character data in its three forms, and the
// refusals that keep a hostile answer cheap.
#include <catch2/catch.hpp>

#include <string>

#include "adapters/dav_xml.h"

using namespace slotwise::server::adapters;

TEST_CASE("prefixes, default namespaces and redeclarations resolve to the same names", "[dav_xml]") {
    auto spelling = GENERATE(
        std::string(R"(<d:multistatus xmlns:d="DAV:" xmlns:cal="urn:ietf:params:xml:ns:caldav"><d:response>)"
                    R"(<d:href>/a/</d:href><cal:calendar-data>X</cal:calendar-data></d:response></d:multistatus>)"),
        std::string(R"(<multistatus xmlns="DAV:"><response><href>/a/</href>)"
                    R"(<C:calendar-data xmlns:C="urn:ietf:params:xml:ns:caldav">X</C:calendar-data></response></multistatus>)"),
        std::string(R"(<?xml version="1.0" encoding="utf-8"?>)"
                    "\n<!-- a comment -->\n"
                    R"(<D:multistatus xmlns:D="DAV:"><D:response><D:href>/a/</D:href>)"
                    R"(<calendar-data xmlns="urn:ietf:params:xml:ns:caldav">X</calendar-data></D:response></D:multistatus>)"),
        std::string("\xEF\xBB\xBF" R"(<x:multistatus xmlns:x='DAV:'><x:response><x:href>/a/</x:href>)"
                    R"(<x:calendar-data xmlns:x="urn:ietf:params:xml:ns:caldav">X</x:calendar-data></x:response></x:multistatus>)"));
    INFO(spelling);
    auto doc = dav::parse(spelling);
    REQUIRE(doc);
    CHECK(doc->is(dav::kDav, "multistatus"));
    const dav::Element* response = doc->child(dav::kDav, "response");
    REQUIRE(response);
    REQUIRE(response->child(dav::kDav, "href"));
    CHECK(response->child(dav::kDav, "href")->text == "/a/");
    const dav::Element* data = response->child(dav::kCaldav, "calendar-data");
    REQUIRE(data);
    CHECK(data->text == "X");
    CHECK(response->child(dav::kDav, "calendar-data") == nullptr);  // same local name, other namespace
    CHECK(doc->find(dav::kCaldav, "calendar-data") == data);
}

TEST_CASE("character data: entities, character references and CDATA", "[dav_xml]") {
    auto doc = dav::parse(
        "<a xmlns=\"DAV:\" note=\"x &amp; y\">BEGIN:VCALENDAR&#13;\n&lt;&gt;&amp;&quot;&apos;&#x20AC;"
        "<![CDATA[<not markup> & ]]>end</a>");
    REQUIRE(doc);
    CHECK(doc->text == "BEGIN:VCALENDAR\r\n<>&\"'\xE2\x82\xAC<not markup> & end");
    CHECK(doc->attribute("note") == "x & y");
    CHECK(dav::escape("a<b>&\"c") == "a&lt;b&gt;&amp;&quot;c");
}

TEST_CASE("what is refused", "[dav_xml]") {
    auto bad = GENERATE(
        std::string(""), std::string("not xml"), std::string("<a>"), std::string("<a></b>"),
        std::string("<a xmlns=\"DAV:\"><b></a></b>"), std::string("<p:a/>"),  // undeclared prefix
        std::string("<!DOCTYPE a [<!ENTITY e \"eeee\">]><a>&e;</a>"), std::string("<a>&e;</a>"),
        std::string("<a>&#0;</a>"), std::string("<a>&#xD800;</a>"), std::string("<a>&#1114112;</a>"),
        std::string("<a><![CDATA[open</a>"), std::string("<a/><b/>"), std::string("<a b=c/>"),
        std::string(60, '<'));
    INFO(bad);
    CHECK_FALSE(dav::parse(bad));
}

TEST_CASE("nesting deeper than the limit is refused, within it read", "[dav_xml]") {
    auto nested = [](int depth) {
        std::string s;
        for (int i = 0; i < depth; ++i) s += "<a>";
        for (int i = 0; i < depth; ++i) s += "</a>";
        return s;
    };
    CHECK(dav::parse(nested(48)));
    CHECK_FALSE(dav::parse(nested(49)));
    CHECK_FALSE(dav::parse(nested(200000)));  // no stack overflow: refused at the limit
}
