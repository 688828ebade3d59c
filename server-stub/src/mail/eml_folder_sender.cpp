// The embedded default: with no SMTP server configured, each message becomes
// a file a person can open in any mail program, and the log says who would
// have received what.
#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>

#include "mail/mail_sender.h"

namespace slotwise::server::mail {

namespace {

MailSendError write_failed(const std::string& what) {
    return MailSendError(MailSendError::Kind::transient, "MAIL_WRITE_FAILED", what + ": " + std::strerror(errno));
}

void write_all(int fd, const std::string& data, const std::string& path) {
    std::size_t done = 0;
    while (done < data.size()) {
        const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw write_failed("writing " + path);
        done += static_cast<std::size_t>(n);
    }
}

class EmlFolderSender final : public MailSender {
public:
    EmlFolderSender(std::string folder, MailLog log) : folder_(std::move(folder)), log_(std::move(log)) {}

    void send(const MailMessage& message) override {
        std::string data, id;
        try {
            id = message_id(message);
            data = render_rfc5322(message, message.date ? *message.date
                                                        : std::chrono::duration_cast<std::chrono::seconds>(
                                                              std::chrono::system_clock::now().time_since_epoch())
                                                              .count());
        } catch (const MailFormatError& e) {
            throw MailSendError(MailSendError::Kind::permanent, e.code, e.what());
        }
        std::error_code ec;
        std::filesystem::create_directories(folder_, ec);
        if (ec) throw MailSendError(MailSendError::Kind::transient, "MAIL_WRITE_FAILED", "creating " + folder_ + ": " + ec.message());

        // Named after the Message-ID, so that a retry replaces the file it
        // wrote before instead of adding a second copy.
        std::string name;
        for (const char c : id.substr(1, id.size() - 2))
            name += std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '@' ? c : '_';
        const std::string path = (std::filesystem::path(folder_) / (name + ".eml")).string();
        const std::string temporary = (std::filesystem::path(folder_) / ("." + name + ".tmp" + std::to_string(::getpid()) + "-" +
                                                                          std::to_string(++counter_)))
                                          .string();
        // Personal data: readable by the server's user only.
        const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (fd < 0) throw write_failed("creating " + temporary);
        try {
            write_all(fd, data, temporary);
            if (::fsync(fd) != 0) throw write_failed("syncing " + temporary);
        } catch (...) {
            ::close(fd);
            ::unlink(temporary.c_str());
            throw;
        }
        ::close(fd);
        if (::rename(temporary.c_str(), path.c_str()) != 0) {
            const auto error = write_failed("renaming " + temporary);
            ::unlink(temporary.c_str());
            throw error;
        }
        if (const int dir = ::open(folder_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); dir >= 0) {
            ::fsync(dir);
            ::close(dir);
        }
        std::string recipients;
        for (const auto& to : message.to) recipients += (recipients.empty() ? "" : ", ") + to.address;
        if (log_) log_("mail to " + recipients + ": \"" + log_safe(message.subject) + "\" written to " + path);
    }

    std::string describe() const override { return ".eml files in " + folder_ + " (no --smtp)"; }

private:
    std::string folder_;
    MailLog log_;
    std::atomic<unsigned long> counter_{0};
};

}  // namespace

std::string log_safe(const std::string& text) {
    static const char* hex = "0123456789abcdef";
    std::string out;
    for (const char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        if (c < 0x20 || c == 0x7F || c == '"' || c == '\\') out += std::string{'\\', 'x', hex[c >> 4], hex[c & 15]};
        else out += ch;
    }
    return out;
}

std::unique_ptr<MailSender> make_eml_folder_sender(std::string folder, MailLog log) {
    return std::make_unique<EmlFolderSender>(std::move(folder), std::move(log));
}

std::unique_ptr<MailSender> make_mail_sender(const MailOptions& options, MailLog log) {
    if (options.smtp) return make_smtp_sender(*options.smtp);
    return make_eml_folder_sender(options.mail_dir, std::move(log));
}

}  // namespace slotwise::server::mail
