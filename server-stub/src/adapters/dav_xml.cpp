#include "adapters/dav_xml.h"

#include <cstdint>
#include <map>

namespace slotwise::server::adapters::dav {
namespace {

bool name_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
           c == '.' || c == ':' || static_cast<unsigned char>(c) >= 0x80;
}
bool space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

void append_utf8(std::string& out, std::uint32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xc0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xe0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
        out += static_cast<char>(0x80 | (cp & 0x3f));
    } else {
        out += static_cast<char>(0xf0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
        out += static_cast<char>(0x80 | (cp & 0x3f));
    }
}

// Appends `raw` with its references decoded; false on a reference XML does not define.
bool decode(std::string_view raw, std::string& out) {
    for (std::size_t i = 0; i < raw.size();) {
        if (raw[i] != '&') {
            out += raw[i++];
            continue;
        }
        std::size_t semi = raw.find(';', i);
        if (semi == std::string_view::npos || semi - i > 12) return false;
        std::string_view ref = raw.substr(i + 1, semi - i - 1);
        if (ref == "lt") out += '<';
        else if (ref == "gt") out += '>';
        else if (ref == "amp") out += '&';
        else if (ref == "quot") out += '"';
        else if (ref == "apos") out += '\'';
        else if (ref.size() > 1 && ref[0] == '#') {
            std::uint32_t cp = 0;
            bool hex = ref[1] == 'x';
            std::string_view digits = ref.substr(hex ? 2 : 1);
            if (digits.empty()) return false;
            for (char c : digits) {
                int v;
                if (c >= '0' && c <= '9') v = c - '0';
                else if (hex && c >= 'a' && c <= 'f') v = c - 'a' + 10;
                else if (hex && c >= 'A' && c <= 'F') v = c - 'A' + 10;
                else return false;
                cp = cp * (hex ? 16 : 10) + static_cast<std::uint32_t>(v);
                if (cp > 0x10ffff) return false;
            }
            if (cp == 0 || (cp >= 0xd800 && cp <= 0xdfff)) return false;
            append_utf8(out, cp);
        } else {
            return false;  // no DTD, so no other entity exists
        }
        i = semi + 1;
    }
    return true;
}

class Parser {
public:
    Parser(std::string_view s, int max_depth) : s_(s), max_depth_(max_depth) {}

    std::optional<Element> document() {
        if (s_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = 3;
        if (!skip_misc()) return std::nullopt;
        if (pos_ >= s_.size() || s_[pos_] != '<') return std::nullopt;
        Element root;
        std::map<std::string, std::string> no_prefixes;
        if (!element(root, no_prefixes, 1)) return std::nullopt;
        if (!skip_misc() || pos_ != s_.size()) return std::nullopt;
        return root;
    }

private:
    bool starts(std::string_view what) const { return s_.substr(pos_, what.size()) == what; }
    bool skip_past(std::string_view what) {
        std::size_t at = s_.find(what, pos_);
        if (at == std::string_view::npos) return false;
        pos_ = at + what.size();
        return true;
    }
    void skip_space() {
        while (pos_ < s_.size() && space(s_[pos_])) ++pos_;
    }
    // Whitespace, comments and processing instructions (the XML declaration among them).
    bool skip_misc() {
        for (;;) {
            skip_space();
            if (starts("<?")) {
                if (!skip_past("?>")) return false;
            } else if (starts("<!--")) {
                if (!skip_past("-->")) return false;
            } else if (starts("<!")) {
                return false;  // DOCTYPE: refused outright
            } else {
                return true;
            }
        }
    }
    std::string_view name() {
        std::size_t start = pos_;
        while (pos_ < s_.size() && name_char(s_[pos_])) ++pos_;
        return s_.substr(start, pos_ - start);
    }
    static bool resolve(std::string_view qname, const std::map<std::string, std::string>& prefixes, std::string& ns,
                        std::string& local) {
        std::size_t colon = qname.find(':');
        std::string prefix = colon == std::string_view::npos ? "" : std::string(qname.substr(0, colon));
        local = std::string(colon == std::string_view::npos ? qname : qname.substr(colon + 1));
        if (local.empty() || local.find(':') != std::string::npos) return false;
        auto it = prefixes.find(prefix);
        if (it == prefixes.end()) {
            if (!prefix.empty()) return false;  // an undeclared prefix
            ns.clear();
            return true;
        }
        ns = it->second;
        return true;
    }

    bool element(Element& out, const std::map<std::string, std::string>& outer, int depth) {
        if (depth > max_depth_) return false;
        ++pos_;  // '<'
        std::string_view qname = name();
        if (qname.empty()) return false;
        std::map<std::string, std::string> prefixes = outer;
        for (;;) {
            skip_space();
            if (pos_ >= s_.size()) return false;
            char c = s_[pos_];
            if (c == '/' || c == '>') break;
            std::string_view attribute = name();
            if (attribute.empty()) return false;
            skip_space();
            if (pos_ >= s_.size() || s_[pos_] != '=') return false;
            ++pos_;
            skip_space();
            if (pos_ >= s_.size() || (s_[pos_] != '"' && s_[pos_] != '\'')) return false;
            char quote = s_[pos_++];
            std::size_t end = s_.find(quote, pos_);
            if (end == std::string_view::npos) return false;
            std::string value;
            if (!decode(s_.substr(pos_, end - pos_), value)) return false;
            pos_ = end + 1;
            if (attribute == "xmlns") prefixes[""] = value;
            else if (attribute.substr(0, 6) == "xmlns:") prefixes[std::string(attribute.substr(6))] = value;
            else if (out.attributes.size() < 16) out.attributes.emplace_back(attribute, std::move(value));
        }
        if (!resolve(qname, prefixes, out.ns, out.name)) return false;
        if (starts("/>")) {
            pos_ += 2;
            return true;
        }
        ++pos_;  // '>'
        for (;;) {
            std::size_t lt = s_.find('<', pos_);
            if (lt == std::string_view::npos) return false;
            if (!decode(s_.substr(pos_, lt - pos_), out.text)) return false;
            pos_ = lt;
            if (starts("</")) {
                pos_ += 2;
                if (name() != qname) return false;
                skip_space();
                if (pos_ >= s_.size() || s_[pos_] != '>') return false;
                ++pos_;
                return true;
            }
            if (starts("<![CDATA[")) {
                std::size_t end = s_.find("]]>", pos_ + 9);
                if (end == std::string_view::npos) return false;
                out.text.append(s_.substr(pos_ + 9, end - pos_ - 9));
                pos_ = end + 3;
            } else if (starts("<!--")) {
                if (!skip_past("-->")) return false;
            } else if (starts("<?")) {
                if (!skip_past("?>")) return false;
            } else if (starts("<!")) {
                return false;
            } else {
                out.children.emplace_back();
                if (!element(out.children.back(), prefixes, depth + 1)) return false;
            }
        }
    }

    std::string_view s_;
    std::size_t pos_ = 0;
    int max_depth_;
};

const Element* find_in(const Element& e, std::string_view ns, std::string_view name) {
    for (const Element& c : e.children) {
        if (c.is(ns, name)) return &c;
        if (const Element* below = find_in(c, ns, name)) return below;
    }
    return nullptr;
}

}  // namespace

const Element* Element::child(std::string_view ns_, std::string_view name_) const {
    for (const Element& c : children)
        if (c.is(ns_, name_)) return &c;
    return nullptr;
}

std::vector<const Element*> Element::all(std::string_view ns_, std::string_view name_) const {
    std::vector<const Element*> out;
    for (const Element& c : children)
        if (c.is(ns_, name_)) out.push_back(&c);
    return out;
}

std::string Element::attribute(std::string_view name_) const {
    for (const auto& [n, v] : attributes)
        if (n == name_) return v;
    return {};
}

const Element* Element::find(std::string_view ns_, std::string_view name_) const { return find_in(*this, ns_, name_); }

std::optional<Element> parse(std::string_view xml, int max_depth) { return Parser(xml, max_depth).document(); }

std::string escape(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            default: out += c;
        }
    }
    return out;
}

}  // namespace slotwise::server::adapters::dav
