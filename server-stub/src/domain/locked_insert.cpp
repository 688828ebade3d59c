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
//      would overlap, the client's no-show count and open bookings (by the
//      normalised address, client_address.h);
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
//
// The answer under a key is sealed: the table holds the SHA-256 of the key,
// an HMAC of the request and the answer encrypted with AES-256-GCM, both
// under keys derived (HKDF-SHA256) from the Idempotency-Key itself, which is
// never stored. A dump of the database reveals no manage token, name or
// address; the client who holds the key replays the same bytes.
//
// A request whose key another request is working on (in this process: the
// registry below; in another PostgreSQL process: the key's advisory lock)
// waits for it, up to ServiceOptions::in_flight_wait, and then replays its
// answer; only a wait that runs out is 409 IDEMPOTENCY_KEY_IN_FLIGHT.
#include <algorithm>
#include <cctype>
#include <map>
#include <thread>

#include "domain/booking_json.h"
#include "domain/booking_service.h"

#include "domain/booking_events.h"
#include "domain/client_address.h"
#include "domain/client_verification.h"
#include "support/crypto.h"
#include "domain/engine_calls.h"
#include "domain/payment_flow.h"
#include "domain/providers_access.h"
#include "jobs/standard_jobs.h"
#include "mail/mail_job.h"
#include "store/payment_records.h"
#include "store/records.h"
#include "store/verification_records.h"
#include "domain/request_parsing.h"

namespace slotwise::server {
namespace {

std::string lowercase(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

DomainError key_in_flight() {
    DomainError e(ErrorKind::conflict, "IDEMPOTENCY_KEY_IN_FLIGHT", "a request with this Idempotency-Key is still running");
    e.retry_after_seconds(1);
    return e;
}

// What is derived from an Idempotency-Key: the record's lookup key and the
// two secrets that seal it. The salt names the purpose, so these keys are of
// no use anywhere else.
struct KeySecrets {
    std::string lookup;           // SHA-256 of the key, hex: the table's key column
    std::string fingerprint_key;  // HMAC key for the request's fingerprint
    std::string answer_key;       // AES-256-GCM key for the stored answer
};

KeySecrets key_secrets(const std::string& idempotency_key) {
    const std::string material = hkdf_sha256(idempotency_key, "slotwise idempotency record v1", "fingerprint|answer", 64);
    return {sha256_hex(idempotency_key), material.substr(0, 32), material.substr(32, 32)};
}

KeptAnswer replay(const records::IdempotencyRecord& seen, const KeySecrets& secrets) {
    auto body = open_sealed(secrets.answer_key, seen.response, secrets.lookup);
    // The record is found by the key's hash and its fingerprint matched, so
    // it was sealed with this key: anything else is a damaged record.
    if (!body) throw std::runtime_error("a stored idempotent answer cannot be opened");
    return {seen.status, std::move(*body)};
}

}  // namespace

struct BookingService::BookingJob {
    const BookingRequest& request;
    const std::string& key;
    const KeySecrets& secrets;
    const AnswerKeeper& keeper;
    std::string fingerprint;  // HMAC of the parsed request
    std::string email;        // lowercased, as shown
    std::string client_key;   // one client whatever the spelling (client_address.h)
    // The outcome: a new booking or a replay, or what to throw (a refusal or
    // a failure), or neither when another process holds the key: the job
    // runs again.
    std::optional<BookingOutcome> outcome;
    std::exception_ptr error;
    bool key_busy = false;
};

// A booking decided earlier in the same batch, not yet visible in the database.
struct BookingService::Admitted {
    std::string provider_id, client_key;
    Interval occupied;
    Instant start;
    bool pending;
};

BookingOutcome BookingService::create_booking(const Actor&, const std::optional<std::string>& key,
                                              std::string_view body, const AnswerKeeper& keeper) {
    if (!key) throw DomainError(ErrorKind::invalid_input, "IDEMPOTENCY_KEY_MISSING", "POST /v1/bookings needs an Idempotency-Key header");
    if (!is_valid_idempotency_key(*key))
        throw DomainError(ErrorKind::invalid_input, "INVALID_REQUEST", "Idempotency-Key must be 1..255 visible ASCII characters");
    const json parsed = parse_json_body(body);
    const BookingRequest request = parse_booking_request(parsed);

    const KeySecrets secrets = key_secrets(*key);
    // The fingerprint is of the parsed document, so key order and spacing do not matter.
    const std::string fingerprint = hmac_sha256_hex(secrets.fingerprint_key, parsed.dump());
    const std::string email = lowercase(request.client.email);
    const std::string normalised = client_key(request.client.email);

    // A second request with a key this process is working on waits for the
    // first to finish, then finds its answer and replays it.
    const auto deadline = std::chrono::steady_clock::now() + options_.in_flight_wait;
    {
        std::unique_lock<std::mutex> lock(keys_mutex_);
        if (!keys_released_.wait_until(lock, deadline, [&] { return keys_in_flight_.count(*key) == 0; }))
            throw key_in_flight();
        keys_in_flight_.insert(*key);
    }
    struct Release {
        BookingService& service;
        const std::string& key;
        ~Release() {
            {
                std::lock_guard<std::mutex> lock(service.keys_mutex_);
                service.keys_in_flight_.erase(key);
            }
            service.keys_released_.notify_all();
        }
    } release{*this, *key};

    // Another PostgreSQL process holding the key: its transaction ends within
    // the database's statement timeout; until then this request tries again.
    for (int attempt = 0;; ++attempt) {
        BookingJob job{request, *key, secrets, keeper, fingerprint, email, normalised, std::nullopt, nullptr, false};
        locked_inserts_.run(store_.write_queue(request.provider), job);
        if (!job.key_busy) {
            if (job.error) std::rethrow_exception(job.error);
            // A paid booking's intent is made after its commit, never inside it.
            if (auto* created = std::get_if<BookingView>(&*job.outcome); created && created->booking.payment)
                return with_payment(std::move(*created));
            if (auto* kept = std::get_if<KeptAnswer>(&*job.outcome); kept && payment_flow_.load())
                return resume_paid(*kept, keeper);
            return std::move(*job.outcome);
        }
        if (std::chrono::steady_clock::now() >= deadline) throw key_in_flight();
        std::this_thread::sleep_for(std::chrono::milliseconds(std::min(2 << std::min(attempt, 5), 50)));
    }
}

BookingView BookingService::with_payment(BookingView view) {
    domain::PaymentFlow* flow = payment_flow_.load();
    view.payment_widget = flow->ensure_intent(view.booking);
    auto s = store_.session();
    view.booking.payment = records::load_payment(*s, view.booking.id);
    return view;
}

KeptAnswer BookingService::resume_paid(const KeptAnswer& kept, const AnswerKeeper& keeper) {
    const auto booking_id = keeper.booking_of(kept);
    if (!booking_id) return kept;
    auto s = store_.session();
    auto found = records::load_booking(*s, *booking_id);
    if (!found || !found->payment) return kept;
    Booking b = as_of_now(*found);
    // Refused by Stripe when it was made: the same answer as then.
    if (b.payment->status == "failed" && !b.payment->intent_id)
        throw domain::payment_provider_unavailable(std::nullopt, "the payment provider refused to take this payment; the time is released");
    BookingView view{b, std::nullopt};
    if (b.status == BookingStatus::held) {
        // The first answer may never have reached Stripe's (a crash, an
        // outage): asking again with the booking's key gets the same intent.
        view.payment_widget = payment_flow_.load()->ensure_intent(b);
        view.booking.payment = records::load_payment(*s, b.id);
    }
    return keeper.refreshed(kept, view);
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
            job->error = std::make_exception_ptr(DomainError(ErrorKind::conflict, "SLOT_TAKEN", "the slot is taken"));
        } catch (...) {
            job->error = std::current_exception();
        }
    }
}

void BookingService::book_together(const std::vector<BookingJob*>& jobs) {
    const Timestamp now = clock_.now();
    const Timestamp expired_at = now - options_.idempotency_ttl;
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
            return records::busy_statement(s->dialect(), job.request.provider, window.start, window.end, now);
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
            reads.push_back(records::idempotency_key_statement(job->secrets.lookup));
            r.busy = reads.size();
            reads.push_back(busy_read(*job));
            r.standing = reads.size();
            reads.push_back(records::client_standing_statement(job->request.provider, job->client_key, now));
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
        std::vector<std::string> expiring;  // providers with a new booking over an overdue request
        std::vector<std::pair<std::optional<BookingOutcome>, std::exception_ptr>> outcomes(jobs.size());
        std::vector<bool> key_busy(jobs.size(), false);
        bool mail_queued = false;
        for (std::size_t i = 0; i < jobs.size(); ++i) {
            const BookingJob& job = *jobs[i];
            auto& [outcome, error] = outcomes[i];
            if (at[i].key_lock && !records::flag_from(read[*at[i].key_lock])) {
                key_busy[i] = true;
                continue;
            }
            if (auto seen = records::idempotency_record_from(read[at[i].key]); seen && seen->created_at > expired_at) {
                if (constant_time_equal(seen->request_sha256, job.fingerprint)) outcome = replay(*seen, job.secrets);
                else error = std::make_exception_ptr(DomainError(ErrorKind::refused, "IDEMPOTENCY_KEY_REUSED",
                                                              "this Idempotency-Key was used with a different body"));
                continue;
            }
            records::IdempotencyRecord answer{job.fingerprint, 0, "", now};
            try {
                std::string manage_token;
                bool overdue_seen = false;
                auto busy = records::busy_from(read[at[i].busy], &overdue_seen);
                Booking b = admit(job, providers[job.request.provider].get(), std::move(busy),
                                  records::client_standing_from(read[at[i].standing]), admitted, now, manage_token);
                b.client_locale = job.request.locale;
                if (options_.manage_token_key.size() == 32)
                    b.manage_token_sealed = domain::seal_manage_token(options_.manage_token_key, b.id, manage_token);
                // A hold is announced once verified (verify_booking); a
                // request or a confirmed booking at once, with the insert.
                if (b.status == BookingStatus::pending || b.status == BookingStatus::confirmed) {
                    writes.push_back(domain::booking_event_statement(b, domain::BookingEventType::created, "client", now));
                    mail_queued = true;
                }
                if (overdue_seen && std::find(expiring.begin(), expiring.end(), b.provider_id) == expiring.end())
                    expiring.push_back(b.provider_id);
                writes.push_back(records::insert_booking_statement(b));
                // Its expiry is a job, committed with the booking (jobs/standard_jobs.h).
                if (b.expires_at)
                    writes.push_back(jobs::booking_expiry_statement(b.id, *b.expires_at, now));
                // A hold's code: its hash stored and its mail queued with the booking.
                // A paid booking's payment row, committed with it: the intent
                // is asked of Stripe after the commit (payment_flow.h).
                if (b.payment) writes.push_back(records::insert_payment_statement(b, now));
                if (b.status == BookingStatus::held && !b.payment) {
                    const LoadedProvider& provider = *providers[job.request.provider];
                    const VerificationCode code = new_verification_code(b.id, manage_token);
                    writes.push_back(records::insert_verification_statement(b.id, code.code_hmac, now));
                    writes.push_back(mail::mail_send_statement(
                        verification_mail(b, provider.config, *provider.config.service(b.service_id), code.code,
                                          job.request.locale, static_cast<int>(options_.hold_expiry.count())),
                        now));
                    mail_queued = true;
                }
                // The one who books becomes the booking's client.
                writes.push_back(records::audit_statement(
                    now, std::string(domain::audit_name(domain::ActorKind::booking_client)), "booking.create", "booking",
                    b.id, {{"status", std::string(to_string(b.status))}, {"start", format_instant(b.start)}}));
                admitted.push_back({b.provider_id, b.client_key, {b.occupied_start, b.occupied_end}, b.start,
                                    b.status == BookingStatus::pending});
                BookingView created{b, manage_token};
                const KeptAnswer kept = job.keeper.created(created);
                answer.status = kept.status;
                answer.response = kept.body;
                outcome = std::move(created);
            } catch (const DomainError& e) {
                // A refusal is the request's answer too: the same key replays it.
                error = std::current_exception();
                const KeptAnswer kept = job.keeper.refused(e);
                answer.status = kept.status;
                answer.response = kept.body;
            }
            answer.response = seal(job.secrets.answer_key, answer.response, job.secrets.lookup);
            writes.push_back(records::store_answer_statement(job.secrets.lookup, answer, expired_at));
        }

        // 3. Write and commit. Requests past their expiry under a new
        // booking's time, which the decision ignored, are marked EXPIRED
        // first, so that the database's overlap backstop, which knows only
        // statuses, agrees with it.
        std::vector<Statement> all;
        for (const std::string& provider_id : expiring)
            for (auto& st : records::expire_overdue_statements(provider_id, now)) all.push_back(std::move(st));
        all.insert(all.end(), std::make_move_iterator(writes.begin()), std::make_move_iterator(writes.end()));
        s->commit_with(all);
        if (jobs::JobQueue* queue = job_queue_.load(); mail_queued && queue) queue->notify();
        for (std::size_t i = 0; i < jobs.size(); ++i) {
            jobs[i]->outcome = std::move(outcomes[i].first);
            jobs[i]->error = outcomes[i].second;
            jobs[i]->key_busy = key_busy[i];
        }
    } catch (...) {
        s->rollback();
        throw;
    }
}

Booking BookingService::admit(const BookingJob& job, const LoadedProvider* provider, std::vector<Interval> busy,
                              records::ClientStanding standing, const std::vector<Admitted>& earlier, Timestamp now,
                              std::string& manage_token) const {
    const BookingRequest& r = job.request;
    if (!provider) throw domain::unknown_provider(r.provider);
    const ServiceConfig* found = provider->config.service(r.service);
    if (!found) throw DomainError(ErrorKind::not_found, "UNKNOWN_SERVICE", "no service " + r.service);
    const ServiceConfig& service = *found;
    // A service that asks for payment is booked HELD until Stripe reports
    // it; without a Stripe account for the provider it is refused rather
    // than booked unpaid: the provider would believe it paid.
    const bool paid = service.payment.mode != PaymentMode::none;
    if (paid) {
        const domain::PaymentFlow* flow = payment_flow_.load();
        if (!flow || !flow->takes_payments(r.provider))
            throw DomainError(ErrorKind::refused, "PAYMENT_NOT_AVAILABLE",
                              "this service asks for payment when booking, and its provider has no payment account set up "
                              "(a Stripe secret key and publishable key)");
    }
    for (const Admitted& a : earlier) {
        if (a.provider_id != r.provider) continue;
        busy.push_back(a.occupied);
        if (a.client_key != job.client_key) continue;
        if (a.pending) ++standing.open_pending;
        if (a.start > now) ++standing.open;
    }
    const Instant now_minute = date::floor<Minutes>(now);
    engine_validate(provider->engine_snapshot, busy, r.service, r.start, r.duration_minutes, now_minute);
    const TimeZone& zone = *provider->engine_snapshot.zone;
    if (standing.no_shows > 0 && zone.local_date(r.start) == zone.local_date(now_minute))
        throw DomainError(ErrorKind::refused, "CLIENT_LOCKED_OUT", "after a no-show, same-day bookings with this provider are closed");
    if (service.requires_confirmation && standing.open_pending >= options_.pending_cap)
        throw DomainError(ErrorKind::refused, "TOO_MANY_PENDING", "this client already has the maximum of open PENDING bookings");
    const int open_cap = provider->config.open_bookings_per_client.value_or(options_.open_bookings_cap);
    if (standing.open >= open_cap)
        throw DomainError(ErrorKind::refused, "TOO_MANY_OPEN_BOOKINGS",
                       "this client already has " + std::to_string(standing.open) + " upcoming bookings with this "
                       "provider, the most it allows (" + std::to_string(open_cap) + "); cancel one or wait until "
                       "one has taken place");

    Booking b;
    b.id = "bk_" + random_token(15);
    manage_token = random_token(20);
    b.manage_token_sha256 = sha256_hex(manage_token);
    b.provider_id = r.provider;
    b.service_id = r.service;
    // A service that verifies email addresses holds the time until the
    // client enters the mailed code (verify); the mail must be sendable. A
    // paid service holds it for the payment instead: the payer is who the
    // card says, and no code is sent.
    if (service.verify_client_email && !paid) {
        try {
            mail::check_address(job.email);
        } catch (const mail::MailFormatError&) {
            throw DomainError(ErrorKind::refused, "EMAIL_UNDELIVERABLE",
                              "this service confirms bookings by a code sent by email, and the server cannot send "
                              "mail to this address (only ASCII addresses are supported)");
        }
    }
    b.status = paid || service.verify_client_email ? BookingStatus::held
               : service.requires_confirmation ? BookingStatus::pending
                                               : BookingStatus::confirmed;
    b.duration_minutes = r.duration_minutes.value_or(service.durations.front());
    b.start = r.start;
    b.end = r.start + Minutes{b.duration_minutes};
    const Interval occupied = occupied_interval(service, b.start, b.duration_minutes);
    b.occupied_start = occupied.start;
    b.occupied_end = occupied.end;
    b.client = r.client;
    b.client.email = job.email;
    b.client_key = job.client_key;
    if (b.status == BookingStatus::pending) {
        const auto minutes = provider->config.pending_expiry_minutes;
        const Minutes expiry = minutes ? Minutes{*minutes} : options_.pending_expiry;
        b.expires_at = std::min<Timestamp>(now + expiry, b.start);
    } else if (b.status == BookingStatus::held) {
        b.expires_at = std::min<Timestamp>(now + (paid ? options_.payment_hold : options_.hold_expiry), b.start);
    }
    if (paid) {
        BookingPayment& p = b.payment.emplace();
        p.mode = std::string(to_string(service.payment.mode));
        p.amount = amount_due_up_front(service.payment, service.price_amount);
        p.currency = service.currency;
        p.status = "creating";
        p.expires_at = *b.expires_at;
    }
    b.client_time_zone = r.time_zone;
    b.notes = r.notes;
    if (service.is_virtual && b.status == BookingStatus::confirmed) b.meeting_link = new_meeting_link();
    b.price_amount = service.price_amount;
    b.currency = service.currency;
    b.cancellation_policy = service.cancellation_policy;
    b.created_at = b.updated_at = now;
    return b;
}

}  // namespace slotwise::server
