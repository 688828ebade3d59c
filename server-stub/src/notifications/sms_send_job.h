// The handler of `sms.send` jobs (sms_channel.h queues them): sends one text
// through Twilio; 429, 5xx and no answer are retried with the queue's
// backoff, any other refusal makes the job dead with Twilio's code and words,
// and a text whose appointment has begun is dropped, not sent late.
#pragma once

#include "jobs/job.h"
#include "notifications/sms_channel.h"

namespace slotwise::server::notifications {

jobs::JobHandler sms_send_handler(const adapters::TwilioClient& twilio, jobs::JobClock clock, SmsLog log);

}  // namespace slotwise::server::notifications
