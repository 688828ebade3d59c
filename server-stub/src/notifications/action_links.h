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
#include <variant>

#include <slotwise/time.h>

#include "domain/booking_status.h"

namespace slotwise::server::notifications {

// Derives the link key from the server's secret (SLOTWISE_SECRET, or the one
// generated and kept in the database). Called once at start, before a link
// is made or checked; until then action_link_url throws.
void configure_action_links(std::string_view server_secret);

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

}  // namespace slotwise::server::notifications
