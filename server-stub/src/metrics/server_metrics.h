// The server's metrics (server-stub/README.md "Metrics"): the families, the
// one-line hooks the layers call, and the scrape that adds what is read from
// the database at scrape time.
//
// The hooks take plain strings so that jobs/, http/ and main.cpp can call
// them without knowing each other; every label value they pass comes from
// the code (a route pattern, a job kind, an error code), never from a request.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include <slotwise/time.h>

namespace slotwise::server {
class Store;
}

namespace slotwise::server::metrics {

// An answered HTTP request: its route class (the route table's pattern,
// never the raw path), method, status and time from the request's first byte
// to the last byte of the answer.
void request_answered(std::string_view route, std::string_view method, int status, std::chrono::steady_clock::duration took);

// Bookings, counted where the HTTP layer sees the use case's outcome.
void booking_created(std::string_view status);   // the new booking's status (confirmed, pending, held, ...)
void booking_refused(std::string_view code);     // the problem code of a refused creation
void booking_replayed();                         // an Idempotency-Key answered again
void booking_changed(std::string_view change);   // cancelled, rescheduled, confirmed, declined, completed, no_show

// A job attempt's end as the dispatcher recorded it: done, retry, dead,
// later or lease_lost. Job kinds of the delivery channels also count as
// deliveries (done) and delivery failures (retry, dead) of their channel.
void job_finished(std::string_view kind, std::string_view outcome);

// Stripe's webhook: the receipt's outcome ("duplicate" for an event applied
// before), or the problem code it was refused with.
void payment_webhook(std::string_view outcome);

// The whole exposition: the counters above, and the gauges read now from
// `store` (pool use, the oldest due job, calendar sync lag).
std::string scrape(Store& store, Timestamp now);

}  // namespace slotwise::server::metrics
