// The use cases of the booking server, free of HTTP: each takes an Actor and
// the parsed parts of a request and returns a domain result or throws a
// DomainError. The engine is the
// rule-keeper for slots and refunds; this class supplies it with the
// provider's data and the server's clock, and makes the result durable.
#pragma once

#include <chrono>
#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <variant>
#include <vector>

#include "domain/clock.h"
#include "domain/actor.h"
#include "domain/booking_status.h"
#include "domain/group_commit.h"
#include "jobs/job_queue.h"
#include "domain/model.h"
#include "domain/domain_error.h"
#include "domain/provider_cache.h"
#include "store/records.h"
#include "store/store.h"

namespace slotwise::server {
namespace domain {
class PaymentFlow;
}

using domain::Actor;

// What the use cases answer; http/api_mapping.cpp alone turns these into
// status codes, content types and headers.
struct BookingView {
    Booking booking;
    std::optional<std::string> manage_token;  // shown once, in the answer that creates the booking
    // A paid booking's client_secret and publishable key, for the answers that may show them (booking_json.h).
    std::optional<PaymentWidget> payment_widget = std::nullopt;
};
struct SavedProvider {
    bool created = false;
    json document;  // the provider's public snapshot
};
// A provider's configuration in exactly the shape PUT /v1/providers/{id} takes.
struct ProviderDocument {
    json document;
};
// An account's export (GET /v1/me/export), the erasure of one client's
// data and an account's plan (accounts_admin.cpp).
struct AccountExport {
    std::string account_id;
    json document;
};
struct ClientErasure {
    std::int64_t bookings = 0;
    std::int64_t no_show_records = 0;
};
struct AccountPlan {
    std::string account_id, plan;
};
struct BookingList {
    std::string provider_id;
    LocalDate from, to;
    std::vector<Booking> bookings;
};
struct SnapshotDocument {
    std::string json_text;  // spliced from the provider's parts serialised once per revision (snapshot.h)
};
struct SlotList {
    std::string json_text;  // the engine's answer, serialised by the engine
};
struct CalendarFile {
    std::string file_name;
    std::string text;  // RFC 5545
};
struct HealthReport {
    std::string database;  // the backend's name
    jobs::JobHealth jobs;
};

// The answer to a booking request as kept under its Idempotency-Key, so that
// a retry gets the first answer byte for byte (api.md). Its form is the
// transport's (AnswerKeeper); to the domain it is opaque.
struct KeptAnswer {
    int status = 0;
    std::string body;
};
class AnswerKeeper {
public:
    virtual ~AnswerKeeper() = default;
    virtual KeptAnswer created(const BookingView& booking) const = 0;
    virtual KeptAnswer refused(const DomainError& refusal) const = 0;
    // The booking a kept creation answer made; nullopt for a refusal.
    virtual std::optional<std::string> booking_of(const KeptAnswer& kept) const = 0;
    // A kept creation answer with its booking as it is now (a paid
    // booking's payment is settled after the answer was kept); the manage
    // token stays the kept one.
    virtual KeptAnswer refreshed(const KeptAnswer& kept, const BookingView& now) const = 0;
};
// A new booking, or the replay of the answer kept under the key.
using BookingOutcome = std::variant<BookingView, KeptAnswer>;

struct ServiceOptions {
    std::string meeting_base_url = "https://meet.jit.si/";
    int pending_cap = 3;                   // open PENDING bookings per client and provider
    // Future HELD, PENDING and CONFIRMED bookings per client and provider,
    // unless the provider's `booking_limits` says otherwise.
    int open_bookings_cap = 3;
    // How long a PENDING request waits for the provider (at most until its
    // start), unless the provider's `booking_limits` says otherwise.
    std::chrono::minutes pending_expiry{24 * 60};
    // How long a HELD booking waits for its client's emailed code (at most
    // until its start); then it lapses and frees its time.
    std::chrono::minutes hold_expiry{15};
    // How long a HELD booking of a paid service waits for its payment (at
    // most until its start; --payment-hold-minutes); then it lapses, frees
    // its time, and its PaymentIntent is cancelled.
    std::chrono::minutes payment_hold{15};
    std::chrono::seconds idempotency_ttl{24 * 60 * 60};  // how long a key is remembered
    // How long a request waits for another request with its Idempotency-Key
    // to finish before it is answered 409 IDEMPOTENCY_KEY_IN_FLIGHT. A
    // booking takes milliseconds; one still running after 2 s is waiting for
    // a stuck database lock (bounds::kLockWait, 3 s, store_bounds.h), and
    // the duplicate learns that before the first request's own 503.
    std::chrono::milliseconds in_flight_wait{2000};
    // Seals each booking's manage token for the links in later mails
    // (domain/booking_events.h); from the server's keys (domain/server_keys.h).
    std::string manage_token_key;
};

using Query = std::map<std::string, std::string>;

class BookingService {
public:
    BookingService(Store& store, const Clock& clock, ServiceOptions options);

    // Every use case takes the actor it acts for and answers a result or
    // throws a DomainError. The HTTP side resolves the caller into the actor
    // (http_api.cpp); the rules of who may do what are here and in the
    // transition table (domain/booking_status.h).

    // Provider side.
    SavedProvider put_provider(const Actor& actor, const std::string& provider_id, std::string_view body);
    ProviderDocument get_provider(const Actor& actor, const std::string& provider_id);
    BookingList list_bookings(const Actor& actor, const std::string& provider_id, const Query& query);
    // confirm, decline, cancel, complete, no-show: the provider's transitions.
    BookingView provider_transition(const Actor& actor, const std::string& booking_id, domain::BookingAction action,
                                    std::string_view body);

    // Public side.
    SnapshotDocument snapshot(const Actor& actor, const std::string& provider_id, const Query& query);
    SlotList slots(const Actor& actor, const std::string& provider_id, const Query& query);
    BookingOutcome create_booking(const Actor& actor, const std::optional<std::string>& idempotency_key,
                                  std::string_view body, const AnswerKeeper& keeper);
    BookingView get_booking(const Actor& actor, const std::string& booking_id);
    CalendarFile booking_calendar(const Actor& actor, const std::string& booking_id);
    // The booking's client by manage token, or the provider's side.
    BookingView cancel_booking(const Actor& actor, const std::string& booking_id, std::string_view body);
    BookingView reschedule_booking(const Actor& actor, const std::string& booking_id, std::string_view body);
    // The client of a HELD booking enters the code mailed to them
    // (client_verification.h): the booking moves on to PENDING or CONFIRMED.
    // A wrong code is INVALID_CODE (401, with `attempts_left`); the fifth
    // releases the hold; a hold that lapsed or was released is
    // CHALLENGE_EXPIRED (410).
    BookingView verify_booking(const Actor& actor, const std::string& booking_id, std::string_view body);

    HealthReport health(const Actor& actor);

    // The server (domain::System) marks a HELD hold or a PENDING request
    // EXPIRED once its expiry has passed, announcing an expired request
    // (domain/booking_events.h). Answers when to look again for one that is
    // not due yet (a hold verified into a request has a later expiry).
    std::optional<Timestamp> expire_if_lapsed(const Actor& actor, const std::string& booking_id);

    // A commit that queued a job due now (a mail) tells this queue, so that
    // the dispatcher need not wait for its next look. Set once the jobs
    // start, while requests may already be served.
    void notify_jobs_through(jobs::JobQueue& queue) { job_queue_.store(&queue); }

    // Payments (domain/payment_flow.h): without a flow, or for a provider
    // without a Stripe account, a paid service is refused
    // (PAYMENT_NOT_AVAILABLE). Set once, before requests are served.
    void take_payments_through(domain::PaymentFlow& flow) { payment_flow_.store(&flow); }
    // Stripe reported the payment of this booking (payment_intent.succeeded,
    // or the reconciliation): inside the caller's transaction, the one that
    // records the event and the payment row. A HELD booking moves on by the
    // table's `pay` row and is announced (booking.created, then
    // payment.succeeded); a hold past its expiry, or a booking no longer
    // HELD, keeps its status (a lapsed hold is marked EXPIRED) and
    // everything received is refunded: a `refunds` row the refunds job
    // sends. Answers the outcome for the event's record.
    std::string settle_payment(Session& s, const std::string& booking_id, std::int64_t amount_received, Timestamp now);

    // Data rights and plans (accounts_admin.cpp; README "Ownership, plans and data rights").
    AccountExport export_account(const Actor& actor);
    void delete_account(const Actor& actor);
    ClientErasure erase_client(const Actor& actor, std::string_view body);
    AccountPlan set_account_plan(const Actor& actor, const std::string& account_id, std::string_view body);

    // Housekeeping, the server acting for itself (domain::System).
    std::int64_t purge_expired_idempotency_keys();
    // Computes the client key of bookings stored before migration 004 and
    // moves old no-show counts to their hashed records; run once at start,
    // after the migrations. Returns the rows changed.
    std::int64_t backfill_client_keys();
    // Creates the demo provider when the database has no provider; returns its id then.
    std::optional<std::string> create_demo_provider_if_empty();
    // The demo practice's address: its mail goes there, and its account owns it.
    static constexpr const char* kDemoProviderEmail = "demo-provider@example.com";

private:
    // The locked insert (locked_insert.cpp).
    struct BookingJob;
    struct Admitted;
    void run_booking_batch(const std::vector<BookingJob*>& jobs) noexcept;
    void book_together(const std::vector<BookingJob*>& jobs);
    Booking admit(const BookingJob& job, const LoadedProvider* provider, std::vector<Interval> busy,
                  records::ClientStanding standing, const std::vector<Admitted>& earlier, Timestamp now,
                  std::string& manage_token) const;
    // The reads show a request past its expiry as EXPIRED (the table's
    // expiry row), whether or not the housekeeping has written that yet.
    Booking as_of(Booking b, Timestamp now) const;
    Booking as_of_now(Booking b) const { return as_of(std::move(b), clock_.now()); }

    // The booking whose manage token the client presents.
    Booking authorized_booking(Session& s, const std::string& booking_id, const domain::BookingClient& client);
    BookingView client_cancel(const Actor& actor, const std::string& booking_id, std::optional<std::string> reason);
    std::string new_meeting_link() const;
    // Tells the dispatcher that a commit queued jobs due now (events, mail).
    void notify_jobs();

    Store& store_;
    const Clock& clock_;
    ServiceOptions options_;
    ProviderCache providers_;
    GroupCommit<BookingJob> locked_inserts_;
    // Idempotency keys of the requests this process is working on; a
    // request with the same key waits for `keys_released_`.
    std::mutex keys_mutex_;
    std::condition_variable keys_released_;
    std::unordered_set<std::string> keys_in_flight_;
    std::atomic<jobs::JobQueue*> job_queue_{nullptr};
    std::atomic<domain::PaymentFlow*> payment_flow_{nullptr};
    // A paid booking's answer: its intent made at Stripe after the commit, the payment read again.
    BookingView with_payment(BookingView view);
    // The replay of a kept answer that made a paid booking: the booking and payment as they are now.
    KeptAnswer resume_paid(const KeptAnswer& kept, const AnswerKeeper& keeper);
};

}  // namespace slotwise::server
