// The mail flags of api.md ("Email"): --smtp URL, --mail-from ADDRESS,
// --mail-dir DIR, --smtp-ca-file FILE, and their environment fallbacks.
#pragma once

#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>

#include "mail/message.h"

namespace slotwise::server::mail {

struct SmtpConfig {
    enum class Security { plain, starttls, implicit_tls };
    Security security = Security::plain;
    std::string host;  // IPv6 literals without brackets
    int port = 25;
    std::string username, password;  // percent-decoded; empty username = no AUTH
    std::string ca_file;             // trust this CA (PEM) instead of the system store; for tests
    std::chrono::milliseconds connect_timeout{10'000};
    // The whole conversation, connect to QUIT: a stalled server costs a
    // worker at most this long.
    std::chrono::milliseconds send_timeout{60'000};

    // The URL handed to libcurl: smtp:// or smtps://, host and port only.
    std::string curl_url() const;
    // For logs: the URL without the password.
    std::string redacted() const;
};

// A flag value that cannot work; main turns it into exit code 2.
struct MailConfigError : std::invalid_argument {
    using std::invalid_argument::invalid_argument;
};

// smtp://host[:port] (port 25), smtp+starttls://[user:pass@]host[:port]
// (587; STARTTLS required), smtps://[user:pass@]host[:port] (465; implicit
// TLS). User and password are percent-decoded. Throws MailConfigError.
SmtpConfig parse_smtp_url(const std::string& url);

struct MailOptions {
    std::optional<SmtpConfig> smtp;  // none: write .eml files into mail_dir
    MailAddress from{"Slotwise", "slotwise@localhost"};
    std::string mail_dir;
};

// Flags first, then SLOTWISE_SMTP_URL, SLOTWISE_MAIL_FROM, SLOTWISE_SMTP_CA_FILE;
// `default_mail_dir` when --mail-dir is not given. Throws MailConfigError.
MailOptions resolve_mail_options(const std::optional<std::string>& smtp_flag, const std::optional<std::string>& from_flag,
                                 const std::optional<std::string>& dir_flag, const std::optional<std::string>& ca_file_flag,
                                 const std::string& default_mail_dir);

}  // namespace slotwise::server::mail
