// The mails about a booking (api.md part 2, "Email"): what each event of a
// booking's life tells the client and the provider, the reminders and the
// review request. Pure rendering: nothing here reads a clock, the store or
// the network; the channel (mail_channel.h) and the reminder jobs queue what
// these functions return.
#pragma once

#include <optional>
#include <string>

#include "domain/model.h"
#include "mail/message.h"

namespace slotwise::server::notifications {

enum class Reader { client, provider };

// What the rendering needs beyond the booking and the provider.
struct MailSetting {
    // Where links point (--public-url), without a trailing slash. Its host
    // names the calendar UID (`<booking id>@<host>`).
    std::string public_origin;
    // The provider's address (EventContext::provider_email); a provider mail
    // without one cannot be rendered and is not asked for.
    std::optional<std::string> provider_email;
    // The booking's manage token, unsealed; without it the mail has no
    // manage link.
    std::optional<std::string> manage_token;
    // The iCalendar SEQUENCE to attach (the booking's event sequence).
    int sequence = 0;
};

// A reminder `before_minutes` ahead of the start, to the client (or the
// provider); an .ics REQUEST attached.
mail::MailMessage reminder_mail(const Booking& booking, const ProviderConfig& provider, Reader reader,
                                int before_minutes, std::string key, const MailSetting& setting);
// After a COMPLETED visit, to the client: a link to leave a review (the
// provider's `review_url` if the provider document has one, else a reply to
// the provider's address).
mail::MailMessage review_request_mail(const Booking& booking, const ProviderConfig& provider, std::string key,
                                      const MailSetting& setting);

}  // namespace slotwise::server::notifications
