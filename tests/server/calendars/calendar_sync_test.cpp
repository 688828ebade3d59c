// Calendar sync (domain/calendars.*) against an in-memory calendar service
// behind the CalendarClient interface, on a real SQLite store: what a sync
// stores and forgets, that outside busy times reach the same busy read the
// booking checks use, expired tokens, failures reported once per outage
// with the last busy times kept, the sync lease, and credentials at rest.
// The real CalDAV path (Radicale) is tests/server/calendars.test.mjs.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <map>
#include <set>

#include "domain/calendars.h"
#include "domain/request_parsing.h"
#include "store/calendar_records.h"
#include "store/data_rights_records.h"
#include "store/records.h"

using namespace slotwise;
using namespace slotwise::server;
using adapters::CalendarError;
using adapters::CalendarFailure;

namespace {

// One account at a pretend service: calendars of objects, each change
// numbered, so that a token is "the number of the last change seen".
struct FakeService {
    struct Object {
        std::string ics, etag;
    };
    struct Change {
        int seq;
        std::string calendar, href;
    };
    std::map<std::string, std::map<std::string, Object>> calendars{{"/cal/work/", {}}, {"/cal/home/", {}}};
    std::vector<Change> log;
    int seq = 0;
    int oldest_valid_token = 0;  // tokens below this are "expired"
    std::optional<CalendarFailure> failing;
    std::string password = "right";
    int full_reads = 0;

    void put(const std::string& cal, const std::string& href, const std::string& ics) {
        ++seq;
        calendars[cal][href] = {ics, "\"e" + std::to_string(seq) + "\""};
        log.push_back({seq, cal, href});
    }
    void remove(const std::string& cal, const std::string& href) {
        ++seq;
        calendars[cal].erase(href);
        log.push_back({seq, cal, href});
    }
};

class FakeClient final : public adapters::CalendarClient {
public:
    FakeClient(FakeService& service, std::string password) : service_(service), password_(std::move(password)) {}
    std::vector<adapters::RemoteCalendar> list_calendars() override {
        check();
        return {{"/cal/work/", "Work", true}, {"/cal/home/", "Home", true}};
    }
    adapters::ChangeSet changes(const std::string& href, const std::string& token) override {
        check();
        adapters::ChangeSet out;
        out.next_token = std::to_string(service_.seq);
        const auto& objects = service_.calendars.at(href);
        if (token.empty()) {
            ++service_.full_reads;
            out.full = true;
            for (const auto& [h, o] : objects) out.changed.push_back({h, o.etag, o.ics});
            return out;
        }
        const int since = std::stoi(token);
        if (since < service_.oldest_valid_token) throw CalendarError(CalendarFailure::sync_token_expired, "token expired");
        std::set<std::string> touched;
        for (const auto& c : service_.log)
            if (c.seq > since && c.calendar == href) touched.insert(c.href);
        for (const auto& h : touched) {
            const auto it = objects.find(h);
            if (it == objects.end()) out.removed.push_back(h);
            else out.changed.push_back({h, it->second.etag, it->second.ics});
        }
        return out;
    }
    adapters::WrittenEvent put_event(const std::string& cal, const std::string& uid, const std::string& ics,
                                     const std::optional<std::string>& if_match) override {
        check();
        const std::string href = cal + uid + ".ics";
        const auto& objects = service_.calendars.at(cal);
        const auto it = objects.find(href);
        if ((!if_match && it != objects.end()) || (if_match && (it == objects.end() || it->second.etag != *if_match)))
            throw CalendarError(CalendarFailure::precondition_failed, "412");
        service_.put(cal, href, ics);
        return {href, service_.calendars[cal][href].etag};
    }
    void delete_event(const std::string& href, const std::optional<std::string>&) override {
        check();
        for (auto& [cal, objects] : service_.calendars)
            if (objects.count(href)) service_.remove(cal, href);
    }

private:
    void check() {
        if (service_.failing) throw CalendarError(*service_.failing, "the fake service is failing");
        if (password_ != service_.password) throw CalendarError(CalendarFailure::auth_failed, "401");
    }
    FakeService& service_;
    std::string password_;
};

// The test's objects: "UID:x" and "BUSY:<start epoch>-<end epoch>" lines
// (the real expander, domain/calendar_busy.*, has tests of its own).
int expansions = 0;  // how often fake_expand ran

domain::ExpandedObject fake_expand(const std::string& ics, Instant from, Instant to, const TimeZone&) {
    ++expansions;
    domain::ExpandedObject out;
    std::size_t at = 0;
    while (at < ics.size()) {
        const auto end = std::min(ics.find('\n', at), ics.size());
        std::string line = ics.substr(at, end - at);
        if (!line.empty() && line.back() == '\r') line.pop_back();  // the server's own events have CRLF lines
        at = end + 1;
        if (line.rfind("UID:", 0) == 0) out.uids.push_back(line.substr(4));
        if (line.rfind("BUSY:", 0) == 0) {
            const auto dash = line.find('-');
            const Instant s = date::floor<Minutes>(timestamp_from_epoch(std::stoll(line.substr(5, dash - 5))));
            const Instant e = date::floor<Minutes>(timestamp_from_epoch(std::stoll(line.substr(dash + 1))));
            if (s < to && e > from) out.busy.push_back({std::max(s, from), std::min(e, to)});
        }
        if (line == "GARBAGE") out.unreadable = true;
    }
    return out;
}

struct Fixture {
    std::filesystem::path dir;
    std::unique_ptr<Store> store;
    Clock clock{timestamp_from_epoch(1'800'000'000)};  // 2027-01-15
    FakeService service;
    std::unique_ptr<domain::CalendarService> calendars;
    const domain::Actor op = domain::Operator{};

    Fixture() {
        dir = std::filesystem::temp_directory_path() / ("slotwise-calsync-" + std::to_string(::getpid()) + "-" +
                                                        std::to_string(reinterpret_cast<std::uintptr_t>(this)));
        std::filesystem::remove_all(dir);
        std::filesystem::create_directories(dir);
        store = open_store("sqlite:" + (dir / "cal.db").string(), 2);
        store->migrate();
        const json config = json::parse(R"({"name":"Clinic","kind":"doctor","time_zone":"Europe/Berlin","active":true,
            "schedules":{"default":{"weekly":[{"day":"mon","start":"08:00","end":"20:00"}],"overrides":[]}},
            "services":[{"id":"s30","name":"Checkup","durations":[30],"price":{"amount":0,"currency":"EUR"},
                         "cancellation_policy":"flexible"}]})");
        auto s = store->session();
        records::put_provider(*s, parse_provider_config("p1", config), clock.now());
        domain::CalendarOptions options;
        calendars = std::make_unique<domain::CalendarService>(
            *store, clock, std::string(32, 'k'),
            [this](const records::CalendarConnection&, const json& credentials) {
                return std::make_unique<FakeClient>(service, credentials.value("password", std::string()));
            },
            fake_expand, options);
    }
    ~Fixture() {
        calendars.reset();
        store.reset();
        std::filesystem::remove_all(dir);
    }
    std::string connect(const std::string& password = "right") {
        const json body = {{"kind", "caldav"}, {"url", "https://dav.example/"}, {"username", "ann"}, {"password", password}};
        return calendars->connect(op, "p1", body.dump())["id"].get<std::string>();
    }
    std::vector<Interval> busy(std::int64_t from, std::int64_t to) {
        auto s = store->session();
        return records::busy(*s, "p1", date::floor<Minutes>(timestamp_from_epoch(from)),
                             date::floor<Minutes>(timestamp_from_epoch(to)), clock.now());
    }
    std::int64_t jobs_of(const std::string& kind) {
        auto s = store->session();
        return s->query("SELECT COUNT(*) AS n FROM jobs WHERE kind = $1", {kind})[0].get<std::int64_t>("n");
    }
};

constexpr std::int64_t T = 1'800'000'000 + 86'400;  // a day after the clock's start, on the minute
std::string busy_object(const std::string& uid, std::int64_t start, std::int64_t end) {
    return "UID:" + uid + "\nBUSY:" + std::to_string(start) + "-" + std::to_string(end) + "\n";
}

}  // namespace

TEST_CASE("connecting checks the credentials, lists the calendars and keeps the password sealed") {
    Fixture f;
    try {
        f.connect("wrong");
        FAIL("a wrong password connected");
    } catch (const domain::DomainError& e) {
        CHECK(e.code == "CALENDAR_AUTH_FAILED");
    }
    f.service.failing = CalendarFailure::unreachable;
    try {
        f.connect();
        FAIL("an unreachable service connected");
    } catch (const domain::DomainError& e) {
        CHECK(e.code == "CALENDAR_UNREACHABLE");
    }
    f.service.failing.reset();
    const std::string id = f.connect();
    auto s = f.store->session();
    const auto c = records::calendar_connection(*s, id);
    REQUIRE(c);
    REQUIRE(c->calendars.size() == 2);
    CHECK(c->calendars[0].check);
    CHECK_FALSE(c->calendars[0].write_to);
    CHECK(c->credentials_sealed.find("right") == std::string::npos);
    const json shown = domain::connection_json(*c);
    CHECK(shown.dump().find("right") == std::string::npos);
    CHECK(shown.dump().find("credentials") == std::string::npos);
    CHECK(shown["status"] == "pending");
    CHECK(shown["last_error"].is_null());
}

TEST_CASE("a sync stores busy times where the booking checks read them, and follows changes and removals") {
    Fixture f;
    f.service.put("/cal/work/", "/cal/work/a.ics", busy_object("a", T, T + 3600));
    f.service.put("/cal/home/", "/cal/home/b.ics", busy_object("b", T + 7200, T + 9000));
    const std::string id = f.connect();
    auto r = f.calendars->sync(id);
    REQUIRE(r);
    CHECK(r->ok);
    CHECK(r->changed == 2);
    auto busy = f.busy(T - 86400, T + 86400);
    REQUIRE(busy.size() == 2);
    CHECK(busy[0].start == date::floor<Minutes>(timestamp_from_epoch(T)));
    // Changes since the token only: one moved, one deleted.
    f.service.put("/cal/work/", "/cal/work/a.ics", busy_object("a", T + 600, T + 1200));
    f.service.remove("/cal/home/", "/cal/home/b.ics");
    const int full_before = f.service.full_reads;
    r = f.calendars->sync(id);
    REQUIRE(r);
    CHECK(r->ok);
    CHECK(f.service.full_reads == full_before);
    busy = f.busy(T - 86400, T + 86400);
    REQUIRE(busy.size() == 1);
    CHECK(busy[0].start == date::floor<Minutes>(timestamp_from_epoch(T + 600)));
    // An expired token: everything again, and what is gone is forgotten.
    f.service.remove("/cal/work/", "/cal/work/a.ics");
    f.service.put("/cal/work/", "/cal/work/c.ics", busy_object("c", T + 3600, T + 4000));
    f.service.oldest_valid_token = f.service.seq + 1;
    r = f.calendars->sync(id);
    REQUIRE(r);
    CHECK(r->ok);
    busy = f.busy(T - 86400, T + 86400);
    REQUIRE(busy.size() == 1);
    CHECK(busy[0].start == date::floor<Minutes>(timestamp_from_epoch(T + 3600)));
    auto s = f.store->session();
    CHECK(records::calendar_connection(*s, id)->status == "ok");
}

TEST_CASE("unchecking a calendar forgets its busy times, and a bad object blocks nothing and is counted") {
    Fixture f;
    f.service.put("/cal/work/", "/cal/work/a.ics", busy_object("a", T, T + 3600));
    f.service.put("/cal/home/", "/cal/home/b.ics", "UID:b\nGARBAGE\n");
    const std::string id = f.connect();
    auto r = f.calendars->sync(id);
    REQUIRE(r);
    CHECK(r->unreadable == 1);
    CHECK(f.busy(T - 86400, T + 86400).size() == 1);
    f.calendars->update(f.op, "p1", id, R"({"check": ["/cal/home/"]})");
    CHECK(f.busy(T - 86400, T + 86400).empty());
    try {
        f.calendars->update(f.op, "p1", id, R"({"check": ["/cal/nope/"]})");
        FAIL("an unknown calendar was accepted");
    } catch (const domain::DomainError& e) {
        CHECK(e.code == "UNKNOWN_CALENDAR");
    }
    const auto c = f.calendars->update(f.op, "p1", id, R"({"write_to": "/cal/work/"})");
    CHECK(c.calendars[0].write_to);
    CHECK_FALSE(c.calendars[1].write_to);
}

TEST_CASE("an outage is reported once, keeps the last busy times, and ends with the next good sync") {
    Fixture f;
    f.service.put("/cal/work/", "/cal/work/a.ics", busy_object("a", T, T + 3600));
    const std::string id = f.connect();
    REQUIRE(f.calendars->sync(id)->ok);
    f.service.failing = CalendarFailure::unreachable;
    auto r = f.calendars->sync(id);
    REQUIRE(r);
    CHECK_FALSE(r->ok);
    CHECK(r->error_code == "CALENDAR_UNREACHABLE");
    REQUIRE(f.calendars->sync(id));
    CHECK(f.busy(T - 86400, T + 86400).size() == 1);
    auto s = f.store->session();
    auto c = records::calendar_connection(*s, id);
    CHECK(c->status == "error");
    CHECK(c->last_error_code == "CALENDAR_UNREACHABLE");
    // No provider address here, so no mail; the outage is marked told all the same.
    CHECK(c->outage_mailed_at);
    f.service.failing.reset();
    REQUIRE(f.calendars->sync(id)->ok);
    c = records::calendar_connection(*s, id);
    CHECK(c->status == "ok");
    CHECK_FALSE(c->last_error_code);
    CHECK_FALSE(c->outage_mailed_at);
}

TEST_CASE("two syncs of one connection never run at once, and a lapsed lease is taken over") {
    Fixture f;
    const std::string id = f.connect();
    auto s = f.store->session();
    REQUIRE(records::take_sync_lease(*s, id, f.clock.now(), f.clock.now() + std::chrono::seconds{60}));
    CHECK_FALSE(f.calendars->sync(id));
    s->exec("UPDATE calendar_connections SET sync_lease_until = $2 WHERE id = $1",
            {id, epoch_seconds(f.clock.now()) - 1});
    CHECK(f.calendars->sync(id));
}

TEST_CASE("removing a connection removes its busy times") {
    Fixture f;
    f.service.put("/cal/work/", "/cal/work/a.ics", busy_object("a", T, T + 3600));
    const std::string id = f.connect();
    REQUIRE(f.calendars->sync(id)->ok);
    CHECK(f.busy(T - 86400, T + 86400).size() == 1);
    f.calendars->remove(f.op, "p1", id);
    CHECK(f.busy(T - 86400, T + 86400).empty());
    try {
        f.calendars->remove(f.op, "p1", id);
        FAIL("removed twice");
    } catch (const domain::DomainError& e) {
        CHECK(e.code == "UNKNOWN_CALENDAR_CONNECTION");
    }
}

TEST_CASE("a deleted provider's connections, busy times and feed go with it") {
    Fixture f;
    f.service.put("/cal/work/", "/cal/work/a.ics", busy_object("a", T, T + 3600));
    const std::string id = f.connect();
    REQUIRE(f.calendars->sync(id)->ok);
    f.calendars->create_feed(f.op, "p1");
    auto s = f.store->session();
    records::mark_provider_deleted(*s, "p1", f.clock.now());
    CHECK_FALSE(records::calendar_connection(*s, id));
    CHECK(records::calendar_busy(*s, "p1", date::floor<Minutes>(timestamp_from_epoch(T - 86400)),
                                 date::floor<Minutes>(timestamp_from_epoch(T + 86400)))
              .empty());
    CHECK(s->query("SELECT COUNT(*) AS n FROM calendar_feeds")[0].get<std::int64_t>("n") == 0);
    CHECK(s->query("SELECT COUNT(*) AS n FROM calendar_objects")[0].get<std::int64_t>("n") == 0);
}

TEST_CASE("the busy window rolls on with the days: stored objects are expanded again, without asking the service") {
    Fixture f;
    const std::int64_t far = T + 420LL * 86400;  // beyond today + 400 days at the fixture's clock
    f.service.put("/cal/work/", "/cal/work/far.ics", busy_object("far", far, far + 3600));
    const std::string id = f.connect();
    REQUIRE(f.calendars->sync(id)->ok);
    CHECK(f.busy(far - 86400, far + 86400).empty());
    // A month later (another process's clock): the window now reaches it.
    Clock later{timestamp_from_epoch(1'800'000'000 + 30 * 86400)};
    domain::CalendarService moved(
        *f.store, later, std::string(32, 'k'),
        [&f](const records::CalendarConnection&, const json& credentials) {
            return std::make_unique<FakeClient>(f.service, credentials.value("password", std::string()));
        },
        fake_expand, domain::CalendarOptions{});
    f.service.failing = CalendarFailure::unreachable;  // nothing is read from the service this time
    const auto r = moved.sync(id);
    REQUIRE(r);
    CHECK_FALSE(r->ok);
    const auto busy = f.busy(far - 86400, far + 86400);
    REQUIRE(busy.size() == 1);
    CHECK(busy[0].start == date::floor<Minutes>(timestamp_from_epoch(far)));
}

namespace {

Booking stored_booking(Fixture& f, const std::string& id, std::int64_t start) {
    Booking b;
    b.id = id;
    b.provider_id = "p1";
    b.service_id = "s30";
    b.status = BookingStatus::confirmed;
    b.start = b.occupied_start = date::floor<Minutes>(timestamp_from_epoch(start));
    b.end = b.occupied_end = b.start + Minutes{30};
    b.duration_minutes = 30;
    b.client = {"Written Client", "written@example.com", std::nullopt};
    b.client_key = "written@example.com";
    b.manage_token_sha256 = std::string(64, '0');
    b.currency = "EUR";
    b.created_at = b.updated_at = f.clock.now();
    auto s = f.store->session();
    s->exec(records::insert_booking_statement(b));
    return b;
}

jobs::Job write_job(const std::string& connection_id, const std::string& booking_id) {
    jobs::Job job;
    job.kind = domain::kCalendarWriteKind;
    job.payload = {{"connection_id", connection_id}, {"booking_id", booking_id}};
    job.attempt = 1;
    return job;
}

// What the fake holds for this UID, as [href, object].
std::vector<std::pair<std::string, FakeService::Object>> holding(FakeService& service, const std::string& uid) {
    std::vector<std::pair<std::string, FakeService::Object>> out;
    for (const auto& [href, o] : service.calendars["/cal/home/"])
        if (o.ics.find("UID:" + uid) != std::string::npos) out.emplace_back(href, o);
    return out;
}

}  // namespace

TEST_CASE("a booking's event follows the booking: written once, rewritten over a remote edit, removed when cancelled") {
    Fixture f;
    const std::string id = f.connect();
    f.calendars->update(f.op, "p1", id, R"({"check": ["/cal/home/"], "write_to": "/cal/home/"})");
    Booking b = stored_booking(f, "bk_written1", T);
    const std::string uid = "bk_written1@slotwise";
    REQUIRE(f.calendars->run_write_job(write_job(id, b.id)).kind == jobs::JobOutcome::Kind::done);
    auto held = holding(f.service, uid);
    REQUIRE(held.size() == 1);
    CHECK(held[0].second.ics.find("METHOD:") == std::string::npos);
    CHECK(held[0].second.ics.find("Written Client") != std::string::npos);
    // The same state again writes nothing.
    const int seq = f.service.seq;
    REQUIRE(f.calendars->run_write_job(write_job(id, b.id)).kind == jobs::JobOutcome::Kind::done);
    CHECK(f.service.seq == seq);
    // Read back by sync it blocks nothing (our own UID).
    const auto r = f.calendars->sync(id);
    REQUIRE(r);
    CHECK(r->own_events == 1);
    {
        auto s = f.store->session();  // the booking blocks its time; its event adds nothing
        CHECK(records::calendar_busy(*s, "p1", date::floor<Minutes>(timestamp_from_epoch(T - 86400)),
                                     date::floor<Minutes>(timestamp_from_epoch(T + 86400)))
                  .empty());
        CHECK(f.busy(T - 86400, T + 86400).size() == 1);
    }
    // Edited remotely (a new ETag), then the booking moves: 412, read again, written over.
    f.service.put("/cal/home/", held[0].first, held[0].second.ics + "X-EDITED:yes\n");
    b.start = b.occupied_start = b.start + Minutes{60};
    b.end = b.occupied_end = b.end + Minutes{60};
    {
        auto s = f.store->session();
        REQUIRE(records::update_booking(*s, b, BookingStatus::confirmed));
    }
    REQUIRE(f.calendars->run_write_job(write_job(id, b.id)).kind == jobs::JobOutcome::Kind::done);
    held = holding(f.service, uid);
    REQUIRE(held.size() == 1);
    CHECK(held[0].second.ics.find("X-EDITED") == std::string::npos);
    // Cancelled: the event goes; deleted remotely first, nothing fails either.
    b.status = BookingStatus::cancelled;
    {
        auto s = f.store->session();
        REQUIRE(records::update_booking(*s, b, BookingStatus::confirmed));
    }
    REQUIRE(f.calendars->run_write_job(write_job(id, b.id)).kind == jobs::JobOutcome::Kind::done);
    CHECK(holding(f.service, uid).empty());
    // An unreachable calendar: the job is retried later.
    Booking c = stored_booking(f, "bk_written2", T + 7200);
    f.service.failing = CalendarFailure::unreachable;
    CHECK(f.calendars->run_write_job(write_job(id, c.id)).kind == jobs::JobOutcome::Kind::retry);
    f.service.failing.reset();
    REQUIRE(f.calendars->run_write_job(write_job(id, c.id)).kind == jobs::JobOutcome::Kind::done);
    CHECK(holding(f.service, "bk_written2@slotwise").size() == 1);
}

TEST_CASE("another zone for the provider expands the stored objects again (all-day and floating times depend on it)") {
    Fixture f;
    f.service.put("/cal/work/", "/cal/work/a.ics", busy_object("a", T, T + 3600));
    f.service.put("/cal/work/", "/cal/work/b.ics", busy_object("b", T + 7200, T + 9000));
    const std::string id = f.connect();
    REQUIRE(f.calendars->sync(id)->ok);
    int before = expansions;
    REQUIRE(f.calendars->sync(id)->ok);
    CHECK(expansions == before);  // nothing changed: nothing expanded
    const json config = json::parse(R"({"name":"Clinic","kind":"doctor","time_zone":"America/New_York","active":true,
        "schedules":{"default":{"weekly":[{"day":"mon","start":"08:00","end":"20:00"}],"overrides":[]}},
        "services":[{"id":"s30","name":"Checkup","durations":[30],"price":{"amount":0,"currency":"EUR"},
                     "cancellation_policy":"flexible"}]})");
    {
        auto s = f.store->session();
        records::put_provider(*s, parse_provider_config("p1", config), f.clock.now());
    }
    before = expansions;
    REQUIRE(f.calendars->sync(id)->ok);
    CHECK(expansions == before + 2);
    CHECK(f.busy(T - 86400, T + 86400).size() == 2);
}
