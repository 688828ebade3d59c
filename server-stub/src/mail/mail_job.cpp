#include "mail/mail_job.h"

#include "jobs/job_queue.h"

namespace slotwise::server::mail {

jobs::NewJob mail_send_job(const MailMessage& message, Timestamp now) {
    MailMessage fixed = message;
    if (!fixed.date) fixed.date = now.time_since_epoch().count();
    fixed.key = std::string(kMailSendKind) + ":" + message.key;
    // Without a sender the handler uses --mail-from, which the caller need not know.
    const bool configured_sender = fixed.from.address.empty();
    MailMessage check = fixed;
    if (configured_sender) check.from = {"", "slotwise@localhost"};
    // Refuse now what could never be sent, while the caller can still say so.
    render_rfc5322(check, *check.date);
    jobs::NewJob job;
    job.kind = kMailSendKind;
    job.key = fixed.key;
    job.payload = fixed;
    if (configured_sender) job.payload.erase("from");
    job.run_at = now;
    return job;
}

Statement mail_send_statement(const MailMessage& message, Timestamp now) {
    return jobs::enqueue_statement(mail_send_job(message, now), now);
}

jobs::JobHandler mail_send_handler(MailSender& sender, MailAddress default_from, MailLog log) {
    return [&sender, default_from = std::move(default_from), log = std::move(log)](const jobs::Job& job) {
        MailMessage message;
        message.key = job.key;
        message.from = default_from;
        try {
            from_json(job.payload, message);
            sender.send(message);
            return jobs::JobOutcome::done();
        } catch (const MailFormatError& e) {
            return jobs::JobOutcome::fail(e.code + ": " + e.what());
        } catch (const MailSendError& e) {
            const std::string error = e.code + ": " + e.what();
            if (log)
                log("mail " + job.key + " attempt " + std::to_string(job.attempt) + "/" + std::to_string(job.max_attempts) +
                    (e.transient() ? " will be retried: " : " failed for good: ") + error);
            return e.transient() ? jobs::JobOutcome::retry_later(error) : jobs::JobOutcome::fail(error);
        }
    };
}

void register_mail_jobs(jobs::Dispatcher& dispatcher, MailSender& sender, const MailAddress& default_from, MailLog log) {
    dispatcher.handle(kMailSendKind, mail_send_handler(sender, default_from, std::move(log)));
}

}  // namespace slotwise::server::mail
