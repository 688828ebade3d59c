#include "domain/calendars.h"

#include <algorithm>
#include <set>
#include <thread>

#include "domain/calendar_invite.h"
#include "domain/calendar_busy.h"
#include "domain/notification_settings.h"
#include "domain/providers_access.h"
#include "mail/mail_job.h"
#include "store/account_records.h"
#include "store/ownership_records.h"
#include "store/records.h"
#include "support/crypto.h"

namespace slotwise::server::domain {
namespace {

using adapters::CalendarError;
using adapters::CalendarFailure;
using records::CalendarConnection;

constexpr std::size_t kMaxField = 2048;
constexpr const char* kOwnUidSuffix = "@slotwise";

json parse_object(std::string_view body) {
    json parsed = json::parse(body.begin(), body.end(), nullptr, false);
    if (parsed.is_discarded() || !parsed.is_object()) throw invalid_input("the body must be a JSON object");
    return parsed;
}

DomainError connection_not_found() {
    return DomainError(ErrorKind::not_found, "UNKNOWN_CALENDAR_CONNECTION", "no such calendar connection for this provider");
}

std::string string_member(const json& request, const char* name, bool required) {
    if (!request.contains(name)) {
        if (required) throw invalid_input(std::string("\"") + name + "\" is required");
        return {};
    }
    const json& v = request[name];
    if (!v.is_string() || v.get<std::string>().size() > kMaxField)
        throw invalid_input(std::string("\"") + name + "\" must be a string of at most " + std::to_string(kMaxField) +
                            " characters");
    return v.get<std::string>();
}

// The provider's words for a failure, and the stable code it is reported under.
std::string failure_code(CalendarFailure f) {
    switch (f) {
        case CalendarFailure::auth_failed: return "CALENDAR_AUTH_FAILED";
        case CalendarFailure::unreachable: return "CALENDAR_UNREACHABLE";
        default: return "CALENDAR_SYNC_FAILED";
    }
}

bool is_own_uid(Session& s, const std::string& provider_id, const std::string& uid) {
    const std::string suffix = kOwnUidSuffix;
    if (uid.size() <= suffix.size() || uid.compare(uid.size() - suffix.size(), suffix.size(), suffix) != 0) return false;
    return records::provider_has_booking(s, provider_id, uid.substr(0, uid.size() - suffix.size()));
}

// As the booking channels find it: the provider's notification address,
// else its owning account's, else nobody.
std::optional<std::string> provider_email(Session& s, const std::string& provider_id) {
    const auto provider = records::load_provider(s, provider_id);
    if (!provider) return std::nullopt;
    if (auto own = notification_settings_of(provider->notifications).provider_email) return own;
    const auto ownership = records::provider_ownership(s, provider_id);
    if (!ownership || ownership->deleted || !ownership->owner_account_id) return std::nullopt;
    if (const auto account = records::live_account(s, *ownership->owner_account_id)) return account->email;
    return std::nullopt;
}

// A calendar object resource must not carry METHOD (RFC 4791 section 4.1),
// which the invite builder writes for mails and downloads.
std::string without_method(std::string ics) {
    const auto at = ics.find("\r\nMETHOD:");
    if (at == std::string::npos) return ics;
    const auto end = ics.find("\r\n", at + 2);
    ics.erase(at, end == std::string::npos ? std::string::npos : end - at);
    return ics;
}

// The VEVENT blocks of a rendered VCALENDAR, for the feed's one VCALENDAR.
std::string vevents_of(const std::string& ics) {
    std::string out;
    for (std::size_t at = 0; (at = ics.find("BEGIN:VEVENT", at)) != std::string::npos;) {
        const auto end = ics.find("END:VEVENT\r\n", at);
        if (end == std::string::npos) break;
        out += ics.substr(at, end + 12 - at);
        at = end + 12;
    }
    return out;
}

bool open_status(BookingStatus s) { return s == BookingStatus::pending || s == BookingStatus::confirmed; }
bool closed_status(BookingStatus s) {
    return s == BookingStatus::cancelled || s == BookingStatus::declined || s == BookingStatus::expired;
}

}  // namespace

IcsExpander default_ics_expander() {
    return [](const std::string& ics, Instant from, Instant to, const slotwise::TimeZone& zone) {
        ExpandedObject out;
        const CalendarBusy found = busy_from_ics(ics, from, to, zone);
        out.busy.reserve(found.spans.size());
        for (const auto& span : found.spans) out.busy.push_back({span.start, span.end});
        out.uids = found.uids;
        out.unreadable = found.skipped > 0;
        return out;
    };
}

json connection_json(const CalendarConnection& c) {
    json calendars = json::array();
    for (const auto& cal : c.calendars)
        calendars.push_back({{"href", cal.href}, {"name", cal.name}, {"check", cal.check}, {"write_to", cal.write_to},
                             {"writable", cal.writable}});
    json out = {{"id", c.id},
                {"kind", c.kind},
                {"calendars", calendars},
                {"status", c.status},
                {"last_sync_at", c.last_sync_at ? json(format_timestamp(*c.last_sync_at)) : json(nullptr)},
                {"created_at", format_timestamp(c.created_at)}};
    if (c.url) out["url"] = *c.url;
    if (c.account) out["account"] = *c.account;
    out["last_error"] = c.last_error_code ? json{{"code", *c.last_error_code},
                                                 {"detail", c.last_error_detail.value_or("")},
                                                 {"at", c.last_error_at ? format_timestamp(*c.last_error_at) : ""}}
                                          : json(nullptr);
    return out;
}

CalendarService::CalendarService(Store& store, const Clock& clock, std::string sealing_key, CalendarClientFactory factory,
                                 IcsExpander expander, CalendarOptions options)
    : store_(store),
      clock_(clock),
      sealing_key_(std::move(sealing_key)),
      factory_(std::move(factory)),
      expander_(std::move(expander)),
      options_(std::move(options)) {}

json CalendarService::credentials_of(const CalendarConnection& c) const {
    const auto opened = open_sealed(sealing_key_, c.credentials_sealed, c.id);
    if (!opened) throw CalendarError(CalendarFailure::auth_failed, "the stored credentials do not open (another server secret?)");
    const json parsed = json::parse(*opened, nullptr, false);
    if (!parsed.is_object()) throw CalendarError(CalendarFailure::auth_failed, "the stored credentials are not readable");
    return parsed;
}

void CalendarService::enqueue(const jobs::NewJob& job) {
    if (auto* queue = job_queue_.load()) queue->enqueue(job);
}

json CalendarService::connect(const Actor& actor, const std::string& provider_id, std::string_view body) {
    const json request = parse_object(body);
    {
        auto s = store_.session();
        reach_provider_or_throw(*s, actor, provider_id);
    }
    const std::string kind = string_member(request, "kind", true);
    if (kind != "caldav") {
        if ((kind == "google" || kind == "microsoft") && oauth_) return oauth_(actor, provider_id, request);
        throw DomainError(ErrorKind::invalid_input, "UNKNOWN_CALENDAR_KIND",
                          "\"kind\" must be \"caldav\"" + std::string(oauth_ ? ", \"google\" or \"microsoft\"" : ""));
    }
    for (const auto& [name, value] : request.items())
        if (name != "kind" && name != "url" && name != "username" && name != "password")
            throw invalid_input("unknown member \"" + name + "\"; a CalDAV connection takes kind, url, username, password");
    CalendarConnection c;
    c.url = string_member(request, "url", true);
    if (c.url->rfind("https://", 0) != 0 && c.url->rfind("http://", 0) != 0)
        throw DomainError(ErrorKind::invalid_input, "INVALID_CALENDAR_URL",
                          "\"url\" must be the http(s):// address of the CalDAV server, principal or calendar");
    for (unsigned char ch : *c.url)
        if (ch <= 0x20 || ch >= 0x7f)
            throw DomainError(ErrorKind::invalid_input, "INVALID_CALENDAR_URL", "\"url\" must be ASCII without spaces");
    const std::string username = string_member(request, "username", true);
    const std::string password = string_member(request, "password", true);
    c.id = "cal_" + random_token(12);
    c.provider_id = provider_id;
    c.kind = kind;
    c.account = username;
    c.status = "pending";
    c.created_at = clock_.now();
    const json credentials = {{"username", username}, {"password", password}};
    std::vector<adapters::RemoteCalendar> found;
    try {
        found = factory_(c, credentials)->list_calendars();
    } catch (const CalendarError& e) {
        if (e.failure == CalendarFailure::auth_failed)
            throw DomainError(ErrorKind::refused, "CALENDAR_AUTH_FAILED",
                              std::string("the calendar server refused these credentials: ") + e.what());
        throw DomainError(ErrorKind::refused, "CALENDAR_UNREACHABLE",
                          std::string("no calendar could be reached at this address: ") + e.what());
    }
    // Every calendar blocks until the provider chooses otherwise: a
    // forgotten choice then costs a free slot, not a double booking.
    for (const auto& r : found) c.calendars.push_back({r.href, r.name, r.writable, true, false, ""});
    c.credentials_sealed = seal(sealing_key_, credentials.dump(), c.id);
    auto s = store_.session();
    in_transaction(*s, provider_id, [&] {
        reach_provider_or_throw(*s, actor, provider_id);
        records::insert_calendar_connection(*s, c);
    });
    enqueue({kCalendarSyncKind, "calendar.sync:" + c.id + ":connected", {{"connection_id", c.id}}, clock_.now(), 3});
    json calendars = json::array();
    for (const auto& r : found) calendars.push_back({{"href", r.href}, {"name", r.name}});
    return {{"id", c.id}, {"calendars", calendars}};
}

std::string CalendarService::add_connection(const std::string& provider_id, const std::string& kind,
                                            const std::optional<std::string>& account, const json& credentials,
                                            const std::vector<adapters::RemoteCalendar>& calendars) {
    CalendarConnection c;
    c.id = "cal_" + random_token(12);
    c.provider_id = provider_id;
    c.kind = kind;
    c.account = account;
    c.status = "pending";
    c.created_at = clock_.now();
    for (const auto& r : calendars) c.calendars.push_back({r.href, r.name, r.writable, true, false, ""});
    c.credentials_sealed = seal(sealing_key_, credentials.dump(), c.id);
    auto s = store_.session();
    in_transaction(*s, provider_id, [&] { records::insert_calendar_connection(*s, c); });
    enqueue({kCalendarSyncKind, "calendar.sync:" + c.id + ":connected", {{"connection_id", c.id}}, clock_.now(), 3});
    return c.id;
}

void CalendarService::update_credentials(const std::string& connection_id, const json& credentials) {
    auto s = store_.session();
    s->exec("UPDATE calendar_connections SET credentials_sealed = $2 WHERE id = $1",
            {connection_id, seal(sealing_key_, credentials.dump(), connection_id)});
}

std::vector<CalendarConnection> CalendarService::list(const Actor& actor, const std::string& provider_id) {
    auto s = store_.session();
    reach_provider_or_throw(*s, actor, provider_id);
    return records::calendar_connections(*s, provider_id);
}

CalendarConnection CalendarService::connection_or_throw(Session& s, const std::string& provider_id,
                                                        const std::string& connection_id) {
    auto c = records::calendar_connection(s, connection_id);
    if (!c || c->provider_id != provider_id) throw connection_not_found();
    return *c;
}

CalendarConnection CalendarService::update(const Actor& actor, const std::string& provider_id, const std::string& connection_id,
                                           std::string_view body) {
    const json request = parse_object(body);
    for (const auto& [name, value] : request.items())
        if (name != "check" && name != "write_to")
            throw invalid_input("unknown member \"" + name + "\"; a calendar connection takes \"check\" and \"write_to\"");
    auto s = store_.session();
    bool sync_needed = false;
    std::vector<std::string> to_write;  // bookings to write into a newly chosen write_to calendar
    CalendarConnection out = in_transaction(*s, provider_id, [&] {
        reach_provider_or_throw(*s, actor, provider_id);
        CalendarConnection c = connection_or_throw(*s, provider_id, connection_id);
        const auto known = [&](const std::string& href) {
            return std::find_if(c.calendars.begin(), c.calendars.end(), [&](const auto& x) { return x.href == href; }) !=
                   c.calendars.end();
        };
        if (request.contains("check")) {
            const json& check = request["check"];
            if (!check.is_array()) throw invalid_input("\"check\" must be an array of calendar hrefs");
            std::set<std::string> wanted;
            for (const auto& h : check) {
                if (!h.is_string() || !known(h.get<std::string>()))
                    throw DomainError(ErrorKind::invalid_input, "UNKNOWN_CALENDAR",
                                      "\"check\" names " + h.dump() + ", which is not a calendar of this connection");
                wanted.insert(h.get<std::string>());
            }
            for (auto& cal : c.calendars) {
                const bool now_checked = wanted.count(cal.href) > 0;
                if (cal.check && !now_checked) records::forget_calendar(*s, c.id, cal.href);
                if (cal.check != now_checked) {
                    cal.token.clear();  // checked again later: read whole, not from an old token
                    sync_needed = sync_needed || now_checked;
                }
                cal.check = now_checked;
            }
        }
        if (request.contains("write_to")) {
            const json& w = request["write_to"];
            if (!w.is_null() && !(w.is_string() && known(w.get<std::string>())))
                throw DomainError(ErrorKind::invalid_input, "UNKNOWN_CALENDAR",
                                  "\"write_to\" must be null or the href of a calendar of this connection");
            for (auto& cal : c.calendars) {
                const bool was = cal.write_to;
                cal.write_to = !w.is_null() && cal.href == w.get<std::string>();
                if (cal.write_to && !cal.writable)
                    throw DomainError(ErrorKind::refused, "CALENDAR_READ_ONLY",
                                      "the calendar " + cal.href + " does not take new events");
                // A newly chosen calendar receives the bookings already
                // made too, not only the next ones.
                if (cal.write_to && !was) {
                    const Timestamp now = clock_.now();
                    for (const auto& b : records::list_bookings(*s, provider_id, date::floor<Days>(now) - Days{1},
                                                                date::floor<Days>(now) + Days{options_.window_days_after},
                                                                {BookingStatus::pending, BookingStatus::confirmed}, now))
                        to_write.push_back(b.id);
                }
            }
        }
        records::update_connection_calendars(*s, c.id, c.calendars);
        return c;
    });
    if (sync_needed)
        enqueue({kCalendarSyncKind, "calendar.sync:" + connection_id + ":" + random_token(8), {{"connection_id", connection_id}},
                 clock_.now(), 3});
    const std::string batch = random_token(8);
    for (const auto& booking_id : to_write)
        enqueue({kCalendarWriteKind, "calendar.write:chosen:" + batch + ":" + booking_id,
                 {{"connection_id", connection_id}, {"booking_id", booking_id}}, clock_.now()});
    return out;
}

std::pair<SyncResult, CalendarConnection> CalendarService::sync_now(const Actor& actor, const std::string& provider_id,
                                                                    const std::string& connection_id) {
    {
        auto s = store_.session();
        reach_provider_or_throw(*s, actor, provider_id);
        connection_or_throw(*s, provider_id, connection_id);
    }
    // A sync already running (a job) finishes first; this one then reads
    // what changed since.
    const auto give_up = std::chrono::steady_clock::now() + options_.wait_for_running;
    std::optional<SyncResult> result;
    while (!(result = sync(connection_id))) {
        if (std::chrono::steady_clock::now() > give_up)
            throw DomainError(ErrorKind::conflict, "CALENDAR_SYNC_RUNNING",
                              "another sync of this connection is still running; try again shortly")
                .retry_after_seconds(5);
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    auto s = store_.session();
    return {*result, connection_or_throw(*s, provider_id, connection_id)};
}

void CalendarService::remove(const Actor& actor, const std::string& provider_id, const std::string& connection_id) {
    auto s = store_.session();
    if (on_disconnect_) {
        reach_provider_or_throw(*s, actor, provider_id);
        const CalendarConnection c = connection_or_throw(*s, provider_id, connection_id);
        try {
            on_disconnect_(c, credentials_of(c));
        } catch (const std::exception&) {
            // The service may be down or the grant gone already: the
            // connection is removed here all the same.
        }
    }
    in_transaction(*s, provider_id, [&] {
        reach_provider_or_throw(*s, actor, provider_id);
        if (!records::delete_calendar_connection(*s, provider_id, connection_id)) throw connection_not_found();
    });
}

std::optional<SyncResult> CalendarService::sync(const std::string& connection_id) {
    auto s = store_.session();
    const Timestamp now = clock_.now();
    if (!records::take_sync_lease(*s, connection_id, now, now + options_.lease)) return std::nullopt;
    const auto c = records::calendar_connection(*s, connection_id);
    if (!c) return SyncResult{};
    SyncResult result;
    try {
        result = sync_locked(*c);
    } catch (...) {
        records::release_sync_lease(*s, connection_id);
        throw;
    }
    records::release_sync_lease(*s, connection_id);
    return result;
}

SyncResult CalendarService::sync_locked(const CalendarConnection& c) {
    SyncResult result;
    auto s = store_.session();
    const auto provider = providers_.get(*s, c.provider_id);
    if (!provider || !provider->engine_snapshot.zone) {
        result.error_code = "UNKNOWN_PROVIDER";
        return result;
    }
    const slotwise::TimeZone& zone = *provider->engine_snapshot.zone;
    const Timestamp now = clock_.now();
    const auto day = date::floor<Days>(now);
    const Instant from = day - Days{options_.window_days_before};
    const Instant to = day + Days{options_.window_days_after};
    // What an object blocks; our own booking events block nothing (the
    // booking blocks its time already, and must not block itself).
    const auto busy_of = [&](const std::string& ics, bool* own, bool* unreadable) {
        ExpandedObject e = expander_(ics, from, to, zone);
        *unreadable = e.unreadable;
        *own = std::any_of(e.uids.begin(), e.uids.end(), [&](const auto& uid) { return is_own_uid(*s, c.provider_id, uid); });
        return *own ? std::vector<Interval>{} : e.busy;
    };
    // The window moved on (a new day), or the provider moved to another
    // zone (all-day and floating times are read in it): every stored object
    // is expanded again, so that a weekly event keeps blocking a year ahead.
    const std::string zone_name = provider->config.time_zone;
    if (!c.busy_window_from || *c.busy_window_from != from || c.busy_window_zone != zone_name) {
        in_transaction(*s, c.provider_id, [&] {
            for (const auto& object : records::calendar_objects(*s, c.id)) {
                bool own = false, unreadable = false;
                records::replace_object_busy(*s, c.provider_id, c.id, object.href, busy_of(object.ics, &own, &unreadable));
            }
            records::set_busy_window(*s, c.id, from, zone_name);
        });
    }
    try {
        const auto client = factory_(c, credentials_of(c));
        for (const auto& cal : c.calendars) {
            if (!cal.check) continue;
            adapters::ChangeSet changes;
            try {
                changes = client->changes(cal.href, cal.token);
            } catch (const CalendarError& e) {
                if (e.failure != CalendarFailure::sync_token_expired) throw;
                changes = client->changes(cal.href, "");
                changes.full = true;
            }
            if (cal.token.empty()) changes.full = true;
            // One transaction per calendar, token included: a sync killed
            // half-way leaves the last token with exactly what it saw, and
            // the next sync asks again from there.
            in_transaction(*s, c.provider_id, [&] {
                auto current = records::calendar_connection(*s, c.id);
                if (!current) return;
                auto it = std::find_if(current->calendars.begin(), current->calendars.end(),
                                       [&](const auto& x) { return x.href == cal.href; });
                if (it == current->calendars.end() || !it->check) return;  // unchecked meanwhile
                if (changes.full) {
                    std::set<std::string> present;
                    for (const auto& o : changes.changed) present.insert(o.href);
                    for (const auto& stored : records::calendar_objects(*s, c.id, cal.href))
                        if (!present.count(stored.href)) {
                            records::delete_calendar_object(*s, c.id, stored.href);
                            ++result.removed;
                        }
                }
                for (const auto& o : changes.changed) {
                    bool own = false, unreadable = false;
                    const auto busy = busy_of(o.ics, &own, &unreadable);
                    result.own_events += own;
                    result.unreadable += unreadable;
                    records::put_calendar_object(*s, c.provider_id, c.id,
                                                 {cal.href, o.href, o.etag.empty() ? std::nullopt : std::optional(o.etag), o.ics},
                                                 busy);
                    ++result.changed;
                }
                for (const auto& href : changes.removed) {
                    records::delete_calendar_object(*s, c.id, href);
                    ++result.removed;
                }
                it->token = changes.next_token;
                records::update_connection_calendars(*s, c.id, current->calendars);
            });
            // Each calendar renews the lease: a long sync is still alive.
            const Timestamp renewed = clock_.now();
            s->exec("UPDATE calendar_connections SET sync_lease_until = $2 WHERE id = $1",
                    {c.id, epoch_seconds(renewed + options_.lease)});
        }
    } catch (const CalendarError& e) {
        result.error_code = failure_code(e.failure);
        result.error_detail = e.what();
        report_failure(c, *result.error_code, *result.error_detail);
        return result;
    }
    records::connection_synced(*s, c.id, clock_.now());
    result.ok = true;
    return result;
}

void CalendarService::report_failure(const CalendarConnection& c, const std::string& code, const std::string& detail) {
    auto s = store_.session();
    const Timestamp now = clock_.now();
    bool mailed = false;
    in_transaction(*s, c.provider_id, [&] {
        records::connection_failed(*s, c.id, code, detail, now);
        if (!records::mark_outage_mailed(*s, c.id, now)) return;  // told already during this outage
        const auto to = provider_email(*s, c.provider_id);
        if (!to) return;
        mail::MailMessage m;
        m.key = "calendar.outage:" + c.id + ":" + std::to_string(epoch_seconds(now));
        m.to = {{"", *to}};
        m.subject = "Your calendar cannot be reached";
        m.text = "Slotwise could not sync your calendar " + c.url.value_or(c.kind) +
                 (c.account ? " (" + *c.account + ")" : std::string()) + ":\n\n  " + code + ": " + detail +
                 "\n\nUntil it can, the busy times last read from it keep blocking your slots, and new bookings are "
                 "not written into it. Check the connection under Settings > Calendars; this mail comes once per "
                 "outage.\n";
        s->exec(mail::mail_send_statement(m, now));
        mailed = true;
    });
    if (mailed)
        if (auto* queue = job_queue_.load()) queue->notify();
}

std::vector<Statement> CalendarService::booking_event_statements(Session& s, const std::string& provider_id,
                                                                 const std::string& booking_id, const std::string& event_id,
                                                                 Timestamp now) {
    std::vector<Statement> owed;
    for (const auto& c : records::calendar_connections(s, provider_id)) {
        const bool writes = std::any_of(c.calendars.begin(), c.calendars.end(), [](const auto& x) { return x.write_to; });
        const bool checks = std::any_of(c.calendars.begin(), c.calendars.end(), [](const auto& x) { return x.check; });
        if (writes || records::booking_event_record(s, booking_id, c.id))
            owed.push_back(jobs::enqueue_statement({kCalendarWriteKind, "calendar.write:" + event_id + ":" + c.id,
                                                    {{"connection_id", c.id}, {"booking_id", booking_id}}, now},
                                                   now));
        if (checks)
            owed.push_back(jobs::enqueue_statement(
                {kCalendarSyncKind, "calendar.sync:" + c.id + ":" + event_id, {{"connection_id", c.id}}, now, 3}, now));
    }
    return owed;
}

void CalendarService::enqueue_all_syncs() {
    std::vector<CalendarConnection> all;
    {
        auto s = store_.session();
        all = records::all_calendar_connections(*s);
    }
    const Timestamp now = clock_.now();
    const auto period = std::max<std::int64_t>(1, options_.sync_every.count());
    const std::string slot = std::to_string(epoch_seconds(now) / period);
    for (const auto& c : all)
        enqueue({kCalendarSyncKind, "calendar.sync:" + c.id + ":p" + slot, {{"connection_id", c.id}}, now, 1});
}

jobs::JobOutcome CalendarService::run_sync_job(const jobs::Job& job) {
    const std::string id = job.payload.value("connection_id", std::string());
    if (id.empty()) return jobs::JobOutcome::fail("no connection_id");
    if (!sync(id)) return jobs::JobOutcome::not_before(clock_.now() + std::chrono::seconds{2});
    // A failure is reported on the connection (and mailed once); the next
    // periodic sync tries again, so the job itself is done.
    return jobs::JobOutcome::done();
}

jobs::JobOutcome CalendarService::run_write_job(const jobs::Job& job) {
    const std::string id = job.payload.value("connection_id", std::string());
    const std::string booking_id = job.payload.value("booking_id", std::string());
    if (id.empty() || booking_id.empty()) return jobs::JobOutcome::fail("no connection_id or booking_id");
    auto s = store_.session();
    const Timestamp now = clock_.now();
    if (!records::take_sync_lease(*s, id, now, now + options_.lease))
        return jobs::JobOutcome::not_before(now + std::chrono::seconds{1});
    try {
        const auto c = records::calendar_connection(*s, id);
        if (c) write_back(*c, booking_id);
    } catch (const CalendarError& e) {
        records::release_sync_lease(*s, id);
        if (const auto c = records::calendar_connection(*s, id))
            if (e.failure == CalendarFailure::unreachable || e.failure == CalendarFailure::auth_failed)
                report_failure(*c, failure_code(e.failure), e.what());
        return jobs::JobOutcome::retry_later(e.what());
    } catch (...) {
        records::release_sync_lease(*s, id);
        throw;
    }
    records::release_sync_lease(*s, id);
    return jobs::JobOutcome::done();
}

// The booking's event in the write_to calendar follows the booking as it is
// now, whatever event asked: so two write jobs of one booking in any order
// end in the same place. The remote side never changes the booking.
void CalendarService::write_back(const CalendarConnection& c, const std::string& booking_id) {
    auto s = store_.session();
    const auto booking = records::load_booking(*s, booking_id);
    if (!booking || booking->provider_id != c.provider_id) return;
    auto record = records::booking_event_record(*s, booking_id, c.id);
    const auto target = std::find_if(c.calendars.begin(), c.calendars.end(), [](const auto& x) { return x.write_to; });
    const auto client = factory_(c, credentials_of(c));
    const auto delete_remote = [&](const records::BookingEventRecord& r) {
        try {
            client->delete_event(r.event_href, r.etag);
        } catch (const CalendarError& e) {
            // Changed remotely since we wrote it: it is still ours to remove.
            if (e.failure == CalendarFailure::precondition_failed) client->delete_event(r.event_href, std::nullopt);
            else if (e.failure != CalendarFailure::not_found) throw;
        }
        records::delete_booking_event_record(*s, r.booking_id, r.connection_id);
    };
    // Moved to another calendar, or the booking is off: the old event goes.
    if (record && (closed_status(booking->status) || target == c.calendars.end() || record->calendar_href != target->href)) {
        delete_remote(*record);
        record.reset();
    }
    if (!open_status(booking->status) || target == c.calendars.end()) return;
    const std::string written =
        format_instant(booking->start) + "/" + format_instant(booking->end) + "/" + std::string(ics_status(booking->status));
    if (record && record->written == written) return;
    const auto provider = records::load_provider(*s, c.provider_id);
    const auto loaded = providers_.get(*s, c.provider_id);
    if (!provider || !loaded || !loaded->engine_snapshot.zone) return;
    const slotwise::TimeZone& zone = *loaded->engine_snapshot.zone;
    BookingInviteOptions options;
    options.stamp = clock_.now();
    options.sequence = booking->event_sequence;
    options.for_provider = true;
    const std::string ics = without_method(render_ics(booking_invite(*booking, &*provider, options)));
    const std::string uid = booking_uid(booking_id);
    adapters::WrittenEvent done;
    try {
        done = client->put_event(target->href, uid, ics, record ? record->etag : std::nullopt);
    } catch (const CalendarError& e) {
        if (e.failure != CalendarFailure::precondition_failed && e.failure != CalendarFailure::not_found) throw;
        // Someone changed (or deleted, or already holds) the event since we
        // last wrote it: read what is there now and write over that version.
        std::optional<std::string> etag;
        for (const auto& o : client->changes(target->href, "").changed) {
            const ExpandedObject seen = expander_(o.ics, booking->start - Days{1}, booking->end + Days{1}, zone);
            if (std::find(seen.uids.begin(), seen.uids.end(), uid) != seen.uids.end()) etag = o.etag;
        }
        done = client->put_event(target->href, uid, ics, etag);
    }
    records::put_booking_event_record(*s, {booking_id, c.id, target->href, done.href,
                                           done.etag.empty() ? std::nullopt : std::optional(done.etag), written});
}

std::string CalendarService::create_feed(const Actor& actor, const std::string& provider_id) {
    const std::string secret = random_token(20);
    auto s = store_.session();
    in_transaction(*s, provider_id, [&] {
        reach_provider_or_throw(*s, actor, provider_id);
        records::put_calendar_feed(*s, provider_id, sha256_hex(secret), clock_.now());
    });
    return options_.public_origin + "/v1/calendar-feeds/" + secret + ".ics";
}

std::string CalendarService::feed(const std::string& secret) {
    const auto not_found = [] { return DomainError(ErrorKind::not_found, "NOT_FOUND", "no such calendar feed"); };
    if (secret.empty() || secret.size() > 64) throw not_found();
    auto s = store_.session();
    const auto provider_id = records::calendar_feed_provider(*s, sha256_hex(secret));
    if (!provider_id) throw not_found();
    const auto provider = records::load_provider(*s, *provider_id);
    if (!provider) throw not_found();
    const Timestamp now = clock_.now();
    const Instant from = date::floor<Days>(now) - Days{90};
    const auto bookings = records::list_bookings(*s, *provider_id, from, from + Days{90 + 400},
                                                 {BookingStatus::held, BookingStatus::pending, BookingStatus::confirmed}, now);
    std::string out = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Slotwise//slotwise-server//EN\r\nCALSCALE:GREGORIAN\r\n"
                      "X-WR-CALNAME:Slotwise bookings\r\n";
    for (const auto& b : bookings) {
        BookingInviteOptions options;
        options.stamp = now;
        options.sequence = b.event_sequence;
        options.for_provider = true;
        out += vevents_of(render_ics(booking_invite(b, &*provider, options)));
    }
    out += "END:VCALENDAR\r\n";
    return out;
}

}  // namespace slotwise::server::domain
