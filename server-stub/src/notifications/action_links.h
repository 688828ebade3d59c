// The confirm and decline links in the provider's "request waiting" mail.
// A link is a bearer credential for one action on one PENDING booking:
// signed (HMAC-SHA256 under a key derived from the server secret), expiring
// when the request expires, and acting once (migration 011 keeps the ids of
// used links). Mail scanners follow links, so opening one (GET) never acts:
// it answers a page with a button, and only that button's POST acts.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <slotwise/time.h>

#include "domain/booking_status.h"

namespace slotwise::server {
class BookingService;
class Clock;
class Store;
}  // namespace slotwise::server

namespace slotwise::server::notifications {

// The key links are signed with: ServerKeys::derive(kActionLinkSalt,
// kActionLinkInfo) (domain/server_keys.h). Set once at start, before a link
// is made or checked; until then action_link_url throws.
inline constexpr const char* kActionLinkSalt = "slotwise action links v1";
inline constexpr const char* kActionLinkInfo = "confirm and decline links";
void configure_action_links(std::string key);

// `public_origin` + "/v1/booking-actions/" + a token naming the booking, the
// action (confirm or decline only), the expiry and a random link id, signed.
std::string action_link_url(const std::string& public_origin, const std::string& booking_id,
                            domain::BookingAction action, Timestamp expires_at);

// What a token says once its signature is checked.
struct ActionLink {
    std::string id;  // the link's own id: what "used" is recorded under
    std::string booking_id;
    domain::BookingAction action = domain::BookingAction::confirm;
    Timestamp expires_at;
};

// The token of a link (the last path segment), read and its signature
// checked; nullopt for anything malformed or forged (expiry is the caller's
// check, against the server's clock).
std::optional<ActionLink> read_action_link(std::string_view token);

// An answer of the link pages, in the form the HTTP layer sends.
struct LinkAnswer {
    int status = 200;
    std::vector<std::pair<std::string, std::string>> headers;  // Content-Type first
    std::string body;
};

// The two routes of a link: GET shows what the button will do, POST does it
// through BookingService::provider_transition (actor domain::ProviderLink).
// A browser gets HTML pages, refusals included; a client that asks for JSON
// (Accept) gets JSON, and refusals as DomainErrors (RFC 9457 problems with
// LINK_INVALID 404, LINK_EXPIRED 410, LINK_USED 409, or the transition's own).
class ActionLinkDesk {
public:
    ActionLinkDesk(Store& store, const Clock& clock, BookingService& service)
        : store_(store), clock_(clock), service_(service) {}

    LinkAnswer show(std::string_view token, bool wants_json);
    LinkAnswer act(std::string_view token, bool wants_json);

private:
    Store& store_;
    const Clock& clock_;
    BookingService& service_;
};

}  // namespace slotwise::server::notifications
