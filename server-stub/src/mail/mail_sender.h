// Where rendered messages go: an SMTP server (smtp_sender.cpp) or, with no
// server configured, a folder of .eml files (eml_folder_sender.cpp).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>

#include "mail/message.h"
#include "mail/mail_options.h"

namespace slotwise::server::mail {

// A send that did not happen. Transient: the same message may well go
// through later (server down or busy, a 4xx answer, a timeout, a TLS or
// login problem that an operator can fix); retry it. Permanent: sending it
// again cannot help (a 5xx answer to the recipient or the data, a malformed
// message); give up and keep the error.
struct MailSendError : std::runtime_error {
    enum class Kind { transient, permanent };
    MailSendError(Kind kind, std::string code, const std::string& detail)
        : std::runtime_error(detail), kind(kind), code(std::move(code)) {}
    bool transient() const { return kind == Kind::transient; }
    Kind kind;
    std::string code;  // stable: SMTP_UNREACHABLE, SMTP_TIMEOUT, SMTP_TLS_FAILED, SMTP_AUTH_FAILED,
                       // SMTP_REJECTED_TEMPORARILY, SMTP_REJECTED, MAIL_WRITE_FAILED, or a MailFormatError code
};

class MailSender {
public:
    virtual ~MailSender() = default;
    // Throws MailSendError, nothing else.
    virtual void send(const MailMessage& message) = 0;
    // One line for the startup log, without secrets.
    virtual std::string describe() const = 0;
};

using MailLog = std::function<void(const std::string& line)>;

std::unique_ptr<MailSender> make_smtp_sender(SmtpConfig config);
// Writes <message id>.eml into `folder` (created when missing) and logs the
// recipients and the subject on one line.
std::unique_ptr<MailSender> make_eml_folder_sender(std::string folder, MailLog log);
// The configured sender: SMTP when options.smtp is set, the folder otherwise.
std::unique_ptr<MailSender> make_mail_sender(const MailOptions& options, MailLog log);

// The subject made safe for a one-line log: control characters escaped.
std::string log_safe(const std::string& text);

}  // namespace slotwise::server::mail
