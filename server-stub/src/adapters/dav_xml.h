// The XML of WebDAV answers (RFC 4918 multistatus, CalDAV, sync-collection),
// read into a small tree with namespaces resolved, for caldav_client.*.
//
// Written here rather than taken from a general XML library because the
// answers come from a server the provider chose: this reader knows no DTDs
// and no entities beyond XML's five and character references (nothing to
// expand, nothing to fetch), and refuses nesting deeper than a limit, so a
// hostile answer costs at most a linear pass over its bytes.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace slotwise::server::adapters::dav {

inline constexpr std::string_view kDav = "DAV:";
inline constexpr std::string_view kCaldav = "urn:ietf:params:xml:ns:caldav";
inline constexpr std::string_view kCalendarServer = "http://calendarserver.org/ns/";

struct Element {
    std::string ns;    // the namespace URI ("" when none)
    std::string name;  // the local name
    std::string text;  // character data directly inside (entities and CDATA decoded), concatenated
    std::vector<Element> children;
    std::vector<std::pair<std::string, std::string>> attributes;  // as written, xmlns declarations left out

    // The value of an attribute without a prefix (C:comp's name), or empty.
    std::string attribute(std::string_view name_) const;

    bool is(std::string_view ns_, std::string_view name_) const { return ns == ns_ && name == name_; }
    // The first child of that name, or nullptr.
    const Element* child(std::string_view ns_, std::string_view name_) const;
    std::vector<const Element*> all(std::string_view ns_, std::string_view name_) const;
    // The first descendant of that name at any depth below this one, or nullptr.
    const Element* find(std::string_view ns_, std::string_view name_) const;
};

// The document element, or nullopt for anything that is not well-formed
// enough, has a DOCTYPE, or nests deeper than `max_depth`.
std::optional<Element> parse(std::string_view xml, int max_depth = 48);

// Text for an XML document body: &, <, > and " escaped.
std::string escape(std::string_view text);

}  // namespace slotwise::server::adapters::dav
