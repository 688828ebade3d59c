// The one place where the domain's answers become HTTP: a domain error's
// status code, problem document (RFC 9457) and headers; each use case's
// result as status, content type and body. http_api.cpp answers only
// through these.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "domain/accounts.h"
#include "domain/booking_service.h"
#include "domain/calendar_oauth.h"
#include "domain/calendars.h"
#include "domain/domain_error.h"
#include "domain/provider_views.h"
#include "domain/webhooks.h"
#include "domain/payments.h"
#include "domain/provider_stripe.h"
#include "http/http_server.h"

namespace slotwise::server::http {

int status_of(domain::ErrorKind kind);

// application/problem+json with Retry-After when the error says when to
// retry and WWW-Authenticate when it names the credential to present.
Response problem_response(const domain::DomainError& error);
// A problem the HTTP layer finds itself (framing, limits), with its status.
Response http_problem(int status, const std::string& code, const std::string& detail);

Response json_response(int status, const nlohmann::json& document);

// The results of the use cases.
Response booking_response(const BookingView& booking);  // 200, or 201 with the manage token of a new booking
Response created_or_replayed(const BookingOutcome& outcome);
// 200 with the booking, now PENDING or CONFIRMED. A wrong code is the
// domain's INVALID_CODE (401, `attempts_left`); a hold that ended is
// CHALLENGE_EXPIRED (410).
Response verified_response(const BookingView& booking);
Response provider_response(const SavedProvider& saved);
Response provider_document_response(const ProviderDocument& provider);
Response booking_list_response(const BookingList& list);
// The dashboard's views (domain/provider_views.h): {booking, history}, {provider, clients}.
Response booking_history_response(const domain::BookingHistory& history);
Response clients_response(const domain::ClientList& list);
Response snapshot_response(const SnapshotDocument& snapshot);
Response slots_response(const SlotList& slots);
Response calendar_response(const CalendarFile& file);
Response health_response(const HealthReport& health);

// Accounts (domain/accounts.h). The session cookie is HttpOnly, SameSite=Lax,
// Path=/, and Secure when `secure_cookie`.
Response code_requested_response(const domain::CodeRequested& requested);            // 202
Response signed_in_response(const domain::SignedIn& signed_in, bool secure_cookie);  // 201 + Set-Cookie
Response signed_out_response(bool secure_cookie);                                   // 204, the cookie cleared
Response sessions_response(const std::vector<domain::SessionView>& sessions);
Response me_response(const domain::MeView& me);
Response api_key_response(const domain::ApiKeyView& key);  // 201, the key shown once
Response api_keys_response(const std::vector<domain::ApiKeyView>& keys);
Response no_content();
// Data rights and plans: the export as an attachment, an erasure's counts,
// an account's plan.
Response export_response(const AccountExport& exported);
Response erasure_response(const ClientErasure& erased);
Response plan_response(const AccountPlan& plan);
// Webhooks (domain/webhooks.h): an endpoint (201 with its secret when
// created), the list (never a secret), the delivery log, a queued redelivery (202).
Response webhook_response(const domain::WebhookView& webhook);
// Calendars (issue 15): connections without their credentials, a sync's result, the feed.
Response calendar_connections_response(const std::vector<records::CalendarConnection>& connections);
Response calendar_connection_response(const records::CalendarConnection& connection);
Response calendar_sync_response(const domain::SyncResult& result, const records::CalendarConnection& connection);
Response calendar_feed_response(std::string ics);
// The OAuth callback (domain/calendar_oauth.h): a browser goes back to the
// dashboard's calendar settings (303, ?connected=ID or ?calendar_error=CODE);
// an API client gets 200 {id, calendars} or the problem.
Response calendar_oauth_done_response(const domain::OAuthCallbackResult& result, bool wants_json);
Response calendar_oauth_failed_response(const domain::DomainError& error, bool wants_json);
// Graph's subscription validation: the token echoed as text/plain.
Response plain_text_response(int status, std::string text);
Response webhooks_response(const std::vector<domain::WebhookView>& webhooks);
Response webhook_deliveries_response(const std::vector<records::WebhookAttempt>& attempts);
Response redelivery_response(const domain::Redelivery& redelivery);

// Stripe's webhook: 200 for an event taken, applied now or before (a
// duplicate); Stripe retries anything else, so a refusal is a problem (400).
Response stripe_webhook_response(const domain::StripeWebhookReceipt& receipt);

// GET/PUT /v1/providers/{id}/stripe: whose Stripe account takes the
// provider's payments, never a secret: {"source": "provider" |
// "operator" | "none", ...} (domain/provider_stripe.h).
Response provider_stripe_response(const domain::ProviderStripeView& view);

// How a booking request's answer is kept under its Idempotency-Key: as this
// mapping renders it, so that a replay is the first answer byte for byte;
// except a paid booking's, whose replay shows its booking and payment as
// they are now (refreshed: the payment is made after the answer was kept).
class KeptAsAnswered : public AnswerKeeper {
public:
    KeptAnswer created(const BookingView& booking) const override;
    KeptAnswer refused(const domain::DomainError& refusal) const override;
    std::optional<std::string> booking_of(const KeptAnswer& kept) const override;
    KeptAnswer refreshed(const KeptAnswer& kept, const BookingView& now) const override;
};

}  // namespace slotwise::server::http
