// The life of a booking after it is made: reading it, its calendar file,
// cancel, reschedule and the provider's transitions, each a move of the one
// transition table (domain/booking_status.h). Making it is in
// locked_insert.cpp.
#include "domain/booking_service.h"

#include "domain/booking_events.h"
#include "domain/booking_json.h"
#include "domain/client_address.h"
#include "domain/client_verification.h"
#include "support/crypto.h"
#include "domain/engine_calls.h"
#include "domain/payment_flow.h"
#include "domain/providers_access.h"
#include "domain/refund_decisions.h"
#include "store/records.h"
#include "store/verification_records.h"
#include "domain/request_parsing.h"
#include "jobs/standard_jobs.h"

namespace slotwise::server {
namespace {

using domain::BookingAction;
using domain::kind_of;

DomainError unknown_booking(const std::string& booking_id) {
    return DomainError(ErrorKind::not_found, "UNKNOWN_BOOKING", "no booking " + booking_id);
}

// The booking changed between the read and the write (another request
// moved it first): refused as the table would refuse it now.
DomainError changed_meanwhile(BookingAction action) {
    return DomainError(ErrorKind::conflict, "INVALID_TRANSITION",
                       "cannot " + std::string(to_string(action)) + " this booking: it changed meanwhile");
}

// Moves `b` by the table, or throws the table's refusal; returns the status before.
BookingStatus move(Booking& b, BookingAction action, const Actor& actor, Timestamp now) {
    const BookingStatus before = b.status;
    b.status = domain::transition_or_throw(before, action, kind_of(actor), b.moment(now));
    return before;
}

// Reading a booking or its calendar file needs its manage token.
const domain::BookingClient& client_or_throw(const Actor& actor) {
    if (const auto* client = std::get_if<domain::BookingClient>(&actor)) return *client;
    throw DomainError(ErrorKind::unauthenticated, "TOKEN_REQUIRED", "the manage token is missing (?token=)");
}

void may_take_or_throw(BookingAction action, const Actor& actor) {
    if (auto refusal = domain::actor_refusal(action, kind_of(actor))) throw refusal->error();
}

std::string status_text(BookingStatus status) { return std::string(to_string(status)); }

// The event a provider's transition announces.
std::optional<domain::BookingEventType> event_of(BookingAction action) {
    switch (action) {
        case BookingAction::confirm: return domain::BookingEventType::confirmed;
        case BookingAction::decline: return domain::BookingEventType::declined;
        case BookingAction::cancel: return domain::BookingEventType::cancelled;
        case BookingAction::complete: return domain::BookingEventType::completed;
        case BookingAction::no_show: return domain::BookingEventType::no_show;
        case BookingAction::reschedule:
        case BookingAction::expire:
        case BookingAction::verify:
        case BookingAction::pay: return std::nullopt;
    }
    return std::nullopt;
}

// A booking stored before migration 004 may not have its key yet.
std::string client_key_of(const Booking& b) { return b.client_key.empty() ? client_key(b.client.email) : b.client_key; }

// A client cancel refunds what the policy gives now, but never more than a
// cancel at the time of an earlier reschedule would have.
std::int64_t client_refund(const Booking& b, Instant at) {
    const std::int64_t policy = engine_refund(b, at, slotwise::CancelledBy::client);
    return b.refund_ceiling ? std::min(policy, *b.refund_ceiling) : policy;
}

// The refund a transition owes, written as a `refunds` row in the caller's
// transaction (domain/refund_decisions.h). The booking's `refund` says what
// actually goes back: nullopt when no money was taken, so that nobody is
// told of a refund of nothing (booking_json shows it as paid: false).
std::optional<std::int64_t> refund_of(Session& s, const Booking& b, const Actor& actor, domain::RefundTransition transition,
                                      Instant at, Timestamp now) {
    const auto decided = domain::decide_refund(s, b, domain::refund_actor_of(actor), transition, at, now);
    return decided.paid ? std::optional<std::int64_t>(decided.amount) : std::nullopt;
}

}  // namespace

BookingService::BookingService(Store& store, const Clock& clock, ServiceOptions options)
    : store_(store),
      clock_(clock),
      options_(std::move(options)),
      locked_inserts_([this](const std::vector<BookingJob*>& jobs) { run_booking_batch(jobs); }) {
    if (options_.meeting_base_url.empty() || options_.meeting_base_url.back() != '/') options_.meeting_base_url += '/';
}

Booking BookingService::as_of(Booking b, Timestamp now) const {
    const auto lapsed = domain::transition(b.status, BookingAction::expire, domain::ActorKind::system, b.moment(now));
    if (const auto* to = std::get_if<BookingStatus>(&lapsed)) b.status = *to;
    return b;
}

std::string BookingService::new_meeting_link() const {
    return options_.meeting_base_url + "slotwise-" + random_token(20);  // 160 random bits
}

Booking BookingService::authorized_booking(Session& s, const std::string& booking_id,
                                           const domain::BookingClient& client) {
    if (client.manage_token.empty())
        throw DomainError(ErrorKind::unauthenticated, "TOKEN_REQUIRED", "the manage token is missing (?token=)");
    auto b = records::load_booking(s, booking_id);
    // The hash is compared even for an unknown booking, so timing tells nothing.
    const bool match =
        constant_time_equal(sha256_hex(client.manage_token), b ? b->manage_token_sha256 : std::string(64, '0'));
    if (!b) throw unknown_booking(booking_id);
    if (!match) throw DomainError(ErrorKind::forbidden, "INVALID_TOKEN", "the manage token does not match this booking");
    return as_of_now(*b);
}

BookingView BookingService::get_booking(const Actor& actor, const std::string& booking_id) {
    const auto& client = client_or_throw(actor);
    auto s = store_.session();
    BookingView view{authorized_booking(*s, booking_id, client), std::nullopt};
    // While it waits for its payment, the client's page may need to show
    // the payment form again (after a reload).
    if (domain::PaymentFlow* flow = payment_flow_.load(); flow && view.booking.status == BookingStatus::held)
        view.payment_widget = flow->widget_of(view.booking);
    return view;
}

CalendarFile BookingService::booking_calendar(const Actor& actor, const std::string& booking_id) {
    const auto& client = client_or_throw(actor);
    auto s = store_.session();
    const Booking b = authorized_booking(*s, booking_id, client);
    auto provider = records::load_provider(*s, b.provider_id);
    return {b.id + ".ics", booking_ics(b, provider ? &*provider : nullptr, clock_.now())};
}

BookingView BookingService::cancel_booking(const Actor& actor, const std::string& booking_id, std::string_view body) {
    const auto reason = parse_cancel_reason(parse_json_body(body, /*empty_is_object=*/true));
    may_take_or_throw(BookingAction::cancel, actor);
    if (std::holds_alternative<domain::BookingClient>(actor)) return client_cancel(actor, booking_id, reason);
    return provider_transition(actor, booking_id, BookingAction::cancel, body);
}

BookingView BookingService::client_cancel(const Actor& actor, const std::string& booking_id,
                                          std::optional<std::string> reason) {
    auto s = store_.session();
    authorized_booking(*s, booking_id, std::get<domain::BookingClient>(actor));
    BookingView view = in_transaction(*s, std::nullopt, [&] {
        Booking b = as_of_now(*records::load_booking(*s, booking_id));
        const BookingStatus before = move(b, BookingAction::cancel, actor, clock_.now());
        b.cancelled_at = clock_.now_minute();
        b.cancelled_by = "client";
        b.cancellation_reason = reason;
        b.refund_amount = refund_of(*s, b, actor, domain::RefundTransition::cancel, *b.cancelled_at, clock_.now());
        b.updated_at = clock_.now();
        s->exec(domain::booking_event_statement(b, domain::BookingEventType::cancelled, "client", b.updated_at));
        if (!records::update_booking(*s, b, before)) throw changed_meanwhile(BookingAction::cancel);
        records::audit(*s, b.updated_at, std::string(audit_name(actor)), "booking.cancel", "booking", b.id,
                       {{"from", status_text(before)}, {"refund", b.refund_amount ? json(*b.refund_amount) : json(nullptr)}});
        return BookingView{b, std::nullopt};
    });
    notify_jobs();
    return view;
}

BookingView BookingService::reschedule_booking(const Actor& actor, const std::string& booking_id,
                                               std::string_view body) {
    const RescheduleRequest r = parse_reschedule_request(parse_json_body(body));
    may_take_or_throw(BookingAction::reschedule, actor);
    auto s = store_.session();
    const std::string provider_id =
        authorized_booking(*s, booking_id, std::get<domain::BookingClient>(actor)).provider_id;
    const Instant now = clock_.now_minute();
    try {
        BookingView view = in_transaction(*s, provider_id, [&] {
            Booking b = as_of_now(*records::load_booking(*s, booking_id));
            const BookingStatus before = move(b, BookingAction::reschedule, actor, clock_.now());
            const auto provider = providers_.get(*s, b.provider_id);
            const ServiceConfig* service = provider ? provider->config.service(b.service_id) : nullptr;
            if (!service) throw DomainError(ErrorKind::refused, "SERVICE_INACTIVE", "the booked service is no longer offered");
            const int duration = r.duration_minutes.value_or(b.duration_minutes);
            // The booking's own time does not block its new time.
            const Interval window = slot_taken_window(service, r.start, duration);
            engine_validate(provider->engine_snapshot,
                            records::busy(*s, b.provider_id, window.start, window.end, clock_.now(), b.id),
                            b.service_id, r.start, duration, now);
            // The same-day lock-out applies to a moved booking as to a new one.
            const TimeZone& zone = *provider->engine_snapshot.zone;
            if (records::client_standing(*s, b.provider_id, client_key_of(b), clock_.now()).no_shows > 0 &&
                zone.local_date(r.start) == zone.local_date(now))
                throw DomainError(ErrorKind::refused, "CLIENT_LOCKED_OUT", "after a no-show, same-day bookings with this provider are closed");
            // What a cancel would refund now caps every later cancel: moving
            // the booking later must not buy back a refund the policy has
            // already withdrawn.
            b.refund_ceiling = client_refund(b, now);
            if (b.expires_at && Timestamp{r.start} < *b.expires_at) {
                b.expires_at = Timestamp{r.start};
                s->exec(jobs::moved_booking_expiry_statement(b.id, *b.expires_at, clock_.now()));
            }
            // Requests past their expiry that the busy read left out are
            // marked EXPIRED, so that the database's overlap backstop agrees.
            for (const auto& st : records::expire_overdue_statements(b.provider_id, clock_.now())) s->exec(st);
            const Instant old_start = b.start;
            const Interval old_time{b.start, b.end};
            b.duration_minutes = duration;
            b.start = r.start;
            b.end = r.start + Minutes{duration};
            const Interval occupied = occupied_interval(*service, b.start, duration);
            b.occupied_start = occupied.start;
            b.occupied_end = occupied.end;
            b.updated_at = clock_.now();
            s->exec(domain::booking_event_statement(b, domain::BookingEventType::rescheduled, "client", b.updated_at,
                                                    old_time));
            if (!records::update_booking(*s, b, before)) throw changed_meanwhile(BookingAction::reschedule);
            records::audit(*s, b.updated_at, std::string(audit_name(actor)), "booking.reschedule", "booking", b.id,
                           {{"from", format_instant(old_start)}, {"to", format_instant(b.start)},
                            {"refund_ceiling", *b.refund_ceiling}});
            return BookingView{b, std::nullopt};
        });
        notify_jobs();
        return view;
    } catch (const OverlapError&) {
        throw DomainError(ErrorKind::conflict, "SLOT_TAKEN", "the slot is taken");
    }
}

BookingView BookingService::verify_booking(const Actor& actor, const std::string& booking_id, std::string_view body) {
    // The body's shape is judged first, its code once the table allows a
    // verify (a booking that is not HELD is refused for what it is).
    const json document = parse_json_body(body);
    may_take_or_throw(BookingAction::verify, actor);
    const auto& client = std::get<domain::BookingClient>(actor);
    auto s = store_.session();
    const std::string provider_id = authorized_booking(*s, booking_id, client).provider_id;
    // A wrong code is counted in the database before it is refused, so the
    // transaction returns what to answer rather than throwing.
    struct Verdict {
        std::optional<BookingView> verified;
        bool gone = false;
        int attempts_left = 0;
    };
    const Verdict verdict = in_transaction(*s, provider_id, [&] {
        const Timestamp now = clock_.now();
        Booking b = as_of(*records::load_booking(*s, booking_id), now);
        const auto challenge = records::load_verification(*s, booking_id);
        if (challenge && !challenge->verified_at &&
            (b.status == BookingStatus::expired || challenge->failed_attempts >= kMaxVerificationAttempts))
            return Verdict{std::nullopt, true, 0};
        const auto provider = providers_.get(*s, b.provider_id);
        const ServiceConfig* service = provider ? provider->config.service(b.service_id) : nullptr;
        domain::TransitionMoment moment = b.moment(now);
        // A service that is gone cannot say; the provider then decides.
        moment.provider_confirms = !service || service->requires_confirmation;
        const BookingStatus before = b.status;
        const BookingStatus after = domain::transition_or_throw(before, BookingAction::verify, kind_of(actor), moment);
        if (!challenge)
            throw DomainError(ErrorKind::conflict, "INVALID_TRANSITION", "this booking was not sent a code to verify");
        const VerifyRequest request = parse_verify_request(document);
        if (!constant_time_equal(verification_code_hmac(b.id, client.manage_token, request.code), challenge->code_hmac)) {
            const int failed = records::count_failed_verification(*s, b.id);
            if (failed >= kMaxVerificationAttempts) {
                // The last try is spent: the hold lapses now and frees its time.
                b.expires_at = now;
                b.status = domain::transition_or_throw(before, BookingAction::expire, domain::ActorKind::system, b.moment(now));
                b.updated_at = now;
                if (!records::update_booking(*s, b, before)) throw changed_meanwhile(BookingAction::verify);
                records::audit(*s, now, std::string(domain::audit_name(domain::ActorKind::system)), "booking.expire",
                               "booking", b.id, {{"from", status_text(before)}, {"reason", "too many wrong codes"}});
            }
            return Verdict{std::nullopt, false, std::max(0, kMaxVerificationAttempts - failed)};
        }
        b.status = after;
        if (after == BookingStatus::pending) {
            // Now a request like any other: it waits for the provider.
            const auto minutes = provider ? provider->config.pending_expiry_minutes : std::nullopt;
            b.expires_at = std::min<Timestamp>(now + (minutes ? Minutes{*minutes} : options_.pending_expiry), b.start);
            s->exec(jobs::booking_expiry_statement(b.id, *b.expires_at, now));
        } else {
            b.expires_at.reset();
            if (service && service->is_virtual && !b.meeting_link) b.meeting_link = new_meeting_link();
        }
        b.updated_at = now;
        // Verified, the booking is announced for the first time.
        s->exec(domain::booking_event_statement(b, domain::BookingEventType::created, "client", now));
        if (!records::update_booking(*s, b, before)) throw changed_meanwhile(BookingAction::verify);
        records::mark_verified(*s, b.id, now);
        records::audit(*s, now, std::string(audit_name(actor)), "booking.verify", "booking", b.id,
                       {{"from", status_text(before)}, {"to", status_text(after)}});
        return Verdict{BookingView{b, std::nullopt}, false, 0};
    });
    if (verdict.verified) {
        notify_jobs();
        return *verdict.verified;
    }
    if (verdict.gone)
        throw DomainError(ErrorKind::gone, "CHALLENGE_EXPIRED",
                          "the hold on this time has ended (it expired, or too many wrong codes were entered); "
                          "book again");
    DomainError wrong(ErrorKind::unauthenticated, "INVALID_CODE",
                      verdict.attempts_left > 0
                          ? "the code is not the one in the email"
                          : "the code is not the one in the email; that was the last try, and the time is released");
    wrong.with_extension("attempts_left", std::to_string(verdict.attempts_left));
    throw wrong;
}

BookingView BookingService::provider_transition(const Actor& actor, const std::string& booking_id,
                                                BookingAction action, std::string_view body) {
    const auto reason = parse_cancel_reason(parse_json_body(body, /*empty_is_object=*/true));
    may_take_or_throw(action, actor);
    auto s = store_.session();
    BookingView view = in_transaction(*s, std::nullopt, [&] {
        auto found = records::load_booking(*s, booking_id);
        if (!found || !domain::reaches_stored_provider(*s, actor, found->provider_id)) throw unknown_booking(booking_id);
        Booking b = as_of_now(*found);
        const Instant now = clock_.now_minute();
        const BookingStatus before = move(b, action, actor, clock_.now());
        switch (action) {
            case BookingAction::confirm: {
                auto provider = records::load_provider(*s, b.provider_id);
                const ServiceConfig* service = provider ? provider->service(b.service_id) : nullptr;
                if (service && service->is_virtual && !b.meeting_link) b.meeting_link = new_meeting_link();
                break;
            }
            case BookingAction::no_show:
                b.refund_amount = refund_of(*s, b, actor, domain::RefundTransition::no_show, now, clock_.now());
                records::count_no_show(*s, b.provider_id, client_key_of(b), now);
                break;
            // The provider ends the booking or declines the request: the
            // client gets everything back (the engine's provider rule).
            case BookingAction::cancel:
            case BookingAction::decline:
                b.cancelled_at = now;
                b.cancelled_by = "provider";
                b.cancellation_reason = reason;
                b.refund_amount = refund_of(*s, b, actor,
                                            action == BookingAction::decline ? domain::RefundTransition::decline
                                                                             : domain::RefundTransition::cancel,
                                            now, clock_.now());
                break;
            case BookingAction::complete:
            case BookingAction::reschedule:
            case BookingAction::expire:
            case BookingAction::verify:
            case BookingAction::pay: break;
        }
        b.updated_at = clock_.now();
        if (const auto event = event_of(action))
            s->exec(domain::booking_event_statement(b, *event, "provider", b.updated_at));
        if (!records::update_booking(*s, b, before)) throw changed_meanwhile(action);
        records::audit(*s, b.updated_at, std::string(audit_name(actor)), "booking." + std::string(to_string(action)),
                       "booking", b.id, {{"from", status_text(before)}, {"to", status_text(b.status)}});
        return BookingView{b, std::nullopt};
    });
    notify_jobs();
    return view;
}

std::optional<Timestamp> BookingService::expire_if_lapsed(const Actor& actor, const std::string& booking_id) {
    may_take_or_throw(BookingAction::expire, actor);
    const Timestamp now = clock_.now();
    auto s = store_.session();
    const auto found = records::load_booking(*s, booking_id);
    // Gone, or confirmed, cancelled, verified without a new expiry: nothing
    // left to expire.
    if (!found || !found->expires_at) return std::nullopt;
    // A paid hold expired on another way (the locked insert's bulk expiry
    // of overdue holds under a new booking's time) still owes Stripe the
    // cancel of its intent.
    if (found->status == BookingStatus::expired && found->payment && domain::payment_open(*found->payment)) {
        in_transaction(*s, std::nullopt, [&] { s->exec(domain::cancel_intent_job_statement(booking_id, now)); });
        notify_jobs();
        return std::nullopt;
    }
    // Whether a HELD hold or a PENDING request lapses is the transition
    // table's expiry row; one not yet due is looked at again then (a hold
    // verified into a request has a later expiry).
    if (!domain::lapsed(found->status, found->moment(now))) {
        if (*found->expires_at > now && domain::lapsed(found->status, found->moment(*found->expires_at)))
            return *found->expires_at;
        return std::nullopt;
    }
    // Under the provider's write lock, as the locked insert expires overdue
    // requests, so that only one of them audits the expiry.
    const bool announced = in_transaction(*s, found->provider_id, [&] {
        auto b = records::load_booking(*s, booking_id);
        if (!b || !domain::lapsed(b->status, b->moment(now))) return false;
        const BookingStatus before = b->status;
        b->status = domain::transition_or_throw(before, BookingAction::expire, kind_of(actor), b->moment(now));
        b->updated_at = now;
        // A request the provider never answered is news to both sides; a
        // hold its client never verified was never announced. A paid hold
        // that was never paid is news to the provider's webhooks alone, and
        // its intent is cancelled at Stripe by a job, after this commit.
        const bool unpaid = before == BookingStatus::held && b->payment && domain::payment_open(*b->payment);
        const bool announce = before == BookingStatus::pending || unpaid;
        if (announce)
            s->exec(domain::booking_event_statement(*b, domain::BookingEventType::expired, "system", now, std::nullopt,
                                                    /*webhooks_only=*/unpaid));
        if (!records::update_booking(*s, *b, before)) return false;
        if (unpaid) s->exec(domain::cancel_intent_job_statement(booking_id, now));
        // The expiry it kept tells this entry from the locked insert's bulk
        // expiry of an overdue request (records::expire_overdue_statements).
        records::audit(*s, now, std::string(audit_name(actor)), "booking.expire", "booking", booking_id,
                       {{"from", status_text(before)}, {"expires_at", format_timestamp(*b->expires_at)}});
        return announce;
    });
    if (announced) notify_jobs();
    return std::nullopt;
}

void BookingService::notify_jobs() {
    if (jobs::JobQueue* queue = job_queue_.load()) queue->notify();
}

}  // namespace slotwise::server
