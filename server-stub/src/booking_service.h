// The use cases of the booking server, free of HTTP: each takes the parsed
// parts of a request and returns a Reply or throws ApiError. The engine is the
// rule-keeper for slots and refunds; this class supplies it with the
// provider's data and the server's clock, and makes the result durable.
#pragma once

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

#include "clock.h"
#include "group_commit.h"
#include "model.h"
#include "problem.h"
#include "provider_cache.h"
#include "records.h"
#include "store.h"

namespace slotwise::server {

struct Reply {
    int status = 200;
    std::string body;
    std::string content_type = "application/json";
    std::vector<std::pair<std::string, std::string>> headers;
};

inline Reply json_reply(int status, const json& body) { return Reply{status, body.dump(), "application/json", {}}; }

struct ServiceOptions {
    std::string meeting_base_url = "https://meet.jit.si/";
    int pending_cap = 3;                   // open PENDING bookings per client and provider
    // Future HELD, PENDING and CONFIRMED bookings per client and provider,
    // unless the provider's `booking_limits` says otherwise.
    int open_bookings_cap = 3;
    // How long a PENDING request waits for the provider (at most until its
    // start), unless the provider's `booking_limits` says otherwise.
    std::chrono::minutes pending_expiry{24 * 60};
    std::chrono::seconds idempotency_ttl{24 * 60 * 60};  // how long a key is remembered
    // How long a request waits for another request with its Idempotency-Key
    // to finish before it is answered 409 IDEMPOTENCY_KEY_IN_FLIGHT. A
    // booking takes milliseconds; one still running after 2 s is waiting for
    // a stuck database lock (bounds::kLockWait, 3 s, store_bounds.h), and
    // the duplicate learns that before the first request's own 503.
    std::chrono::milliseconds in_flight_wait{2000};
};

using Query = std::map<std::string, std::string>;

class BookingService {
public:
    BookingService(Store& store, const Clock& clock, ServiceOptions options);

    // Provider side; the caller has checked the bearer token.
    Reply put_provider(const std::string& provider_id, std::string_view body);
    Reply list_bookings(const std::string& provider_id, const Query& query);
    // action: confirm, complete, no-show, cancel
    Reply provider_transition(const std::string& booking_id, const std::string& action, std::string_view body);

    // Public side.
    Reply snapshot(const std::string& provider_id, const Query& query);
    Reply slots(const std::string& provider_id, const Query& query);
    Reply create_booking(const std::optional<std::string>& idempotency_key, std::string_view body);
    Reply get_booking(const std::string& booking_id, const std::optional<std::string>& token);
    Reply cancel_booking(const std::string& booking_id, const std::optional<std::string>& token, std::string_view body);
    Reply reschedule_booking(const std::string& booking_id, const std::optional<std::string>& token,
                             std::string_view body);
    Reply booking_calendar(const std::string& booking_id, const std::optional<std::string>& token);

    Reply health();
    std::int64_t purge_expired_idempotency_keys();
    // Marks PENDING requests past their expiry EXPIRED; the number marked.
    // Reads and bookings already treat them so (the status is derived from
    // `expires_at`); this makes the database say it too. Housekeeping.
    std::int64_t expire_overdue_requests();
    // Computes the client key of bookings stored before migration 004 and
    // moves old no-show counts to their hashed records; run once at start,
    // after the migrations. Returns the rows changed.
    std::int64_t backfill_client_keys();
    // Creates the demo provider when the database has no provider; returns its id then.
    std::optional<std::string> create_demo_provider_if_empty();

private:
    // The locked insert (locked_insert.cpp).
    struct BookingJob;
    struct Admitted;
    void run_booking_batch(const std::vector<BookingJob*>& jobs) noexcept;
    void book_together(const std::vector<BookingJob*>& jobs);
    Booking admit(const BookingJob& job, const LoadedProvider* provider, std::vector<Interval> busy,
                  records::ClientStanding standing, const std::vector<Admitted>& earlier, Timestamp now,
                  std::string& manage_token) const;
    // The reads show a PENDING request past its expiry as EXPIRED.
    Booking as_of_now(Booking b) const;

    Booking authorized_booking(Session& s, const std::string& booking_id, const std::optional<std::string>& token);
    std::string new_meeting_link() const;

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
};

}  // namespace slotwise::server
