// The reminders' late rule as a table, and the action links' tokens: what
// reads back, and that any altered character does not.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "notifications/action_links.h"
#include "notifications/reminder_channel.h"

using namespace slotwise;
using namespace slotwise::server::notifications;
using std::chrono::minutes;
using std::chrono::seconds;

namespace {

const Instant kStart = Instant{} + minutes(60 * 24 * 20000);

struct LateCase {
    const char* what;
    int before_minutes;
    std::vector<int> all;
    seconds now_before_start;  // now = start - this
    bool sent;
};

}  // namespace

TEST_CASE("the late rule: only before the start, and only the nearest of the reminders already due") {
    const LateCase c = GENERATE(values<LateCase>({
        {"on time", 60, {2880, 60}, minutes(60), true},
        {"the 48 h reminder on time", 2880, {2880, 60}, minutes(2880), true},
        {"the 48 h reminder 47 h late, the 1 h one not yet due", 2880, {2880, 60}, minutes(61), true},
        {"the 48 h reminder when the 1 h one is due too", 2880, {2880, 60}, minutes(60), false},
        {"the 48 h reminder 40 minutes before", 2880, {2880, 60}, minutes(40), false},
        {"the 1 h reminder 40 minutes before", 60, {2880, 60}, minutes(40), true},
        {"the 1 h reminder when the 30-minute one is due", 60, {60, 30}, minutes(30), false},
        {"the 30-minute one then", 30, {60, 30}, minutes(30), true},
        {"a second before the start", 60, {60}, seconds(1), true},
        {"at the start", 60, {60}, seconds(0), false},
        {"after the start", 60, {60}, -minutes(5), false},
        {"a later reminder that is not due yet does not count", 60, {60, 10}, minutes(11), true},
    }));
    INFO(c.what);
    const Timestamp now = date::floor<seconds>(kStart) - c.now_before_start;
    CHECK(reminder_still_worth_sending(kStart, c.before_minutes, c.all, now) == c.sent);
}

TEST_CASE("an action link reads back what it was made with; any changed character reads as nothing") {
    configure_action_links(std::string(32, 'k'));
    const Timestamp expires = Timestamp{} + seconds(1'800'000'000);
    const auto action = GENERATE(server::domain::BookingAction::confirm, server::domain::BookingAction::decline);
    const std::string url = action_link_url("https://book.example/", "bk_abc234", action, expires);
    const std::string prefix = "https://book.example/v1/booking-actions/";
    REQUIRE(url.rfind(prefix, 0) == 0);
    const std::string token = url.substr(prefix.size());
    const auto link = read_action_link(token);
    REQUIRE(link);
    CHECK(link->booking_id == "bk_abc234");
    CHECK(link->action == action);
    CHECK(link->expires_at == expires);
    CHECK(!link->id.empty());
    // Two links for the same thing are two links.
    CHECK(read_action_link(action_link_url("https://book.example", "bk_abc234", action, expires).substr(prefix.size()))->id != link->id);
    for (std::size_t i = 0; i < token.size(); ++i) {
        std::string altered = token;
        altered[i] = altered[i] == 'a' ? 'b' : 'a';
        INFO("character " << i << " of " << token);
        CHECK_FALSE(read_action_link(altered));
    }
    CHECK_FALSE(read_action_link(token.substr(0, token.size() - 1)));
    CHECK_FALSE(read_action_link(token + "0"));
    CHECK_FALSE(read_action_link(""));
    CHECK_FALSE(read_action_link(std::string(300, 'a')));
    // Another key: nothing reads.
    configure_action_links(std::string(32, 'x'));
    CHECK_FALSE(read_action_link(token));
    // Only confirm and decline links exist.
    CHECK_THROWS_AS(action_link_url("https://book.example", "bk_x", server::domain::BookingAction::cancel, expires),
                    std::invalid_argument);
}
