// SMTP through libcurl: plain, STARTTLS (required, never optional) or
// implicit TLS, with AUTH when the URL carries a user.
#include <curl/curl.h>

#include <chrono>
#include <cstring>
#include <mutex>

#include "mail/mail_sender.h"

namespace slotwise::server::mail {

namespace {

struct Upload {
    const std::string& data;
    std::size_t offset = 0;
};

std::size_t read_upload(char* buffer, std::size_t size, std::size_t count, void* user) {
    auto* upload = static_cast<Upload*>(user);
    const std::size_t n = std::min(size * count, upload->data.size() - upload->offset);
    std::memcpy(buffer, upload->data.data() + upload->offset, n);
    upload->offset += n;
    return n;
}

std::int64_t unix_now() {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// What to do about a failed conversation. The SMTP reply code, when there is
// one, decides; otherwise the kind of transport failure does. Login and TLS
// problems are transient: they are the operator's to fix, and the mail should
// go out once they are.
MailSendError classify(CURLcode result, long reply, const std::string& detail) {
    using Kind = MailSendError::Kind;
    const std::string text = detail + (reply ? " (SMTP reply " + std::to_string(reply) + ")" : "");
    if (result == CURLE_LOGIN_DENIED || reply == 530 || reply == 534 || reply == 535 || reply == 538)
        return {Kind::transient, "SMTP_AUTH_FAILED", text};
    if (reply >= 500 && reply < 600) return {Kind::permanent, "SMTP_REJECTED", text};
    if (reply >= 400 && reply < 500) return {Kind::transient, "SMTP_REJECTED_TEMPORARILY", text};
    switch (result) {
        case CURLE_OPERATION_TIMEDOUT: return {Kind::transient, "SMTP_TIMEOUT", text};
        case CURLE_SSL_CONNECT_ERROR:
        case CURLE_PEER_FAILED_VERIFICATION:
        case CURLE_USE_SSL_FAILED:
        case CURLE_SSL_CACERT_BADFILE:
        case CURLE_SSL_CERTPROBLEM: return {Kind::transient, "SMTP_TLS_FAILED", text};
        default: return {Kind::transient, "SMTP_UNREACHABLE", text};
    }
}

class SmtpSender final : public MailSender {
public:
    explicit SmtpSender(SmtpConfig config) : config_(std::move(config)) {
        static std::once_flag global_init;
        std::call_once(global_init, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
    }

    void send(const MailMessage& message) override {
        std::string data;
        try {
            data = render_rfc5322(message, message.date ? *message.date : unix_now());
        } catch (const MailFormatError& e) {
            throw MailSendError(MailSendError::Kind::permanent, e.code, e.what());
        }
        std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
        if (!curl) throw MailSendError(MailSendError::Kind::transient, "SMTP_UNREACHABLE", "curl_easy_init failed");
        curl_slist* recipients = nullptr;
        for (const auto& to : message.to) recipients = curl_slist_append(recipients, ("<" + to.address + ">").c_str());
        std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> recipients_holder(recipients, curl_slist_free_all);

        const std::string url = config_.curl_url(), from = "<" + message.from.address + ">";
        Upload upload{data};
        char error[CURL_ERROR_SIZE] = {0};
        CURL* h = curl.get();
        curl_easy_setopt(h, CURLOPT_URL, url.c_str());
        curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
        curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);  // no SIGALRM in a threaded server
        curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error);
        curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(config_.connect_timeout.count()));
        curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(config_.send_timeout.count()));
        if (config_.security == SmtpConfig::Security::starttls) curl_easy_setopt(h, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_ALL));
        if (!config_.ca_file.empty()) curl_easy_setopt(h, CURLOPT_CAINFO, config_.ca_file.c_str());
        if (!config_.username.empty()) {
            curl_easy_setopt(h, CURLOPT_USERNAME, config_.username.c_str());
            curl_easy_setopt(h, CURLOPT_PASSWORD, config_.password.c_str());
        }
        curl_easy_setopt(h, CURLOPT_MAIL_FROM, from.c_str());
        curl_easy_setopt(h, CURLOPT_MAIL_RCPT, recipients);
        curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
        curl_easy_setopt(h, CURLOPT_READFUNCTION, read_upload);
        curl_easy_setopt(h, CURLOPT_READDATA, &upload);
        curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(data.size()));

        const CURLcode result = curl_easy_perform(h);
        if (result == CURLE_OK) return;
        long reply = 0;
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &reply);
        throw classify(result, reply, "sending to " + config_.redacted() + " failed: " +
                                          (*error ? std::string(error) : curl_easy_strerror(result)));
    }

    std::string describe() const override { return "SMTP " + config_.redacted(); }

private:
    SmtpConfig config_;
};

}  // namespace

std::unique_ptr<MailSender> make_smtp_sender(SmtpConfig config) { return std::make_unique<SmtpSender>(std::move(config)); }

}  // namespace slotwise::server::mail
