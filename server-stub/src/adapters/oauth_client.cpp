#include "adapters/oauth_client.h"

#include <chrono>

#include <nlohmann/json.hpp>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "adapters/web_push.h"

namespace slotwise::server::adapters {

namespace {

std::string form_encode(const std::vector<std::pair<std::string, std::string>>& fields) {
    std::string out;
    for (const auto& [k, v] : fields) {
        if (!out.empty()) out += '&';
        out += percent_encode(k) + '=' + percent_encode(v);
    }
    return out;
}

// The service's words go into job errors and logs: one bounded line.
std::string excerpt(const std::string& text) {
    std::string out = text.substr(0, 300);
    for (char& c : out)
        if (c == '\n' || c == '\r') c = ' ';
    return out;
}

std::int64_t system_now() {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace

std::string percent_encode(const std::string& text) {
    static const char* hex = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : text) {
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

std::string new_pkce_verifier() {
    unsigned char bytes[32];
    if (RAND_bytes(bytes, sizeof bytes) != 1) throw std::runtime_error("RAND_bytes failed");
    return base64url_encode(std::string_view(reinterpret_cast<const char*>(bytes), sizeof bytes));
}

std::string pkce_challenge_s256(const std::string& verifier) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (EVP_Digest(verifier.data(), verifier.size(), digest, &len, EVP_sha256(), nullptr) != 1)
        throw std::runtime_error("SHA-256 failed");
    return base64url_encode(std::string_view(reinterpret_cast<const char*>(digest), len));
}

OAuthClient::OAuthClient(OAuthClientConfig config, HttpClientOptions options)
    : now(system_now), config_(std::move(config)), options_(options) {}

std::string OAuthClient::authorization_url(const std::string& redirect_uri, const std::string& state,
                                           const std::string& code_challenge) const {
    std::vector<std::pair<std::string, std::string>> params{
        {"client_id", config_.client_id},   {"redirect_uri", redirect_uri},           {"response_type", "code"},
        {"scope", config_.endpoints.scope}, {"state", state},                         {"code_challenge", code_challenge},
        {"code_challenge_method", "S256"},
    };
    for (const auto& p : config_.endpoints.extra_authorize_params) params.push_back(p);
    const auto& base = config_.endpoints.authorize_url;
    return base + (base.find('?') == std::string::npos ? "?" : "&") + form_encode(params);
}

OAuthTokens OAuthClient::token_request(const std::vector<std::pair<std::string, std::string>>& fields,
                                       const std::string& previous_refresh) const {
    HttpRequest request;
    request.method = "POST";
    request.url = config_.endpoints.token_url;
    request.headers = {{"Content-Type", "application/x-www-form-urlencoded"}, {"Accept", "application/json"}};
    auto all = fields;
    all.emplace_back("client_id", config_.client_id);
    all.emplace_back("client_secret", config_.client_secret);
    request.body = form_encode(all);
    const HttpResponse response = send_http(request, options_);
    if (response.status == 0) throw OAuthError(OAuthFailure::unreachable, "token endpoint: " + response.error);
    if (response.status >= 500 || response.status == 429)
        throw OAuthError(OAuthFailure::unreachable, "token endpoint answered " + std::to_string(response.status));
    const auto body = nlohmann::json::parse(response.body, nullptr, false);
    if (!response.ok()) {
        const std::string error = body.is_object() && body.contains("error") && body["error"].is_string() ? body["error"].get<std::string>() : "";
        const std::string what = "token endpoint answered " + std::to_string(response.status) + " " + error + ": " + excerpt(response.body);
        if (error == "invalid_grant") throw OAuthError(OAuthFailure::invalid_grant, what);
        if (error == "invalid_client" || error == "unauthorized_client") throw OAuthError(OAuthFailure::invalid_client, what);
        throw OAuthError(OAuthFailure::rejected, what);
    }
    if (!body.is_object() || !body.contains("access_token") || !body["access_token"].is_string())
        throw OAuthError(OAuthFailure::rejected, "token endpoint: no access_token in " + excerpt(response.body));
    OAuthTokens tokens;
    tokens.access_token = body["access_token"].get<std::string>();
    tokens.refresh_token = body.contains("refresh_token") && body["refresh_token"].is_string() ? body["refresh_token"].get<std::string>() : previous_refresh;
    // A minute early: a token that expires on the way is a needless 401.
    if (body.contains("expires_in") && body["expires_in"].is_number_integer())
        tokens.expires_at = now() + body["expires_in"].get<std::int64_t>() - 60;
    return tokens;
}

OAuthTokens OAuthClient::exchange_code(const std::string& code, const std::string& redirect_uri, const std::string& verifier) const {
    return token_request({{"grant_type", "authorization_code"}, {"code", code}, {"redirect_uri", redirect_uri}, {"code_verifier", verifier}}, "");
}

OAuthTokens OAuthClient::refresh(const std::string& refresh_token) const {
    if (refresh_token.empty()) throw OAuthError(OAuthFailure::invalid_grant, "no refresh token was granted");
    // Microsoft wants the scope again; Google ignores it.
    return token_request({{"grant_type", "refresh_token"}, {"refresh_token", refresh_token}, {"scope", config_.endpoints.scope}}, refresh_token);
}

bool OAuthClient::revoke(const std::string& token) const {
    if (config_.endpoints.revoke_url.empty() || token.empty()) return false;
    HttpRequest request;
    request.method = "POST";
    request.url = config_.endpoints.revoke_url;
    request.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
    request.body = form_encode({{"token", token}});
    return send_http(request, options_).ok();
}

BearerSession::BearerSession(OAuthClient oauth, OAuthTokens tokens, std::function<void(const OAuthTokens&)> on_refresh)
    : oauth_(std::move(oauth)), tokens_(std::move(tokens)), on_refresh_(std::move(on_refresh)) {}

OAuthTokens BearerSession::tokens() const {
    std::lock_guard lock(mutex_);
    return tokens_;
}

void BearerSession::refresh_locked() {
    tokens_ = oauth_.refresh(tokens_.refresh_token);
    if (on_refresh_) on_refresh_(tokens_);
}

HttpResponse BearerSession::send(HttpRequest request) {
    std::string used;
    {
        std::lock_guard lock(mutex_);
        if (tokens_.access_token.empty() || (tokens_.expires_at != 0 && tokens_.expires_at <= oauth_.now())) refresh_locked();
        used = tokens_.access_token;
    }
    auto with_token = [&](const std::string& token) {
        HttpRequest r = request;
        r.headers.emplace_back("Authorization", "Bearer " + token);
        return send_http(r, oauth_.options());
    };
    HttpResponse response = with_token(used);
    if (response.status != 401) return response;
    {
        std::lock_guard lock(mutex_);
        // Another call may have refreshed meanwhile: then its token is new to us.
        if (tokens_.access_token == used) refresh_locked();
        used = tokens_.access_token;
    }
    return with_token(used);
}

}  // namespace slotwise::server::adapters
