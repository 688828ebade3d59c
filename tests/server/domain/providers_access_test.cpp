// Who reaches which provider, the plans' limit, the audit log's names and a
// configuration read back in the shape PUT takes (server-stub/src/domain/
// actor.h, providers_access.*), each against a table written out by hand.
#include <catch2/catch.hpp>

#include <optional>
#include <string>

#include "domain/accounts_requests.h"
#include "domain/actor.h"
#include "domain/notification_settings.h"
#include "domain/providers_access.h"
#include "domain/request_parsing.h"

using namespace slotwise::server;
using namespace slotwise::server::domain;

TEST_CASE("reaches_provider: the operator everything, an account and its keys their own, nobody else anything") {
    struct Row {
        const char* who;
        Actor actor;
        bool reaches_ownerless, reaches_a1;
    };
    const Row row = GENERATE(
        Row{"operator", Operator{}, true, true},
        Row{"account a1", ProviderAccount{"a1", "s1"}, false, true},
        Row{"account a2", ProviderAccount{"a2", "s2"}, false, false},
        Row{"a1's key", ApiKey{"k1", "a1"}, false, true},
        Row{"a2's key", ApiKey{"k2", "a2"}, false, false},
        // An id that names the account is not the account.
        Row{"a key whose id is a1", ApiKey{"a1", "a2"}, false, false},
        Row{"visitor", Visitor{"127.0.0.1"}, false, false},
        Row{"booking client", BookingClient{"bk_1", "token", "127.0.0.1"}, false, false},
        Row{"system", System{}, false, false});
    INFO(row.who);
    CHECK(reaches_provider(row.actor, std::nullopt) == row.reaches_ownerless);
    CHECK(reaches_provider(row.actor, std::string("a1")) == row.reaches_a1);
}

TEST_CASE("audit names: accounts and keys by id, the others by kind") {
    CHECK(audit_name(Actor{ProviderAccount{"acc_1", "ses_1"}}) == "account:acc_1");
    CHECK(audit_name(Actor{ApiKey{"key_1", "acc_1"}}) == "api_key:key_1");
    CHECK(audit_name(Actor{Operator{}}) == "admin");
    CHECK(audit_name(Actor{BookingClient{"bk_1", "t", "127.0.0.1"}}) == "client");
    CHECK(audit_name(Actor{System{}}) == "system");
}

namespace {

ProviderConfig with_services(int active, int inactive) {
    ProviderConfig p;
    for (int i = 0; i < active + inactive; ++i) {
        ServiceConfig s;
        s.id = "s" + std::to_string(i);
        s.active = i < active;
        p.services.push_back(s);
    }
    return p;
}

}  // namespace

TEST_CASE("plans: free allows one active service, paid any number; inactive ones never count") {
    struct Row {
        const char* plan;
        int active, inactive;
        bool refused;
    };
    const Row row = GENERATE(Row{"free", 0, 0, false}, Row{"free", 1, 0, false}, Row{"free", 1, 5, false},
                             Row{"free", 2, 0, true}, Row{"free", 3, 1, true}, Row{"paid", 2, 0, false},
                             Row{"paid", 100, 0, false});
    INFO(row.plan << " " << row.active << " active, " << row.inactive << " inactive");
    if (!row.refused) {
        CHECK_NOTHROW(check_plan_or_throw(row.plan, with_services(row.active, row.inactive)));
        return;
    }
    try {
        check_plan_or_throw(row.plan, with_services(row.active, row.inactive));
        FAIL("not refused");
    } catch (const DomainError& e) {
        CHECK(e.kind == ErrorKind::refused);
        CHECK(e.code == "PLAN_LIMIT");
    }
    CHECK(is_plan("free"));
    CHECK(is_plan("paid"));
    CHECK_FALSE(is_plan("Free"));
    CHECK_FALSE(is_plan(""));
}

TEST_CASE("a stored configuration reads back as the PUT document it came from") {
    const json full = json::parse(R"({
        "name": "Practice", "kind": "therapist", "time_zone": "Europe/Berlin", "active": false,
        "bio": "b", "photo_url": "https://example.test/p.png",
        "booking_limits": {"open_bookings_per_client": 2},
        "notifications": {"provider_email": "p@example.test", "provider_phone": null, "client": ["email", "sms"],
                          "provider": {"email": ["booking.created"], "push": [], "sms": [], "whatsapp": []}},
        "schedules": {"default": {"weekly": [{"day": "mon", "start": "09:00", "end": "12:00"}],
                                  "overrides": [{"date": "2026-12-24", "kind": "block"}]}},
        "services": [{"id": "a", "name": "A", "schedule": "default", "active": true, "durations": [30, 60],
                      "buffer_before_minutes": 5, "buffer_after_minutes": 10, "slot_interval_minutes": 15,
                      "min_notice_minutes": 60, "max_advance_days": 30,
                      "price": {"amount": 100, "currency": "EUR"},
                      "cancellation_policy": [{"hours_before": 24, "percent": 100}],
                      "virtual": true, "requires_confirmation": true,
                      "reminders": [{"before_minutes": 1440, "channels": ["email", "sms"]}],
                      "review_request_after_minutes": null}]})");
    CHECK(provider_put_document(parse_provider_config("p1", full)) == full);

    const json minimal = json::parse(R"({"name": "M", "kind": "other", "time_zone": "UTC", "active": true,
        "schedules": {"default": {}},
        "services": [{"id": "x", "name": "X", "durations": [15], "price": {"amount": 0, "currency": "EUR"}}]})");
    const json read_back = provider_put_document(parse_provider_config("p2", minimal));
    CHECK(read_back["schedules"] == json::parse(R"({"default": {"weekly": [], "overrides": []}})"));
    CHECK(read_back["services"][0] == json::parse(R"({"id": "x", "name": "X", "schedule": "default", "active": true,
        "durations": [15], "buffer_before_minutes": 0, "buffer_after_minutes": 0, "min_notice_minutes": 0,
        "price": {"amount": 0, "currency": "EUR"}, "cancellation_policy": "flexible", "virtual": false,
        "requires_confirmation": false,
        "reminders": [{"before_minutes": 2880, "channels": ["email"]}, {"before_minutes": 60, "channels": ["email"]}],
        "review_request_after_minutes": 120})"));
    for (const char* absent : {"bio", "photo_url", "booking_limits"}) CHECK_FALSE(read_back.contains(absent));
    // The notification choices are spelled out with their defaults, so a form shows what is in force.
    CHECK(read_back["notifications"] == notification_settings_document(NotificationSettings::defaults()));
    // Read back, sent again: the same document.
    CHECK(provider_put_document(parse_provider_config("p2", read_back)) == read_back);
}
