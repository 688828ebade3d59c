// One email as a value, and its RFC 5322 / MIME form. Nothing here does I/O:
// the senders (mail_sender.h) decide where the rendered bytes go.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace slotwise::server::mail {

struct MailAddress {
    std::string name;     // display name, any UTF-8; may be empty
    std::string address;  // addr-spec, ASCII: local@domain
};

struct MailAttachment {
    std::string filename;      // UTF-8
    std::string content_type;  // with parameters, e.g. "text/calendar; method=REQUEST; charset=UTF-8"
    std::string bytes;
};

struct MailMessage {
    // What makes a send "the same message": the Message-ID and the MIME
    // boundaries derive from it, so a retried send is byte-for-byte the same
    // mail (given the same date) and receivers can drop the duplicate.
    std::string key;
    MailAddress from;
    std::vector<MailAddress> to;
    std::string subject;
    std::string text;
    std::optional<std::string> html;
    std::vector<MailAttachment> attachments;
    // Unix seconds for the Date header; set when the mail is queued, so that a
    // retry does not change it. Senders use the current time when empty.
    std::optional<std::int64_t> date;
};

// A message that can never be sent as given (a header holding CR or LF,
// an address that is not an addr-spec, text that is not UTF-8). `code` is
// stable: MAIL_HEADER_INVALID, MAIL_ADDRESS_INVALID, MAIL_NOT_UTF8,
// MAIL_KEY_MISSING, MAIL_NO_RECIPIENT.
struct MailFormatError : std::invalid_argument {
    MailFormatError(std::string code, const std::string& detail) : std::invalid_argument(detail), code(std::move(code)) {}
    std::string code;
};

// Throws MailFormatError. ASCII local@domain with the characters RFC 5322's
// dot-atom allows; no quoted local parts, no internationalised addresses.
void check_address(const std::string& address);
// "Name <local@domain>" or "local@domain", as --mail-from takes it.
MailAddress parse_mailbox(const std::string& text);

// "<32 hex digits@sender's domain>", a function of the key and the sender's
// domain only.
std::string message_id(const MailMessage& message);

// The whole message, CRLF line ends, no line longer than 78 characters
// except where a header cannot be folded (never for generated parts).
// Throws MailFormatError.
std::string render_rfc5322(const MailMessage& message, std::int64_t unix_seconds);

// The JSON form a queued mail travels in (the mail.send job's payload):
// {"from"?: {"name", "address"}, "to": [{"name"?, "address"}], "subject",
//  "text", "html"?, "attachments"?: [{"filename", "content_type", "base64"}],
//  "date"?: unix seconds}. The key is not part of it: it is the job's key.
// from_json throws MailFormatError (MAIL_PAYLOAD_INVALID) for anything else.
void to_json(nlohmann::json& j, const MailMessage& message);
void from_json(const nlohmann::json& j, MailMessage& message);

// Pieces, exposed for tests.
std::string encode_header_words(const std::string& utf8);  // RFC 2047 B-encoded words, space separated
std::string quoted_printable(const std::string& bytes);     // CRLF line ends, lines <= 76
std::string base64_lines(const std::string& bytes);         // 76-character lines joined by CRLF
std::string rfc5322_date(std::int64_t unix_seconds);

}  // namespace slotwise::server::mail
