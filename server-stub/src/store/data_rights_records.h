// The SQL of the data rights (issue 11, item 7; server-stub/README.md, "Data
// rights"): an account's export, the deletion of an account, the erasure of
// one client's personal data. Written once for both backends, like records.h.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "domain/model.h"
#include "store/store.h"

namespace slotwise::server::records {

// The account's row as exported: {id, email, plan, created_at}; nullopt
// when there is no live account with this id.
std::optional<json> account_document(Session& s, const std::string& account_id);
// The live (not deleted) providers the account owns, by id.
std::vector<std::string> live_owned_providers(Session& s, const std::string& account_id);
// Every booking of the provider, by start, without a limit.
std::vector<Booking> all_bookings(Session& s, const std::string& provider_id);
// The audit entries about the provider and its bookings, oldest first.
json audit_entries(Session& s, const std::string& provider_id);
// The account's sessions and API keys, without any token or key hash.
json session_documents(Session& s, const std::string& account_id);
json api_key_documents(Session& s, const std::string& account_id);

// Future bookings of the provider that hold time at `now` (HELD, PENDING
// not past its expiry, CONFIRMED).
std::int64_t open_future_bookings(Session& s, const std::string& provider_id, Timestamp now);

// Replaces the client's personal data in the bookings (name, address,
// phone, notes, zone, cancellation reason, meeting link), empties the client
// key and makes every manage token fail; the rows changed.
std::int64_t anonymise_provider_bookings(Session& s, const std::string& provider_id, Timestamp now);
// The bookings of one client with any provider, by normalised address (and,
// for rows not backfilled yet, by the lower-cased address itself).
std::int64_t anonymise_client_bookings(Session& s, const std::string& client_key, const std::string& email,
                                       Timestamp now);
// The no-show records (keyed by the SHA-256 of a client key).
std::int64_t delete_provider_no_shows(Session& s, const std::string& provider_id);
std::int64_t delete_client_no_shows(Session& s, const std::string& client_key);

// The configurations kept in the provider's audit entries (a PUT's body
// names the person behind the provider): emptied, the entries stay.
std::int64_t clear_provider_audit_details(Session& s, const std::string& provider_id);
// Marks the provider deleted: name, bio and photo cleared, schedules and
// services removed, a new revision (cached copies are stale at once).
void mark_provider_deleted(Session& s, const std::string& provider_id, Timestamp now);
// Ends the account: its sessions, API keys and sign-in challenges deleted,
// its address freed; false when there was no live account.
bool delete_account(Session& s, const std::string& account_id, Timestamp now);

}  // namespace slotwise::server::records
