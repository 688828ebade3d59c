// Making a booking: POST /v1/bookings, the locked insert.
//
// A request's body and Idempotency-Key are checked without any lock. Then it
// queues for group commit with the other bookings of its provider (of all
// providers in SQLite). A batch takes the provider's write lock once and
// works in three steps, so that PostgreSQL spends two round trips on a whole
// batch rather than a dozen on each booking:
//   1. read, in one pipeline, what each decision depends on: the revision of
//      each provider (its parsed configuration comes from the cache), the
//      answer stored under the job's key, the busy intervals the booking
//      would overlap, the client's no-show and open PENDING counts;
//   2. decide the jobs in arrival order, in memory: the engine validates each
//      against the stored busy intervals plus those admitted before it in
//      the batch;
//   3. write, in one pipeline with the commit, the bookings, clients, audit
//      entries and the answer under every key.
// The answer under a key is written in the transaction that makes the
// booking: an acknowledged booking always replays, and a request that died
// before its commit left nothing behind. When a batch fails (a database
// error, the overlap backstop), its jobs run again one by one, so that a
// failure stays with its own job.
#include <algorithm>
#include <cctype>
#include <map>

#include "booking_json.h"
#include "booking_service.h"
#include "crypto.h"
#include "engine_calls.h"
#include "records.h"
#include "request_parsing.h"
#include "zone_time.h"

namespace slotwise::server {
namespace {

std::string lowercase(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

ApiError key_in_flight() {
    ApiError e(409, "IDEMPOTENCY_KEY_IN_FLIGHT", "a request with this Idempotency-Key is still running");
    e.headers.emplace_back("Retry-After", "1");
    return e;
}

Reply replay(const records::IdempotencyRecord& seen) {
    Reply reply{seen.status, seen.response, seen.status >= 400 ? "application/problem+json" : "application/json", {}};
    reply.headers.emplace_back("Idempotent-Replayed", "true");
    return reply;
}

}  // namespace

struct BookingService::BookingJob {
    const BookingRequest& request;
    const std::string& key;
    std::string fingerprint;
    std::string email;  // lowercased: one client whatever the spelling
    // The outcome: the reply, or what to throw (a refusal or a failure).
    std::optional<Reply> reply;
    std::exception_ptr error;
};

// A booking decided earlier in the same batch, not yet visible in the database.
struct BookingService::Admitted {
    std::string provider_id, email;
    Interval occupied;
    bool pending;
};

Reply BookingService::create_booking(const std::optional<std::string>& key, std::string_view body) {
    if (!key) throw ApiError(400, "IDEMPOTENCY_KEY_MISSING", "POST /v1/bookings needs an Idempotency-Key header");
    if (!is_valid_idempotency_key(*key))
        throw ApiError(400, "INVALID_REQUEST", "Idempotency-Key must be 1..255 visible ASCII characters");
    const json parsed = parse_json_body(body);
    const BookingRequest request = parse_booking_request(parsed);

    // A second request with a key this process is working on does not queue
    // behind the first: api.md answers it 409 at once. (Across processes the
    // second waits for the first one's lock and then replays its answer.)
    {
        std::lock_guard<std::mutex> lock(keys_mutex_);
        if (!keys_in_flight_.insert(*key).second) throw key_in_flight();
    }
    struct Release {
        BookingService& service;
        const std::string& key;
        ~Release() {
            std::lock_guard<std::mutex> lock(service.keys_mutex_);
            service.keys_in_flight_.erase(key);
        }
    } release{*this, *key};

    // The fingerprint is of the parsed document, so key order and spacing do not matter.
    BookingJob job{request, *key, sha256_hex(parsed.dump()), lowercase(request.client.email), std::nullopt, nullptr};
    locked_inserts_.run(store_.write_queue(request.provider), job);
    if (job.error) std::rethrow_exception(job.error);
    return *job.reply;
}

void BookingService::run_booking_batch(const std::vector<BookingJob*>& jobs) noexcept {
    if (jobs.size() > 1) {
        try {
            book_together(jobs);
            return;
        } catch (...) {
            // Nothing of the batch was committed; each job is tried alone.
        }
    }
    for (BookingJob* job : jobs) {
        try {
            book_together({job});
        } catch (const OverlapError&) {
            // The database's backstop saw an overlap the engine did not.
            job->error = std::make_exception_ptr(ApiError(409, "SLOT_TAKEN", "the slot is taken"));
        } catch (...) {
            job->error = std::current_exception();
        }
    }
}

void BookingService::book_together(const std::vector<BookingJob*>& jobs) {
    const Seconds now = clock_.now();
    const Seconds expired_at = now - options_.idempotency_ttl;
    auto s = store_.session();
    try {
        // 1. Read. Each job's busy window depends on its service, so it is
        // taken from the cached configuration; the revisions read alongside
        // tell whether that was current (a PUT takes this lock too).
        std::map<std::string, std::shared_ptr<const LoadedProvider>> providers;
        for (const BookingJob* job : jobs) providers.emplace(job->request.provider, nullptr);
        std::vector<Statement> reads;
        for (auto& [id, provider] : providers) {
            provider = providers_.latest(id);
            reads.push_back(records::provider_revision_statement(id));
        }
        const auto busy_read = [&](const BookingJob& job) {
            const LoadedProvider* provider = providers[job.request.provider].get();
            const Interval window = slot_taken_window(provider ? provider->config.service(job.request.service) : nullptr,
                                                      job.request.start, job.request.duration_minutes);
            return records::busy_statement(s->dialect(), job.request.provider, window.start, window.end);
        };
        // Where each job's rows are in `read`. A key's lock (PostgreSQL) is
        // taken in a statement before the key is read, so a request with the
        // same key in another process is either finished and visible, or
        // still holding it: in flight.
        struct JobReads {
            std::optional<std::size_t> key_lock;
            std::size_t key, busy, standing;
        };
        std::vector<JobReads> at;
        for (const BookingJob* job : jobs) {
            JobReads r{};
            if (auto lock = s->try_lock_statement(job->key)) {
                r.key_lock = reads.size();
                reads.push_back(std::move(*lock));
            }
            r.key = reads.size();
            reads.push_back(records::idempotency_key_statement(job->key));
            r.busy = reads.size();
            reads.push_back(busy_read(*job));
            r.standing = reads.size();
            reads.push_back(records::client_standing_statement(job->request.provider, job->email));
            at.push_back(r);
        }
        std::vector<SqlRows> read = s->begin_locked_with(jobs.front()->request.provider, reads);
        std::size_t index = 0;
        std::vector<std::string> reloaded;
        for (auto& [id, provider] : providers) {
            const auto revision = records::revision_from(read[index++]);
            if (provider && revision && provider->revision == *revision) continue;
            provider = revision ? providers_.get(*s, id) : nullptr;
            if (provider) reloaded.push_back(id);
        }
        if (!reloaded.empty()) {
            // Rare: the first booking of a provider in this process, or one
            // after a PUT. Its busy windows are read again.
            std::vector<Statement> again;
            std::vector<std::size_t> slots;
            for (std::size_t i = 0; i < jobs.size(); ++i) {
                if (std::find(reloaded.begin(), reloaded.end(), jobs[i]->request.provider) == reloaded.end()) continue;
                again.push_back(busy_read(*jobs[i]));
                slots.push_back(at[i].busy);
            }
            std::vector<SqlRows> fresh = s->query_all(again);
            for (std::size_t k = 0; k < slots.size(); ++k) read[slots[k]] = std::move(fresh[k]);
        }

        // 2. Decide.
        std::vector<Statement> writes;
        std::vector<Admitted> admitted;
        std::vector<std::pair<std::optional<Reply>, std::exception_ptr>> outcomes(jobs.size());
        for (std::size_t i = 0; i < jobs.size(); ++i) {
            const BookingJob& job = *jobs[i];
            auto& [reply, error] = outcomes[i];
            if (at[i].key_lock && !records::flag_from(read[*at[i].key_lock])) {
                error = std::make_exception_ptr(key_in_flight());
                continue;
            }
            if (auto seen = records::idempotency_record_from(read[at[i].key]); seen && seen->created_at > expired_at) {
                if (seen->request_sha256 == job.fingerprint) reply = replay(*seen);
                else error = std::make_exception_ptr(ApiError(422, "IDEMPOTENCY_KEY_REUSED",
                                                              "this Idempotency-Key was used with a different body"));
                continue;
            }
            records::IdempotencyRecord answer{job.fingerprint, 0, "", now};
            try {
                std::string manage_token;
                const Booking b = admit(job, providers[job.request.provider].get(), records::busy_from(read[at[i].busy]),
                                        records::client_standing_from(read[at[i].standing]), admitted, now, manage_token);
                writes.push_back(records::insert_booking_statement(b));
                writes.push_back(records::remember_client_statement(b.provider_id, b.client));
                writes.push_back(records::audit_statement(
                    now, "client", "booking.create", "booking", b.id,
                    {{"status", b.status}, {"start", format_instant(b.start)}, {"idempotency_key", job.key}}));
                admitted.push_back({b.provider_id, b.client.email, {b.occupied_start, b.occupied_end}, b.status == "PENDING"});
                reply = json_reply(201, {{"booking", booking_json(b, manage_token)}});
                answer.status = reply->status;
                answer.response = reply->body;
            } catch (const ApiError& e) {
                // A refusal is the request's answer too: the same key replays it.
                error = std::current_exception();
                answer.status = e.status;
                answer.response = problem_body(e);
            }
            writes.push_back(records::store_answer_statement(job.key, answer, expired_at));
        }

        // 3. Write and commit.
        s->commit_with(writes);
        for (std::size_t i = 0; i < jobs.size(); ++i) {
            jobs[i]->reply = std::move(outcomes[i].first);
            jobs[i]->error = outcomes[i].second;
        }
    } catch (...) {
        s->rollback();
        throw;
    }
}

Booking BookingService::admit(const BookingJob& job, const LoadedProvider* provider, std::vector<Interval> busy,
                              records::ClientStanding standing, const std::vector<Admitted>& earlier, Seconds now,
                              std::string& manage_token) const {
    const BookingRequest& r = job.request;
    if (!provider) throw ApiError(404, "UNKNOWN_PROVIDER", "no provider " + r.provider);
    const ServiceConfig* found = provider->config.service(r.service);
    if (!found) throw ApiError(404, "UNKNOWN_SERVICE", "no service " + r.service);
    const ServiceConfig& service = *found;
    for (const Admitted& a : earlier) {
        if (a.provider_id != r.provider) continue;
        busy.push_back(a.occupied);
        if (a.pending && a.email == job.email) ++standing.open_pending;
    }
    const Seconds now_minute = Clock::floor_minute(now);
    engine_validate(provider->engine_snapshot, busy, r.service, r.start, r.duration_minutes, now_minute);
    const std::string& zone = provider->config.time_zone;
    if (standing.no_shows > 0 && local_date(zone, r.start) == local_date(zone, now_minute))
        throw ApiError(422, "CLIENT_LOCKED_OUT", "after a no-show, same-day bookings with this provider are closed");
    if (service.requires_confirmation && standing.open_pending >= options_.pending_cap)
        throw ApiError(422, "TOO_MANY_PENDING", "this client already has the maximum of open PENDING bookings");

    Booking b;
    b.id = "bk_" + random_token(15);
    manage_token = random_token(20);
    b.manage_token_sha256 = sha256_hex(manage_token);
    b.provider_id = r.provider;
    b.service_id = r.service;
    b.status = service.requires_confirmation ? "PENDING" : "CONFIRMED";
    b.duration_minutes = r.duration_minutes.value_or(service.durations.front());
    b.start = r.start;
    b.end = r.start + b.duration_minutes * kMinute;
    const Interval occupied = occupied_interval(service, b.start, b.duration_minutes);
    b.occupied_start = occupied.start;
    b.occupied_end = occupied.end;
    b.client = r.client;
    b.client.email = job.email;
    b.client_time_zone = r.time_zone;
    b.notes = r.notes;
    if (service.is_virtual && b.status == "CONFIRMED") b.meeting_link = new_meeting_link();
    b.price_amount = service.price_amount;
    b.currency = service.currency;
    b.cancellation_policy = service.cancellation_policy;
    b.created_at = b.updated_at = now;
    return b;
}

}  // namespace slotwise::server
