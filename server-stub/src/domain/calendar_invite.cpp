#include "domain/calendar_invite.h"

#include <memory>
#include <stdexcept>

#include <libical/ical.h>

namespace slotwise::server {
namespace {

struct ComponentFree {
    void operator()(icalcomponent* c) const { icalcomponent_free(c); }
};
using Component = std::unique_ptr<icalcomponent, ComponentFree>;

icaltimetype utc_time(Timestamp t) {
    return icaltime_from_timet_with_zone(static_cast<time_t>(t.time_since_epoch().count()), 0,
                                         icaltimezone_get_utc_timezone());
}
icaltimetype utc_time(Instant t) { return utc_time(Timestamp{t}); }

icalproperty_method ical_method(InviteMethod method) {
    switch (method) {
        case InviteMethod::request: return ICAL_METHOD_REQUEST;
        case InviteMethod::cancel: return ICAL_METHOD_CANCEL;
        case InviteMethod::publish: break;
    }
    return ICAL_METHOD_PUBLISH;
}

icalproperty_status ical_status(BookingStatus status) {
    const std::string_view s = ics_status(status);
    if (s == "TENTATIVE") return ICAL_STATUS_TENTATIVE;
    if (s == "CANCELLED") return ICAL_STATUS_CANCELLED;
    return ICAL_STATUS_CONFIRMED;
}

icalproperty* person(icalproperty* property, const InvitePerson& who) {
    if (!who.name.empty()) icalproperty_add_parameter(property, icalparameter_new_cn(who.name.c_str()));
    return property;
}

}  // namespace

std::string_view ics_status(BookingStatus status) {
    switch (status) {
        case BookingStatus::held:
        case BookingStatus::pending: return "TENTATIVE";
        case BookingStatus::declined:
        case BookingStatus::cancelled:
        case BookingStatus::expired: return "CANCELLED";
        case BookingStatus::confirmed:
        case BookingStatus::completed:
        case BookingStatus::no_show: return "CONFIRMED";
    }
    return "CONFIRMED";
}

std::string booking_uid(const std::string& booking_id) { return booking_id + "@slotwise"; }

std::string render_ics(const CalendarInvite& invite) {
    Component calendar(icalcomponent_new_vcalendar());
    icalcomponent_add_property(calendar.get(), icalproperty_new_version("2.0"));
    icalcomponent_add_property(calendar.get(), icalproperty_new_prodid("-//Slotwise//slotwise-server//EN"));
    icalcomponent_add_property(calendar.get(), icalproperty_new_calscale("GREGORIAN"));
    icalcomponent_add_property(calendar.get(), icalproperty_new_method(ical_method(invite.method)));

    icalcomponent* event = icalcomponent_new_vevent();
    icalcomponent_add_component(calendar.get(), event);  // the calendar owns it from here
    icalcomponent_add_property(event, icalproperty_new_uid(invite.uid.c_str()));
    icalcomponent_add_property(event, icalproperty_new_sequence(invite.sequence));
    icalcomponent_add_property(event, icalproperty_new_dtstamp(utc_time(invite.stamp)));
    icalcomponent_add_property(event, icalproperty_new_dtstart(utc_time(invite.start)));
    icalcomponent_add_property(event, icalproperty_new_dtend(utc_time(invite.end)));
    icalcomponent_add_property(event, icalproperty_new_summary(invite.summary.c_str()));
    if (!invite.description.empty())
        icalcomponent_add_property(event, icalproperty_new_description(invite.description.c_str()));
    if (invite.location) icalcomponent_add_property(event, icalproperty_new_location(invite.location->c_str()));
    if (invite.url) icalcomponent_add_property(event, icalproperty_new_url(invite.url->c_str()));
    icalcomponent_add_property(event, icalproperty_new_status(ical_status(invite.status)));
    // An appointment takes the time: busy, whatever the calendar's default.
    icalcomponent_add_property(event, icalproperty_new_transp(ICAL_TRANSP_OPAQUE));
    if (invite.organizer)
        icalcomponent_add_property(
            event, person(icalproperty_new_organizer(("mailto:" + invite.organizer->email).c_str()), *invite.organizer));
    for (const auto& attendee : invite.attendees) {
        icalproperty* p = person(icalproperty_new_attendee(("mailto:" + attendee.email).c_str()), attendee);
        icalproperty_add_parameter(p, icalparameter_new_role(ICAL_ROLE_REQPARTICIPANT));
        icalproperty_add_parameter(p, icalparameter_new_partstat(invite.status == BookingStatus::pending
                                                                     ? ICAL_PARTSTAT_TENTATIVE
                                                                     : ICAL_PARTSTAT_ACCEPTED));
        // The client booked it: there is nothing for their calendar to answer.
        icalproperty_add_parameter(p, icalparameter_new_rsvp(ICAL_RSVP_FALSE));
        icalcomponent_add_property(event, p);
    }
    if (invite.alarm_minutes_before && invite.method != InviteMethod::cancel) {
        icalcomponent* alarm = icalcomponent_new_valarm();
        icalcomponent_add_component(event, alarm);
        icalcomponent_add_property(alarm, icalproperty_new_action(ICAL_ACTION_DISPLAY));
        icaltriggertype trigger = icaltriggertype_from_int(-60 * *invite.alarm_minutes_before);
        icalcomponent_add_property(alarm, icalproperty_new_trigger(trigger));
        icalcomponent_add_property(alarm, icalproperty_new_description(invite.summary.c_str()));
    }
    char* text = icalcomponent_as_ical_string_r(calendar.get());
    if (!text) throw std::runtime_error("libical could not write the calendar");
    std::string out(text);
    icalmemory_free_buffer(text);
    return out;
}

CalendarInvite booking_invite(const Booking& b, const ProviderConfig* provider, const BookingInviteOptions& options) {
    std::string service_name = b.service_id, provider_name = b.provider_id;
    bool is_virtual = false;
    if (provider) {
        provider_name = provider->name;
        if (const auto* s = provider->service(b.service_id)) {
            service_name = s->name;
            is_virtual = s->is_virtual;
        }
    }
    CalendarInvite invite;
    invite.uid = booking_uid(b.id);
    invite.sequence = options.sequence;
    invite.method = options.method;
    invite.status = b.status;
    invite.stamp = options.stamp;
    invite.start = b.start;
    invite.end = b.end;
    invite.summary = options.for_provider ? service_name + ": " + b.client.name : service_name + " with " + provider_name;
    invite.description = options.description.empty() ? service_name + " with " + provider_name : options.description;
    if (b.meeting_link) {
        invite.location = *b.meeting_link;
        invite.url = *b.meeting_link;
    } else if (provider && provider->address && !is_virtual) {
        // An online service's link may come later (at confirmation); it is never at the office.
        invite.location = *provider->address;
    }
    invite.organizer = options.organizer;
    invite.attendees.push_back({b.client.name, b.client.email});
    if (options.method != InviteMethod::cancel) invite.alarm_minutes_before = 60;
    return invite;
}

}  // namespace slotwise::server
