#include "notifications/mail_channel.h"

#include <utility>

#include "mail/mail_job.h"
#include "notifications/action_links.h"

namespace slotwise::server::notifications {
namespace {

// The stored booking with what the event says it was at the time: the
// status, the times, the reason. What the event does not carry (the
// client's locale and zone, the sealed token) is as stored.
Booking booking_at_event(Booking b, const nlohmann::json& at) {
    if (!at.is_object()) return b;
    const auto text = [&](const char* key) -> std::optional<std::string> {
        const auto it = at.find(key);
        return it != at.end() && it->is_string() ? std::optional<std::string>(it->get<std::string>()) : std::nullopt;
    };
    if (const auto s = text("status"))
        if (const auto status = domain::booking_status_from(*s)) b.status = *status;
    if (const auto s = text("start"))
        if (const auto start = parse_instant(*s)) b.start = *start;
    if (const auto s = text("end"))
        if (const auto end = parse_instant(*s)) b.end = *end;
    if (const auto it = at.find("duration_minutes"); it != at.end() && it->is_number_integer())
        b.duration_minutes = it->get<int>();
    b.meeting_link = text("meeting_link");
    b.cancellation_reason = text("cancellation_reason");
    b.cancelled_by = text("cancelled_by");
    return b;
}

// The job of one mail, or none for a mail that could never be sent (an
// address the mail module cannot write, such as an internationalised one):
// throwing would hold back every other channel's jobs for this event, forever.
void queue(std::vector<Statement>& owed, const mail::MailMessage& message, Timestamp now) {
    try {
        owed.push_back(mail::mail_send_statement(message, now));
    } catch (const mail::MailFormatError&) {
    }
}

}  // namespace

MailPlan mail_plan(domain::BookingEventType type, BookingStatus status_at_event, bool tells_client, bool tells_provider) {
    using T = domain::BookingEventType;
    MailPlan plan;
    std::optional<MailKind> kind;
    switch (type) {
        case T::created: kind = status_at_event == BookingStatus::pending ? MailKind::requested : MailKind::booked; break;
        case T::confirmed: kind = MailKind::confirmed; break;
        case T::declined: kind = MailKind::declined; break;
        case T::cancelled: kind = MailKind::cancelled; break;
        case T::rescheduled: kind = MailKind::rescheduled; break;
        case T::expired: kind = MailKind::expired; break;
        // The review request after a visit is a job of its own (reminders);
        // a no-show is the provider's record, not news for anyone.
        case T::completed:
        case T::no_show:
        // The booking.created of the same payment says it to both sides.
        case T::payment_succeeded:
        // A refund's progress is in the booking the client opens (payment.refunds) and in the provider's webhooks.
        case T::payment_refunded: break;
    }
    if (!kind) return plan;
    if (tells_client) plan.client = kind;
    if (tells_provider) plan.provider = kind;
    return plan;
}

void register_mail_channel(EventFanOut& fan_out, MailChannelOptions options) {
    fan_out.add_channel("email", [options = std::move(options)](Session&, const EventContext& context) {
        std::vector<Statement> owed;
        if (!context.booking || !context.provider) return owed;
        const BookingEvent& event = context.event;
        const Booking booking = booking_at_event(*context.booking, event.booking);
        const MailPlan plan = mail_plan(event.type, booking.status, context.settings.tells_client("email"),
                                        context.provider_email &&
                                            context.settings.tells_provider("email", event.type, event.actor));

        MailSetting setting;
        setting.public_origin = options.public_origin;
        setting.provider_email = context.provider_email;
        setting.server_email = options.server_email;
        setting.sequence = event.sequence;
        if (!options.manage_token_key.empty())
            setting.manage_token = domain::open_manage_token(options.manage_token_key, *context.booking);

        EventMailFacts facts;
        facts.actor = event.actor;
        facts.previous_start = event.previous_start;
        facts.previous_end = event.previous_end;
        facts.refund_amount = refund_to_mention(event.booking);

        if (plan.client) {
            facts.kind = *plan.client;
            queue(owed, booking_event_mail(booking, *context.provider, Reader::client, facts, event.id() + ":client", setting),
                  context.now);
        }
        if (plan.provider) {
            facts.kind = *plan.provider;
            if (facts.kind == MailKind::requested) {
                // The links lapse with the request.
                const Timestamp expires = booking.expires_at.value_or(Timestamp{booking.start});
                facts.confirm_url = action_link_url(options.public_origin, booking.id, domain::BookingAction::confirm, expires);
                facts.decline_url = action_link_url(options.public_origin, booking.id, domain::BookingAction::decline, expires);
            }
            queue(owed, booking_event_mail(booking, *context.provider, Reader::provider, facts, event.id() + ":provider", setting),
                  context.now);
        }
        return owed;
    });
}

}  // namespace slotwise::server::notifications
