// OAuth 2.0 for the calendar services (Google, Microsoft identity platform):
// the authorization code grant with PKCE (RFC 7636, S256), the refresh_token
// grant and revocation (RFC 7009, where the service has it), plus
// BearerSession, which calls an API with an access token and, on a 401,
// refreshes once and retries, so an hour-old token never fails a sync.
//
// The endpoints are operator-configured (--google-oauth-base and friends),
// not provider-supplied; the HttpClientOptions passed decide whether they
// may be private addresses (the test servers run on loopback).
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "adapters/http_client.h"

namespace slotwise::server::adapters {

struct OAuthEndpoints {
    std::string authorize_url;  // where the provider's browser goes
    std::string token_url;
    std::string revoke_url;     // empty: the service has none (Microsoft)
    std::string scope;
    // Further authorization parameters the service wants (Google:
    // access_type=offline and prompt=consent, or no refresh token comes back).
    std::vector<std::pair<std::string, std::string>> extra_authorize_params;
};

struct OAuthClientConfig {
    std::string client_id;
    std::string client_secret;
    OAuthEndpoints endpoints;
};

struct OAuthTokens {
    std::string access_token;
    std::string refresh_token;
    std::int64_t expires_at = 0;  // Unix seconds; 0: unknown
};

enum class OAuthFailure {
    unreachable,     // no answer, a 5xx or a 429
    invalid_grant,   // the code or refresh token is spent, revoked or wrong (a PKCE mismatch too)
    invalid_client,  // the client id or secret is wrong: the operator's configuration
    rejected,        // any other refusal
};

struct OAuthError : std::runtime_error {
    OAuthFailure failure;
    OAuthError(OAuthFailure f, const std::string& what) : std::runtime_error(what), failure(f) {}
};

// A fresh PKCE code verifier: 32 random bytes, base64url (43 characters).
std::string new_pkce_verifier();
// BASE64URL(SHA256(verifier)), RFC 7636 section 4.2.
std::string pkce_challenge_s256(const std::string& verifier);
// RFC 3986 percent-encoding of everything but the unreserved characters.
std::string percent_encode(const std::string& text);

class OAuthClient {
public:
    OAuthClient(OAuthClientConfig config, HttpClientOptions options);

    std::string authorization_url(const std::string& redirect_uri, const std::string& state,
                                  const std::string& code_challenge) const;
    // Throws OAuthError.
    OAuthTokens exchange_code(const std::string& code, const std::string& redirect_uri, const std::string& verifier) const;
    // A new access token; the refresh token is the new one when the service
    // rotates it (Microsoft), else the one given. Throws OAuthError.
    OAuthTokens refresh(const std::string& refresh_token) const;
    // Revokes the token at the service; false when there is no revocation
    // endpoint or the service did not confirm. Never throws.
    bool revoke(const std::string& token) const;
    bool can_revoke() const { return !config_.endpoints.revoke_url.empty(); }
    const HttpClientOptions& options() const { return options_; }

    // Unix seconds; replaceable so a test can move time.
    std::function<std::int64_t()> now;

private:
    OAuthTokens token_request(const std::vector<std::pair<std::string, std::string>>& fields,
                              const std::string& previous_refresh) const;
    OAuthClientConfig config_;
    HttpClientOptions options_;
};

// An API caller holding one connection's tokens. Thread-safe; a refresh is
// reported through `on_refresh` so the caller can store the new tokens
// (sealed) before they are needed again: Microsoft's old refresh token dies
// with the refresh.
class BearerSession {
public:
    BearerSession(OAuthClient oauth, OAuthTokens tokens, std::function<void(const OAuthTokens&)> on_refresh);

    // Sends with "Authorization: Bearer"; refreshes first when the token is
    // known to be expired, and once after a 401, then retries. Throws
    // OAuthError when the refresh itself is refused; network trouble is an
    // HttpResponse with status 0, as send_http gives it.
    HttpResponse send(HttpRequest request);
    OAuthTokens tokens() const;
    const OAuthClient& oauth() const { return oauth_; }

private:
    void refresh_locked();
    OAuthClient oauth_;
    mutable std::mutex mutex_;
    OAuthTokens tokens_;
    std::function<void(const OAuthTokens&)> on_refresh_;
};

}  // namespace slotwise::server::adapters
