#include "mail/message.h"

#include <ctime>

#include "support/crypto.h"

namespace slotwise::server::mail {

namespace {

constexpr std::size_t kMaxLine = 78;
// 39 bytes of UTF-8 become 52 base64 characters: "=?UTF-8?B?" + 52 + "?=" is
// 64, so "Subject: " plus one encoded word still fits in 78.
constexpr std::size_t kEncodedWordBytes = 39;

bool is_utf8(const std::string& s) {
    std::size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        std::size_t extra = 0;
        unsigned long code = 0;
        if (c < 0x80) { ++i; continue; }
        if (c >= 0xC2 && c <= 0xDF) { extra = 1; code = c & 0x1F; }
        else if (c >= 0xE0 && c <= 0xEF) { extra = 2; code = c & 0x0F; }
        else if (c >= 0xF0 && c <= 0xF4) { extra = 3; code = c & 0x07; }
        else return false;
        if (i + extra >= s.size()) return false;
        for (std::size_t k = 1; k <= extra; ++k) {
            const auto cc = static_cast<unsigned char>(s[i + k]);
            if ((cc & 0xC0) != 0x80) return false;
            code = (code << 6) | (cc & 0x3F);
        }
        // Overlong forms, surrogates and values beyond U+10FFFF.
        if ((extra == 2 && code < 0x800) || (extra == 3 && (code < 0x10000 || code > 0x10FFFF)) ||
            (code >= 0xD800 && code <= 0xDFFF))
            return false;
        i += extra + 1;
    }
    return true;
}

// Every header value passes here first: CR or LF would let a value start a
// header of its own (or the body), NUL is not allowed in a message at all.
void check_header_input(const std::string& what, const std::string& value) {
    if (value.find_first_of(std::string("\r\n\0", 3)) != std::string::npos)
        throw MailFormatError("MAIL_HEADER_INVALID", what + " must not contain CR, LF or NUL");
    if (!is_utf8(value)) throw MailFormatError("MAIL_NOT_UTF8", what + " is not valid UTF-8");
}

bool printable_ascii(const std::string& s) {
    for (const char c : s)
        if (c < 0x20 || c > 0x7E) return false;
    return true;
}

bool is_atext(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           std::string_view("!#$%&'*+-/=?^_`{|}~").find(c) != std::string_view::npos;
}

// A value made of tokens separated by single spaces, folded before a token
// that would carry the line past 78 characters. Unfolding (removing each
// CRLF) gives back the tokens joined by spaces.
std::string folded_header(const std::string& name, const std::vector<std::string>& tokens) {
    std::string out = name + ":";
    std::size_t line = out.size();
    for (const auto& token : tokens) {
        if (line + 1 + token.size() > kMaxLine && line > name.size() + 1) {
            out += "\r\n";
            line = 0;
        }
        out += " " + token;
        line += 1 + token.size();
    }
    return out + "\r\n";
}

std::vector<std::string> split_spaces(const std::string& s) {
    std::vector<std::string> parts;
    std::size_t start = 0;
    for (;;) {
        const auto space = s.find(' ', start);
        parts.push_back(s.substr(start, space - start));
        if (space == std::string::npos) return parts;
        start = space + 1;
    }
}

std::vector<std::string> encoded_words(const std::string& utf8) {
    std::vector<std::string> words;
    std::size_t i = 0;
    while (i < utf8.size()) {
        std::size_t end = std::min(utf8.size(), i + kEncodedWordBytes);
        // Never split a character: an encoded word must decode on its own.
        while (end < utf8.size() && (static_cast<unsigned char>(utf8[end]) & 0xC0) == 0x80) --end;
        std::string chunk = utf8.substr(i, end - i);
        words.push_back("=?UTF-8?B?" + base64_lines(chunk) + "?=");
        i = end;
    }
    if (words.empty()) words.push_back("=?UTF-8?B?" "?=");  // split: "??=" is a trigraph
    return words;
}

// Plain text is kept when a reader (and any parser) would see exactly the
// input; anything else becomes encoded words.
bool needs_encoding(const std::string& s) {
    if (!printable_ascii(s) || s.find("=?") != std::string::npos) return true;
    if (!s.empty() && (s.front() == ' ' || s.back() == ' ')) return true;
    if (s.find("  ") != std::string::npos) return true;
    for (const auto& word : split_spaces(s))
        if (word.size() > 70) return true;
    return false;
}

// In a phrase, runs of white space mean one space (RFC 5322 3.2.2) and
// parsers treat them so; normalising here keeps what is sent what is read.
std::string normalise_display_name(const std::string& name) {
    std::string out;
    for (const char c : name) {
        const bool space = c == ' ' || c == '\t';
        if (space && (out.empty() || out.back() == ' ')) continue;
        out += space ? ' ' : c;
    }
    if (!out.empty() && out.back() == ' ') out.pop_back();
    return out;
}

std::vector<std::string> display_name_tokens(const std::string& raw_name) {
    const std::string name = normalise_display_name(raw_name);
    if (name.empty()) return {};
    if (needs_encoding(name) || name.size() > 60) return encoded_words(name);
    bool atoms = true;
    for (const char c : name) atoms = atoms && (c == ' ' || is_atext(c));
    if (atoms) return split_spaces(name);
    std::string quoted = "\"";
    for (const char c : name) {
        if (c == '"' || c == '\\') quoted += '\\';
        quoted += c;
    }
    return {quoted + "\""};
}

std::vector<std::string> mailbox_tokens(const MailAddress& box, bool last) {
    check_header_input("a display name", box.name);
    check_address(box.address);
    auto tokens = display_name_tokens(box.name);
    tokens.push_back(tokens.empty() ? box.address : "<" + box.address + ">");
    if (!last) tokens.back() += ",";
    return tokens;
}

std::string hex_key(const MailMessage& message, const std::string& purpose) {
    return sha256_hex(purpose + "\n" + message.key);
}

// RFC 2231 attr-char: what may stand unencoded in an extended parameter.
bool is_attr_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           std::string_view("!#$&+-.^_`|~").find(c) != std::string_view::npos;
}

std::string filename_parameters(const std::string& filename) {
    check_header_input("an attachment's filename", filename);
    bool simple = !filename.empty() && filename.size() <= 60 && printable_ascii(filename);
    for (const char c : filename) simple = simple && c != '"' && c != '\\';
    if (simple) return ";\r\n filename=\"" + filename + "\"";
    // RFC 2231 continuations, each segment on a line of its own.
    std::vector<std::string> pieces;
    std::string piece;
    static const char* hex = "0123456789ABCDEF";
    for (const char ch : filename) {
        const auto c = static_cast<unsigned char>(ch);
        std::string unit = is_attr_char(ch) ? std::string(1, ch) : std::string{'%', hex[c >> 4], hex[c & 15]};
        if (piece.size() + unit.size() > 48) {
            pieces.push_back(piece);
            piece.clear();
        }
        piece += unit;
    }
    pieces.push_back(piece);
    std::string out;
    for (std::size_t i = 0; i < pieces.size(); ++i)
        out += ";\r\n filename*" + std::to_string(i) + "*=" + (i == 0 ? "UTF-8''" : "") + pieces[i];
    return out;
}

void check_content_type(const std::string& content_type) {
    check_header_input("an attachment's content type", content_type);
    const auto slash = content_type.find('/');
    if (!printable_ascii(content_type) || slash == std::string::npos || slash == 0 ||
        content_type.size() > 200)
        throw MailFormatError("MAIL_HEADER_INVALID", "an attachment's content type must be ASCII type/subtype[; parameters]");
}

std::string normalise_line_ends(const std::string& text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '\r') {
            if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
            out += '\n';
        } else out += text[i];
    }
    return out;
}

std::string text_part(const std::string& subtype, const std::string& body) {
    if (!is_utf8(body)) throw MailFormatError("MAIL_NOT_UTF8", "the " + subtype + " body is not valid UTF-8");
    return "Content-Type: text/" + subtype + "; charset=UTF-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n" +
           quoted_printable(normalise_line_ends(body));
}

// Parts are quoted-printable or base64, neither of which can hold "=_"
// (QP writes '=' only before two hex digits or a line end; base64 has no '_'),
// so a boundary starting with "=_" cannot occur in them. The loop is a guard
// against a future part encoding that loses that property.
std::string multipart(const MailMessage& message, const std::string& subtype, const std::vector<std::string>& parts) {
    std::string boundary;
    for (int salt = 0;; ++salt) {
        boundary = "=_sw_" + hex_key(message, subtype + std::to_string(salt)).substr(0, 28);
        bool clash = false;
        for (const auto& part : parts) clash = clash || part.find(boundary) != std::string::npos;
        if (!clash) break;
    }
    std::string out = "Content-Type: multipart/" + subtype + ";\r\n boundary=\"" + boundary + "\"\r\n\r\n";
    for (const auto& part : parts) out += "--" + boundary + "\r\n" + part + "\r\n";
    return out + "--" + boundary + "--\r\n";
}

}  // namespace

void check_address(const std::string& address) {
    const auto at = address.rfind('@');
    auto invalid = [&](const std::string& why) {
        throw MailFormatError("MAIL_ADDRESS_INVALID", "'" + (printable_ascii(address) ? address : "(not printable)") +
                                                           "' is not an email address: " + why);
    };
    if (at == std::string::npos || at == 0 || at + 1 == address.size()) invalid("it needs local@domain");
    if (address.size() > 254 || at > 64) invalid("it is too long");
    const std::string local = address.substr(0, at), domain = address.substr(at + 1);
    if (local.front() == '.' || local.back() == '.' || local.find("..") != std::string::npos)
        invalid("dots may not start, end or repeat in the local part");
    for (const char c : local)
        if (c != '.' && !is_atext(c)) invalid("the local part has a character mail does not allow unquoted");
    for (const auto& label : [&] {
             std::vector<std::string> labels;
             std::size_t start = 0;
             for (std::size_t dot; (dot = domain.find('.', start)) != std::string::npos; start = dot + 1)
                 labels.push_back(domain.substr(start, dot - start));
             labels.push_back(domain.substr(start));
             return labels;
         }()) {
        if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-')
            invalid("the domain is not a host name");
        for (const char c : label)
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'))
                invalid("the domain is not an ASCII host name");
    }
}

MailAddress parse_mailbox(const std::string& text) {
    check_header_input("a mailbox", text);
    auto trim = [](std::string s) {
        while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.erase(0, 1);
        while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.pop_back();
        return s;
    };
    const std::string value = trim(text);
    MailAddress box;
    const auto open = value.rfind('<');
    if (open != std::string::npos && !value.empty() && value.back() == '>') {
        box.address = value.substr(open + 1, value.size() - open - 2);
        box.name = trim(value.substr(0, open));
        if (box.name.size() >= 2 && box.name.front() == '"' && box.name.back() == '"')
            box.name = box.name.substr(1, box.name.size() - 2);
    } else box.address = value;
    check_address(box.address);
    return box;
}

std::string message_id(const MailMessage& message) {
    if (message.key.empty()) throw MailFormatError("MAIL_KEY_MISSING", "a message needs a key for its Message-ID");
    check_address(message.from.address);
    std::string domain = message.from.address.substr(message.from.address.rfind('@') + 1);
    for (char& c : domain) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return "<" + hex_key(message, "message-id").substr(0, 32) + "@" + domain + ">";
}

std::string encode_header_words(const std::string& utf8) {
    std::string out;
    for (const auto& word : encoded_words(utf8)) out += (out.empty() ? "" : " ") + word;
    return out;
}

std::string quoted_printable(const std::string& bytes) {
    static const char* hex = "0123456789ABCDEF";
    std::string out, line;
    auto flush_soft = [&] {
        out += line + "=\r\n";
        line.clear();
    };
    std::size_t start = 0;
    for (;;) {
        const auto newline = bytes.find('\n', start);
        const std::string input = bytes.substr(start, newline == std::string::npos ? std::string::npos : newline - start);
        for (std::size_t i = 0; i < input.size(); ++i) {
            const auto c = static_cast<unsigned char>(input[i]);
            const bool last = i + 1 == input.size();
            // Trailing white space is encoded (transports strip it), and a
            // leading dot too, so that no line of the body can read as SMTP's
            // end of data whatever the transport does.
            const bool literal = ((c >= 33 && c <= 126 && c != '=') || ((c == ' ' || c == '\t') && !last)) &&
                                 !(c == '.' && line.empty());
            const std::string unit = literal ? std::string(1, static_cast<char>(c)) : std::string{'=', hex[c >> 4], hex[c & 15]};
            if (line.size() + unit.size() > 75) flush_soft();
            line += unit;
        }
        out += line;
        line.clear();
        if (newline == std::string::npos) return out;
        out += "\r\n";
        start = newline + 1;
    }
}

std::string base64_lines(const std::string& bytes) {
    static const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    std::size_t column = 0;
    for (std::size_t i = 0; i < bytes.size(); i += 3) {
        unsigned long n = static_cast<unsigned char>(bytes[i]) << 16;
        if (i + 1 < bytes.size()) n |= static_cast<unsigned char>(bytes[i + 1]) << 8;
        if (i + 2 < bytes.size()) n |= static_cast<unsigned char>(bytes[i + 2]);
        if (column == 76) {
            out += "\r\n";
            column = 0;
        }
        out += alphabet[(n >> 18) & 63];
        out += alphabet[(n >> 12) & 63];
        out += i + 1 < bytes.size() ? alphabet[(n >> 6) & 63] : '=';
        out += i + 2 < bytes.size() ? alphabet[n & 63] : '=';
        column += 4;
    }
    return out;
}

std::string rfc5322_date(std::int64_t unix_seconds) {
    static const char* days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    const std::time_t t = static_cast<std::time_t>(unix_seconds);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%s, %02d %s %04d %02d:%02d:%02d +0000", days[tm.tm_wday], tm.tm_mday,
                  months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
    return buffer;
}

std::string render_rfc5322(const MailMessage& message, std::int64_t unix_seconds) {
    if (message.to.empty()) throw MailFormatError("MAIL_NO_RECIPIENT", "a message needs at least one recipient");
    check_header_input("the subject", message.subject);
    std::string out = "Date: " + rfc5322_date(unix_seconds) + "\r\n";
    out += folded_header("From", mailbox_tokens(message.from, true));
    std::vector<std::string> to;
    for (std::size_t i = 0; i < message.to.size(); ++i) {
        const auto tokens = mailbox_tokens(message.to[i], i + 1 == message.to.size());
        to.insert(to.end(), tokens.begin(), tokens.end());
    }
    out += folded_header("To", to);
    out += folded_header("Subject", needs_encoding(message.subject) ? encoded_words(message.subject)
                                                                    : split_spaces(message.subject));
    out += "Message-ID: " + message_id(message) + "\r\n";
    out += "MIME-Version: 1.0\r\n";
    // RFC 3834: tells auto-responders not to answer.
    out += "Auto-Submitted: auto-generated\r\n";

    std::string body = text_part("plain", message.text);
    if (message.html) body = multipart(message, "alternative", {body, text_part("html", *message.html)});
    if (!message.attachments.empty()) {
        std::vector<std::string> parts{body};
        for (const auto& attachment : message.attachments) {
            check_content_type(attachment.content_type);
            parts.push_back("Content-Type: " + attachment.content_type +
                            "\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: attachment" +
                            filename_parameters(attachment.filename) + "\r\n\r\n" + base64_lines(attachment.bytes));
        }
        body = multipart(message, "mixed", parts);
    }
    out += body;
    if (out.size() < 2 || out.compare(out.size() - 2, 2, "\r\n") != 0) out += "\r\n";
    return out;
}

}  // namespace slotwise::server::mail
