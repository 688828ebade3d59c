#include "mail/mail_options.h"

#include <cctype>
#include <cstdlib>

namespace slotwise::server::mail {

namespace {

std::string percent_decode(const std::string& text, const std::string& what) {
    auto hex = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    };
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '%') {
            out += text[i];
            continue;
        }
        if (i + 2 >= text.size() || hex(text[i + 1]) < 0 || hex(text[i + 2]) < 0)
            throw MailConfigError("--smtp: the " + what + " has a '%' that is not followed by two hex digits");
        out += static_cast<char>(hex(text[i + 1]) * 16 + hex(text[i + 2]));
        i += 2;
    }
    for (const char c : out)
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F)
            throw MailConfigError("--smtp: the " + what + " must not contain control characters");
    return out;
}

std::optional<std::string> from_env(const char* name) {
    const char* value = std::getenv(name);
    if (value && *value) return std::string(value);
    return std::nullopt;
}

}  // namespace

std::string SmtpConfig::curl_url() const {
    const std::string shown_host = host.find(':') != std::string::npos ? "[" + host + "]" : host;
    return std::string(security == Security::implicit_tls ? "smtps://" : "smtp://") + shown_host + ":" + std::to_string(port);
}

std::string SmtpConfig::redacted() const {
    const std::string scheme = security == Security::plain      ? "smtp://"
                               : security == Security::starttls ? "smtp+starttls://"
                                                                : "smtps://";
    const std::string shown_host = host.find(':') != std::string::npos ? "[" + host + "]" : host;
    return scheme + (username.empty() ? "" : username + ":***@") + shown_host + ":" + std::to_string(port);
}

SmtpConfig parse_smtp_url(const std::string& url) {
    SmtpConfig config;
    const auto scheme_end = url.find("://");
    if (scheme_end == std::string::npos)
        throw MailConfigError("--smtp needs a URL like smtp://host:port, smtp+starttls://user:pass@host:port or smtps://user:pass@host:port");
    const std::string scheme = url.substr(0, scheme_end);
    if (scheme == "smtp") config.security = SmtpConfig::Security::plain, config.port = 25;
    else if (scheme == "smtp+starttls") config.security = SmtpConfig::Security::starttls, config.port = 587;
    else if (scheme == "smtps") config.security = SmtpConfig::Security::implicit_tls, config.port = 465;
    else throw MailConfigError("--smtp: unknown scheme '" + scheme + "' (use smtp, smtp+starttls or smtps)");

    std::string authority = url.substr(scheme_end + 3);
    if (!authority.empty() && authority.back() == '/') authority.pop_back();
    if (authority.find_first_of("/?#") != std::string::npos)
        throw MailConfigError("--smtp: the URL may hold only [user:pass@]host[:port], no path, query or fragment");
    if (const auto at = authority.rfind('@'); at != std::string::npos) {
        const std::string userinfo = authority.substr(0, at);
        authority = authority.substr(at + 1);
        const auto colon = userinfo.find(':');
        config.username = percent_decode(userinfo.substr(0, colon), "user name");
        if (colon != std::string::npos) config.password = percent_decode(userinfo.substr(colon + 1), "password");
        if (config.username.empty()) throw MailConfigError("--smtp: the user name is empty");
        if (config.security == SmtpConfig::Security::plain)
            throw MailConfigError("--smtp: a user name and password would cross the network in clear over smtp://; "
                                  "use smtp+starttls:// or smtps://");
    }
    std::string port_text;
    if (!authority.empty() && authority.front() == '[') {
        const auto close = authority.find(']');
        if (close == std::string::npos) throw MailConfigError("--smtp: an IPv6 host needs its closing ']'");
        config.host = authority.substr(1, close - 1);
        const std::string rest = authority.substr(close + 1);
        if (!rest.empty() && rest.front() != ':') throw MailConfigError("--smtp: unexpected text after the IPv6 host");
        if (!rest.empty()) port_text = rest.substr(1);
        for (const char c : config.host)
            if (!std::isxdigit(static_cast<unsigned char>(c)) && c != ':' && c != '.')
                throw MailConfigError("--smtp: '" + config.host + "' is not an IPv6 address");
    } else {
        const auto colon = authority.find(':');
        config.host = authority.substr(0, colon);
        if (colon != std::string::npos) port_text = authority.substr(colon + 1);
        for (const char c : config.host)
            if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '.')
                throw MailConfigError("--smtp: '" + config.host + "' is not a host name");
    }
    if (config.host.empty()) throw MailConfigError("--smtp: the URL needs a host");
    if (!port_text.empty() || authority.find(':') != std::string::npos) {
        bool digits = !port_text.empty() && port_text.size() <= 5;
        for (const char c : port_text) digits = digits && c >= '0' && c <= '9';
        const int port = digits ? std::stoi(port_text) : 0;
        if (port < 1 || port > 65535) throw MailConfigError("--smtp: the port must be a number from 1 to 65535");
        config.port = port;
    }
    return config;
}

MailOptions resolve_mail_options(const std::optional<std::string>& smtp_flag, const std::optional<std::string>& from_flag,
                                 const std::optional<std::string>& dir_flag, const std::optional<std::string>& ca_file_flag,
                                 const std::string& default_mail_dir) {
    MailOptions options;
    if (const auto url = smtp_flag ? smtp_flag : from_env("SLOTWISE_SMTP_URL")) {
        options.smtp = parse_smtp_url(*url);
        if (const auto ca_file = ca_file_flag ? ca_file_flag : from_env("SLOTWISE_SMTP_CA_FILE")) {
            if (options.smtp->security == SmtpConfig::Security::plain)
                throw MailConfigError("--smtp-ca-file needs an smtp+starttls:// or smtps:// server");
            options.smtp->ca_file = *ca_file;
        }
    } else if (ca_file_flag) throw MailConfigError("--smtp-ca-file needs --smtp");
    if (const auto from = from_flag ? from_flag : from_env("SLOTWISE_MAIL_FROM")) {
        try {
            options.from = parse_mailbox(*from);
        } catch (const MailFormatError& e) {
            throw MailConfigError(std::string("--mail-from: ") + e.what());
        }
    }
    options.mail_dir = dir_flag ? *dir_flag : default_mail_dir;
    if (options.mail_dir.empty()) throw MailConfigError("--mail-dir must not be empty");
    return options;
}

}  // namespace slotwise::server::mail
