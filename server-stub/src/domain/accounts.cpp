#include "domain/accounts.h"


#include <algorithm>
#include <cstdio>

#include "domain/accounts_requests.h"
#include "domain/domain_error.h"
#include "jobs/job_queue.h"
#include "mail/mail_job.h"
#include "store/account_records.h"
#include "store/ownership_records.h"
#include "support/crypto.h"

namespace slotwise::server::domain {
namespace {

// 32 random bytes: 52 base32 characters after the prefix.
constexpr std::size_t kTokenBytes = 32;
constexpr std::size_t kIdBytes = 10;
constexpr std::uint32_t kCodeSpace = 100000000;  // 10^8: eight digits
// A session's last use is written at most this often: the idle expiry is
// 30 days, so a minute's lag in it changes nothing.
constexpr std::chrono::seconds kTouchEvery{60};
// Challenges are kept a day past their expiry: the per-address and
// per-caller rate limits count them.
constexpr std::chrono::hours kChallengeKept{24};
// Ended sessions stay listed nowhere, but a month of them tells an operator
// who was signed in when.
constexpr std::chrono::hours kEndedSessionKept{30 * 24};

DomainError unauthenticated(const std::string& detail) {
    return DomainError(ErrorKind::unauthenticated, "UNAUTHORIZED", detail).with_challenge("Bearer");
}

DomainError challenge_expired() {
    return DomainError(ErrorKind::gone, "CHALLENGE_EXPIRED",
                       "this sign-in code is used, expired or had too many wrong tries; ask for a new one");
}

std::string eight_digits(std::uint32_t n) {
    char text[16];
    std::snprintf(text, sizeof text, "%08u", static_cast<unsigned>(n));
    return text;
}

std::string account_of(const Actor& actor) {
    if (const auto* account = std::get_if<ProviderAccount>(&actor)) return account->account_id;
    if (const auto* key = std::get_if<ApiKey>(&actor)) return key->account_id;
    throw DomainError(ErrorKind::forbidden, "ACCOUNT_REQUIRED", "this endpoint needs an account's session or API key");
}

const ProviderAccount& session_of(const Actor& actor) {
    if (const auto* account = std::get_if<ProviderAccount>(&actor)) return *account;
    throw DomainError(ErrorKind::forbidden, "SESSION_REQUIRED",
                      "this endpoint needs a signed-in session (an API key cannot manage sessions or keys)");
}

// A header may carry any bytes; the list of sessions is JSON: printable
// ASCII only, at most 200 characters, the rest replaced by '?'.
std::string shown_user_agent(const std::string& header) {
    std::string shown = header.substr(0, 200);
    for (char& c : shown)
        if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e) c = '?';
    return shown;
}

AccountView view_of(const records::AccountRow& row) { return {row.id, row.email, row.plan}; }

// The sign-in mail: the code, and a link whose fragment carries the
// challenge and the code. A fragment never reaches a server, so a mail
// scanner that fetches the link signs nobody in: the page asks for a click
// and POSTs.
mail::MailMessage sign_in_mail(const std::string& challenge, const std::string& email, const std::string& code,
                               const std::string& origin, bool known) {
    const std::string link = origin + "/app/sign-in#challenge=" + challenge + "&code=" + code;
    // The one character of the link that HTML reads differently in an attribute.
    const std::string html_link = origin + "/app/sign-in#challenge=" + challenge + "&amp;code=" + code;
    const std::string why = known ? "Use this code to sign in to Slotwise:"
                                  : "Use this code to sign in to Slotwise. You have no account yet: one is created "
                                    "when you sign in.";
    mail::MailMessage m;
    m.key = "sign-in:" + challenge;
    m.to = {{"", email}};
    m.subject = "Your Slotwise sign-in code";
    m.text = why + "\n\n    " + code + "\n\nOr open this link and press \"Sign in\":\n" + link +
             "\n\nThe code works once, for 15 minutes. If you did not ask for it, ignore this mail.\n";
    m.html = "<p>" + why + "</p>\n<p style=\"font-size:24px;font-family:monospace;letter-spacing:4px\"><b>" + code +
             "</b></p>\n<p><a href=\"" + html_link + "\">Sign in to Slotwise</a></p>\n"
             "<p>The code works once, for 15 minutes. If you did not ask for it, ignore this mail.</p>\n";
    return m;
}

}  // namespace

AccountService::AccountService(Store& store, const Clock& clock, const ServerKeys& keys, AccountOptions options)
    : store_(store), clock_(clock), options_(std::move(options)) {
    code_key_ = keys.derive("slotwise accounts v1", "sign-in code");
    requester_key_ = keys.derive("slotwise accounts v1", "requester address");
}

std::string AccountService::code_hash(const std::string& challenge_id, const std::string& code) const {
    return hmac_sha256_hex(code_key_, challenge_id + "\n" + code);
}

// Keyed: the IPv4 space is small enough to reverse a plain hash.
std::string AccountService::requester_hash(const std::string& address) const {
    return hmac_sha256_hex(requester_key_, address);
}

void AccountService::throttle_requests(Session& s, const std::string& email, const std::string& requester, Timestamp now) {
    auto refuse = [&](std::optional<Timestamp> oldest, std::chrono::seconds window, const char* detail) {
        const auto wait = oldest ? (*oldest + window - now).count() : window.count();
        throw DomainError(ErrorKind::rate_limited, "RATE_LIMITED", detail)
            .retry_after_seconds(static_cast<int>(std::max<std::int64_t>(1, wait)));
    };
    const Timestamp email_since = now - options_.email_window;
    if (records::challenges_for_email_since(s, email, email_since) >= options_.codes_per_email)
        refuse(records::oldest_challenge_for_email_since(s, email, email_since), options_.email_window,
               "too many codes were asked for this address; retry later");
    const Timestamp caller_since = now - options_.caller_window;
    if (records::challenges_by_requester_since(s, requester, caller_since) >= options_.codes_per_caller)
        refuse(records::oldest_challenge_by_requester_since(s, requester, caller_since), options_.caller_window,
               "too many codes were asked from this address; retry later");
}

CodeRequested AccountService::request_code(const Actor& actor, std::string_view body) {
    const std::string email = parse_email_code_request(body);
    const auto* visitor = std::get_if<Visitor>(&actor);
    const std::string requester = requester_hash(visitor ? visitor->address : std::string(audit_name(actor)));
    const Timestamp now = clock_.now();
    records::EmailChallenge challenge{"ch_" + random_token(kIdBytes), email, "", now + options_.code_lifetime, requester, now};
    const std::string code = eight_digits(random_below(kCodeSpace));
    challenge.code_hash = code_hash(challenge.id, code);
    auto session = store_.session();
    // Known or not, the same statements run and the same answer goes back;
    // only the mail's wording differs, and it leaves through the job queue.
    in_transaction(*session, std::nullopt, [&] {
        throttle_requests(*session, email, requester, now);
        const bool known = records::live_account_by_email(*session, email).has_value();
        records::insert_challenge(*session, challenge);
        session->exec(mail::mail_send_statement(sign_in_mail(challenge.id, email, code, options_.public_origin, known), now));
    });
    if (auto* queue = job_queue_.load()) queue->notify();
    return {challenge.id, challenge.expires_at};
}

SignedIn AccountService::sign_in(const Actor& /*actor*/, std::string_view body, const std::optional<std::string>& user_agent) {
    const SignInRequest request = parse_sign_in_request(body);
    const Timestamp now = clock_.now();
    auto session = store_.session();
    // The try is counted and committed before the code is judged: a wrong
    // code must use up a try even though its answer is an error.
    const auto attempt = in_transaction(*session, std::nullopt, [&] {
        return records::take_challenge_try(*session, request.challenge, now, options_.max_code_tries);
    });
    if (!attempt) throw challenge_expired();
    if (!constant_time_equal(attempt->code_hash, code_hash(request.challenge, request.code)))
        throw DomainError(ErrorKind::unauthenticated, "INVALID_CODE", "the code is not the one that was mailed");

    const std::string token = std::string(kSessionTokenPrefix) + random_token(kTokenBytes);
    records::SessionRow row;
    row.id = "ses_" + random_token(kIdBytes);
    row.created_at = row.last_seen_at = now;
    row.absolute_expires_at = now + options_.session_absolute;
    row.idle_expires_at = std::min(now + options_.session_idle, row.absolute_expires_at);
    if (user_agent) row.user_agent = shown_user_agent(*user_agent);
    const auto account = in_transaction(*session, std::nullopt, [&]() -> std::optional<records::AccountRow> {
        if (!records::use_challenge(*session, request.challenge, now)) return std::nullopt;
        auto account = records::account_for_email(*session, "acc_" + random_token(kIdBytes), attempt->email, now);
        row.account_id = account.id;
        records::insert_session(*session, row, sha256_hex(token));
        return account;
    });
    if (!account) throw challenge_expired();
    return {token, row.idle_expires_at, view_of(*account)};
}

std::optional<Actor> AccountService::actor_for_token(std::string_view token) {
    const Timestamp now = clock_.now();
    if (is_session_token(token)) {
        auto session = store_.session();
        const auto row = records::live_session_by_token(*session, sha256_hex(token), now);
        if (!row) return std::nullopt;
        if (now - row->last_seen_at >= kTouchEvery)
            records::touch_session(*session, row->id, now, std::min(now + options_.session_idle, row->absolute_expires_at));
        return ProviderAccount{row->account_id, row->id};
    }
    if (is_api_key(token)) {
        auto session = store_.session();
        const auto row = records::live_api_key_by_hash(*session, sha256_hex(token));
        if (!row) return std::nullopt;
        if (!row->last_used_at || *row->last_used_at != now) records::touch_api_key(*session, row->id, now);
        return ApiKey{row->id, row->account_id};
    }
    return std::nullopt;
}

void AccountService::sign_out(const Actor& actor) {
    const ProviderAccount& signed_in = session_of(actor);
    records::end_session(*store_.session(), signed_in.session_id, clock_.now());
}

std::int64_t AccountService::sign_out_everywhere(const Actor& actor) {
    return records::end_account_sessions(*store_.session(), session_of(actor).account_id, clock_.now());
}

std::vector<SessionView> AccountService::list_sessions(const Actor& actor) {
    const ProviderAccount& signed_in = session_of(actor);
    std::vector<SessionView> out;
    for (const auto& row : records::live_sessions(*store_.session(), signed_in.account_id, clock_.now()))
        out.push_back({row.id, row.created_at, row.last_seen_at, row.idle_expires_at, row.user_agent,
                       row.id == signed_in.session_id});
    return out;
}

ApiKeyView AccountService::create_api_key(const Actor& actor, std::string_view body) {
    const ProviderAccount& signed_in = session_of(actor);
    const std::string name = parse_api_key_request(body);
    const std::string key = std::string(kApiKeyPrefix) + random_token(kTokenBytes);
    records::ApiKeyRow row{"key_" + random_token(kIdBytes), signed_in.account_id, name, clock_.now(), std::nullopt};
    records::insert_api_key(*store_.session(), row, sha256_hex(key));
    return {row.id, row.name, row.created_at, std::nullopt, key};
}

std::vector<ApiKeyView> AccountService::list_api_keys(const Actor& actor) {
    std::vector<ApiKeyView> out;
    for (const auto& row : records::live_api_keys(*store_.session(), session_of(actor).account_id))
        out.push_back({row.id, row.name, row.created_at, row.last_used_at, std::nullopt});
    return out;
}

void AccountService::revoke_api_key(const Actor& actor, const std::string& key_id) {
    const ProviderAccount& signed_in = session_of(actor);
    if (!is_record_id(key_id, "key_") || !records::revoke_api_key(*store_.session(), signed_in.account_id, key_id, clock_.now()))
        throw DomainError(ErrorKind::not_found, "NOT_FOUND", "no such API key");
}

MeView AccountService::me(const Actor& actor) {
    const std::string account_id = account_of(actor);
    auto session = store_.session();
    const auto account = records::live_account(*session, account_id);
    if (!account) throw unauthenticated("the account no longer exists");
    return {view_of(*account), records::owned_provider_ids(*session, account_id)};
}

void AccountService::give_demo_provider(const std::string& provider_id, const std::string& email) {
    auto session = store_.session();
    in_transaction(*session, std::nullopt, [&] {
        const auto owner = records::provider_ownership(*session, provider_id);
        if (!owner || owner->owner_account_id) return;
        const auto account = records::account_for_email(*session, "acc_" + random_token(kIdBytes), email, clock_.now());
        records::set_provider_owner(*session, provider_id, account.id);
        records::set_account_plan(*session, account.id, "paid");
    });
}

void AccountService::purge_expired() {
    auto session = store_.session();
    records::purge_challenges(*session, clock_.now() - kChallengeKept);
    records::purge_sessions(*session, clock_.now() - kEndedSessionKept);
}

}  // namespace slotwise::server::domain
