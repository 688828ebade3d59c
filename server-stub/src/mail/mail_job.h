// The `mail.send` job: how other code queues a mail (in its own transaction)
// and the handler that sends it. The only file of this folder that knows
// about jobs/.
#pragma once

#include "jobs/dispatcher.h"
#include "mail/mail_sender.h"

namespace slotwise::server::mail {

inline constexpr const char* kMailSendKind = "mail.send";

// The job for `message`: key "mail.send:" + message.key (so one logical mail
// is one job, however often it is queued), payload its JSON form with the
// date fixed now, so that every attempt sends the same bytes. The handler
// derives the Message-ID from the job's key. A message with an empty
// from.address is sent from --mail-from. Throws MailFormatError for a
// message that could never be sent, before anything is queued.
jobs::NewJob mail_send_job(const MailMessage& message, Timestamp now);
// For a caller that changes something and owes a mail for it: run this
// statement in that transaction, then call JobQueue::notify() after commit.
Statement mail_send_statement(const MailMessage& message, Timestamp now);

// Transient send failures are retried with the queue's backoff; permanent
// ones (and malformed payloads) make the job dead with the error. A payload
// without "from" is sent from `default_from` (--mail-from).
jobs::JobHandler mail_send_handler(MailSender& sender, MailAddress default_from, MailLog log);
void register_mail_jobs(jobs::Dispatcher& dispatcher, MailSender& sender, const MailAddress& default_from, MailLog log);

}  // namespace slotwise::server::mail
