// slotwise-server: flags, signals, start. See server-stub/README.md.
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <optional>
#include <thread>

#include <condition_variable>
#include <mutex>

#include "adapters/calendar_clients.h"
#include "domain/calendar_oauth.h"
#include "adapters/http_client.h"
#include "adapters/stripe_client.h"
#include "adapters/web_push.h"
#include "domain/booking_service.h"
#include "domain/provider_views.h"
#include "domain/push_subscriptions.h"
#include "domain/payment_flow.h"
#include "domain/payments.h"
#include "domain/stripe_accounts.h"
#include "domain/provider_stripe.h"
#include "domain/server_keys.h"
#include "http/http_api.h"
#include "jobs/dispatcher.h"
#include "jobs/standard_jobs.h"
#include "mail/mail_job.h"
#include "metrics/server_metrics.h"
#include "notifications/event_fan_out.h"
#include "notifications/webhook_channel.h"
#include "notifications/mail_channel.h"
#include "notifications/reminder_channel.h"
#include "notifications/sms_channel.h"
#include "notifications/push_channel.h"
#include "notifications/calendar_channel.h"
#include "store/operator_token.h"
#include "store/shared_limits.h"
#include "store/sqlite_backup.h"

using namespace slotwise::server;

namespace {

const char* kUsage = R"(usage: slotwise-server [options]
       slotwise-server backup --database sqlite:PATH --to FILE   (an online backup; see backup --help)
  --db URL                  sqlite:PATH (default sqlite:data/slotwise.db) or postgres://...
  --listen HOST:PORT        default 127.0.0.1:8080; port 0 picks a free port
  --web-root DIR            serve static files from DIR at /
  --demo                    create a demo provider when the database has none
  --threads N               I/O threads serving connections; default one per core
  --workers N               requests that touch the database running at once for
                            one client address; default 16 (2 more threads are kept
                            for other addresses)
  --max-queued-per-address N  requests one client address may have queued or running (default 100;
                            beyond it 503 SERVER_BUSY)
  --db-pool N               database connections kept open; default = worker threads
  --rate-limit R:BURST      POSTs per second per client address without a valid credential (default 2:20; 0 = off)
  --pending-cap N           open PENDING bookings per client and provider (default 3)
  --open-bookings-cap N     future HELD/PENDING/CONFIRMED bookings per client and provider, unless the
                            provider's booking_limits says otherwise (default 3)
  --pending-expiry-minutes N  a PENDING request expires after N minutes, at the latest at its start,
                            unless the provider's booking_limits says otherwise (default 1440)
  --hold-minutes N          a HELD booking (a service with verify_client_email) waits N minutes for
                            its client's emailed code, at the latest until its start (default 15)
  --meeting-base-url URL    base of virtual meeting links (default https://meet.jit.si/)
  --public-url URL          the server's public origin, for links in mail (env SLOTWISE_PUBLIC_URL;
                            default the listen URL)
  --access-log -|off|PATH   JSON access log (default - = stdout)
  --record-exchanges FILE   testing aid: append one JSON line per answer (route, status, headers, JSON body) to
                            FILE, for the OpenAPI contract test; it writes tokens and personal data, never use it in production
  --metrics-listen HOST:PORT  also serve GET /metrics there without credentials, for a scraper on a
                            private network (default: none; /metrics on the main listener always
                            takes the operator token)
  --header-timeout S        seconds for a request's whole header (default 10)
  --idle-timeout S          seconds an idle keep-alive connection stays open (default 5)
  --max-connections N       open connections; the oldest idle ones are closed to admit new ones (default 15000)
  --max-connections-per-address N   open connections per client address (default 128)
  --trusted-proxy CIDR      a reverse proxy (nginx, Caddy) whose X-Forwarded-For names the client: the
                            rightmost address in it that is not a trusted proxy is then the client for
                            rate limits, throttling and the access log; repeatable (env
                            SLOTWISE_TRUSTED_PROXIES, comma-separated, when no flag is given). Without
                            it the header is ignored and the TCP peer is the client
  --job-threads N           threads running due jobs in this process (default 2; 0 = none)
  --job-poll S              seconds between looks for due jobs (default 1)
  --job-lease S             seconds a job is leased to its worker before another process may take
                            it over (default 60; renewed while its handler runs)
  --job-backoff S[:MAX]     retry delay base and cap in seconds (default 10:3600; full jitter)
  --job-lag-warning S       log when the oldest due job has waited longer (default 300)
  --enable-probe-jobs       run `probe` jobs (tests and operators checking the pipeline)
  --smtp URL                send mail through smtp://host[:port], smtp+starttls://user:pass@host[:port]
                            (STARTTLS required) or smtps://user:pass@host[:port]; user and password
                            percent-encoded. Without it every mail is an .eml file in --mail-dir
  --mail-from ADDRESS       sender: address or "Name <address>" (default Slotwise <slotwise@localhost>)
  --mail-dir DIR            the .eml folder without --smtp (default: a mail folder beside the SQLite
                            file; data/mail under the working directory with PostgreSQL)
  --smtp-ca-file FILE       trust this CA certificate (PEM) for the SMTP server instead of the system's
  --allow-private-targets   let webhooks and other outgoing HTTP reach loopback and private addresses
                            (tests, closed networks); refused by default
  --webhook-retry-gaps S,S,...  seconds between a webhook's attempts (default 5,300,1800,7200,18000,36000,36000:
                            Standard Webhooks' schedule, 8 attempts over 27.6 h; the last gap repeats for none)
  --webhook-disable-after S  disable a webhook endpoint whose attempts all failed for S seconds (default 432000 = 5 days)
  --calendar-sync-every S   sync every connected outside calendar every S seconds (default 300)
  --calendar-sync-lease S   a sync holds its connection at most S seconds before another may take over
                            (default 60; a killed process's sync is resumed after it)
  --google-oauth-base URL   Google's OAuth 2.0 endpoints (/o/oauth2/v2/auth, /token, /revoke) under one base
                            (default: accounts.google.com and oauth2.googleapis.com; tests/server/google_calendar_test_server.mjs)
  --google-api-base URL     the Google Calendar API (default https://www.googleapis.com)
  --microsoft-oauth-base URL  the Microsoft identity platform (default https://login.microsoftonline.com)
  --microsoft-graph-base URL  Microsoft Graph (default https://graph.microsoft.com; tests/server/ms_graph_test_server.mjs)
  --calendar-push-over-http  register Google watch channels and Graph subscriptions although the public URL
                            is http (the test servers; the real services call only https addresses)
  --calendar-push-ttl S      ask for push channels of S seconds (default: Google 7 days, Graph 3 days less an hour);
                            a sync renews them with less than half of it left
  --twilio-api-base URL     Twilio's REST API for SMS and WhatsApp (default https://api.twilio.com; any
                            gateway that speaks its Messages API, or tests/server/twilio_test_server.mjs)
  --stripe-api-base URL     Stripe's API for payments (default https://api.stripe.com; or
                            tests/server/stripe_test_server.mjs, with --allow-private-targets on loopback)
  --payment-reconcile-after S  ask Stripe about a payment still open S seconds after it was created (default 600)
  --payment-reconcile-every S  how often that check runs (default 300)
  --payment-refunds-every S  how often decided refunds are sent to Stripe (default 10)
  --payment-hold-minutes N  a HELD booking of a paid service waits N minutes for its payment, at the
                            latest until its start (default 15); then it expires, its time is free
                            and its PaymentIntent is cancelled
environment: SLOTWISE_ADMIN_TOKEN (the operator token, 24..256 visible ASCII; when unset a
             stored one is used, or one is generated and printed once to stderr),
             SLOTWISE_TRUSTED_PROXIES (see --trusted-proxy),
             SLOTWISE_NOW (start the server's clock at this instant; tests and demos),
             SLOTWISE_SMTP_URL, SLOTWISE_MAIL_FROM, SLOTWISE_SMTP_CA_FILE (when the flag is not given),
             SLOTWISE_SECRET (at least 32 characters: keys the sign-in code hashes; when unset a
             random one is generated once and kept in the database),
             SLOTWISE_GOOGLE_CLIENT_ID with SLOTWISE_GOOGLE_CLIENT_SECRET, SLOTWISE_MICROSOFT_CLIENT_ID with
             SLOTWISE_MICROSOFT_CLIENT_SECRET (OAuth clients for Google and Microsoft calendars; without
             them those kinds answer 422 CALENDAR_OAUTH_NOT_CONFIGURED),
             SLOTWISE_TWILIO_ACCOUNT_SID with SLOTWISE_TWILIO_AUTH_TOKEN (or SLOTWISE_TWILIO_API_KEY_SID
             and SLOTWISE_TWILIO_API_KEY_SECRET), SLOTWISE_TWILIO_FROM (SMS: E.164, sender ID or MG...),
             SLOTWISE_TWILIO_WHATSAPP_FROM (E.164): without them SMS and WhatsApp are off,
             SLOTWISE_VAPID_PRIVATE_KEY (Web Push's VAPID key: base64url of the raw 32-byte P-256
             private key; when unset one is generated once and kept sealed in the database),
             SLOTWISE_STRIPE_SECRET_KEY (sk_... or rk_...), SLOTWISE_STRIPE_WEBHOOK_SECRET (whsec_...,
             the signing secret of the endpoint /v1/payments/stripe/webhook): without them payments are off;
             SLOTWISE_STRIPE_PUBLISHABLE_KEY (pk_..., handed to the widget's Stripe.js)
)";

[[noreturn]] void usage_error(const std::string& message) {
    std::fprintf(stderr, "slotwise-server: %s\n%s", message.c_str(), kUsage);
    std::exit(2);
}

int to_int(const std::string& flag, const std::string& value) {
    try {
        std::size_t used = 0;
        const int n = std::stoi(value, &used);
        if (used == value.size() && n >= 0) return n;
    } catch (const std::exception&) {
    }
    usage_error(flag + " needs a non-negative integer");
}

std::chrono::milliseconds to_duration(const std::string& flag, const std::string& value) {
    try {
        std::size_t used = 0;
        const double seconds = std::stod(value, &used);
        if (used == value.size() && seconds > 0 && seconds <= 3600)
            return std::chrono::milliseconds(static_cast<long long>(seconds * 1000));
    } catch (const std::exception&) {
    }
    usage_error(flag + " needs a number of seconds (0 < S <= 3600)");
}

// Thousands of connections need thousands of descriptors; the soft limit is
// often 1024 while the hard limit allows far more.
void raise_descriptor_limit() {
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == limit.rlim_max) return;
    limit.rlim_cur = limit.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &limit) != 0) std::perror("slotwise-server: setrlimit(RLIMIT_NOFILE)");
}

// libpq's messages span lines; the log keeps one line per event.
std::string one_line(std::string text) {
    for (char& c : text)
        if (c == '\n' || c == '\t' || c == '\r') c = ' ';
    text.erase(std::unique(text.begin(), text.end(), [](char a, char b) { return a == ' ' && b == ' '; }), text.end());
    while (!text.empty() && text.back() == ' ') text.pop_back();
    return text;
}

// Everything that needs the database: opened, migrated, the operator token
// established, the use cases built. Retried as a whole while the database
// cannot be reached.
struct Backend {
    std::unique_ptr<Store> store;
    std::unique_ptr<domain::ServerKeys> keys;
    std::unique_ptr<BookingService> service;
    std::unique_ptr<domain::AccountService> accounts;
    std::unique_ptr<domain::PushSubscriptions> push;
    std::unique_ptr<SharedLimits> limits;
    std::optional<OperatorToken::Established> token;
    std::optional<std::string> demo_provider;
};

Backend connect(const std::string& db, std::size_t pool, const Clock& clock, const ServiceOptions& service_options,
                const LimitOptions& limit_options, const std::optional<std::string>& env_token, bool demo,
                const domain::AccountOptions& account_options, const domain::PushOptions& push_options,
                const std::optional<std::string>& server_secret) {
    Backend b;
    b.store = open_store(db, pool);
    b.store->migrate();
    b.token = OperatorToken::establish(*b.store, env_token);
    b.keys = std::make_unique<domain::ServerKeys>(domain::ServerKeys::resolve(*b.store, server_secret));
    // Before anything is queued: job payloads hold clients' data and links (jobs/job_queue.h).
    jobs::seal_payloads_with(b.keys->derive("slotwise jobs v1", "payload"));
    ServiceOptions options = service_options;
    options.manage_token_key = domain::manage_token_key(*b.keys);
    b.service = std::make_unique<BookingService>(*b.store, clock, std::move(options));
    b.accounts = std::make_unique<domain::AccountService>(*b.store, clock, *b.keys, account_options);
    b.push = std::make_unique<domain::PushSubscriptions>(*b.store, clock, *b.keys, push_options);
    // Bookings written before migration 004 get their normalised client key
    // (and hashed no-show records) here: ICU runs in C++, not in SQL.
    b.service->backfill_client_keys();
    b.limits = std::make_unique<SharedLimits>(*b.store, limit_options);
    if (demo) b.demo_provider = b.service->create_demo_provider_if_empty();
    if (b.demo_provider) b.accounts->give_demo_provider(*b.demo_provider, BookingService::kDemoProviderEmail);
    // Also a job (every 10 minutes); once more here so that a start purges at once.
    b.service->purge_expired_idempotency_keys();
    return b;
}

}  // namespace

int main(int argc, char** argv) {
    std::setvbuf(stdout, nullptr, _IOLBF, 0);  // one access-log line at a time, even into a pipe
    if (argc > 1 && std::string(argv[1]) == "backup") return backup_command(argc - 2, argv + 2);
    raise_descriptor_limit();
    std::string db = "sqlite:data/slotwise.db", listen = "127.0.0.1:8080";
    std::optional<std::string> metrics_listen;
    bool demo = false;
    HttpOptions http;
    ServiceOptions service_options;
    LimitOptions limit_options;
    domain::AccountOptions account_options;
    std::optional<std::string> public_url;
    if (const char* url = std::getenv("SLOTWISE_PUBLIC_URL"); url && *url) public_url = url;
    // SLOTWISE_SECRET: every key the server derives (domain/server_keys.h).
    std::optional<std::string> server_secret;
    if (const char* secret = std::getenv("SLOTWISE_SECRET"); secret && *secret) server_secret = secret;
    std::size_t pool = 0;
    jobs::DispatcherOptions job_options;
    jobs::StandardJobOptions standard_jobs;
    std::optional<std::string> smtp_flag, mail_from_flag, mail_dir_flag, smtp_ca_file_flag;
    adapters::HttpClientOptions outgoing;
    domain::WebhookOptions webhook_options;
    domain::CalendarOptions calendar_options;
    domain::CalendarOAuthOptions calendar_oauth_options;
    for (const auto& [name, target] : {std::pair{"SLOTWISE_GOOGLE_CLIENT_ID", &calendar_oauth_options.google_client_id},
                                       std::pair{"SLOTWISE_GOOGLE_CLIENT_SECRET", &calendar_oauth_options.google_client_secret},
                                       std::pair{"SLOTWISE_MICROSOFT_CLIENT_ID", &calendar_oauth_options.microsoft_client_id},
                                       std::pair{"SLOTWISE_MICROSOFT_CLIENT_SECRET", &calendar_oauth_options.microsoft_client_secret}})
        if (const char* v = std::getenv(name)) *target = v;
    std::string twilio_api_base = "https://api.twilio.com";
    std::string stripe_api_base = "https://api.stripe.com";
    domain::PaymentOptions payment_options;
    std::chrono::seconds payment_reconcile_every{300};
    std::chrono::seconds payment_refunds_every{10};
    std::optional<std::string> trusted_proxy_flags;  // comma-joined --trusted-proxy values
    for (int i = 1; i < argc; ++i) {
        const std::string flag = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) usage_error(flag + " needs a value");
            return argv[++i];
        };
        if (flag == "--db") db = value();
        else if (flag == "--listen") listen = value();
        else if (flag == "--web-root") http.web_root = value();
        else if (flag == "--demo") demo = true;
        else if (flag == "--threads") http.io_threads = std::max(1, to_int(flag, value()));
        else if (flag == "--workers") http.workers = std::max(1, to_int(flag, value()));
        else if (flag == "--max-queued-per-address") http.max_queued_per_address = std::max(1, to_int(flag, value()));
        else if (flag == "--db-pool") pool = std::max(1, to_int(flag, value()));
        else if (flag == "--pending-cap") service_options.pending_cap = to_int(flag, value());
        else if (flag == "--open-bookings-cap") service_options.open_bookings_cap = std::max(1, to_int(flag, value()));
        else if (flag == "--pending-expiry-minutes")
            service_options.pending_expiry = std::chrono::minutes{std::max(1, to_int(flag, value()))};
        else if (flag == "--hold-minutes")
            service_options.hold_expiry = std::chrono::minutes{std::max(1, to_int(flag, value()))};
        else if (flag == "--meeting-base-url") service_options.meeting_base_url = value();
        else if (flag == "--public-url") public_url = value();
        else if (flag == "--access-log") http.access_log = value();
        else if (flag == "--record-exchanges") http.record_exchanges = value();
        else if (flag == "--metrics-listen") metrics_listen = value();
        else if (flag == "--header-timeout") http.header_timeout = to_duration(flag, value());
        else if (flag == "--idle-timeout") http.idle_timeout = to_duration(flag, value());
        else if (flag == "--max-connections") http.max_connections = std::max(1, to_int(flag, value()));
        else if (flag == "--max-connections-per-address") http.max_connections_per_address = std::max(1, to_int(flag, value()));
        else if (flag == "--trusted-proxy") trusted_proxy_flags = (trusted_proxy_flags ? *trusted_proxy_flags + "," : "") + value();
        else if (flag == "--job-threads") job_options.threads = to_int(flag, value());
        else if (flag == "--job-poll") job_options.poll = to_duration(flag, value());
        else if (flag == "--job-lease")
            job_options.lease = std::chrono::ceil<std::chrono::seconds>(to_duration(flag, value()));
        else if (flag == "--job-lag-warning")
            job_options.lag_warning = std::chrono::ceil<std::chrono::seconds>(to_duration(flag, value()));
        else if (flag == "--job-backoff") {
            const std::string v = value();
            const auto colon = v.find(':');
            job_options.backoff_base = to_duration(flag, v.substr(0, colon));
            if (colon != std::string::npos) job_options.backoff_cap = to_duration(flag, v.substr(colon + 1));
        } else if (flag == "--enable-probe-jobs") standard_jobs.probe = true;
        else if (flag == "--smtp") smtp_flag = value();
        else if (flag == "--mail-from") mail_from_flag = value();
        else if (flag == "--mail-dir") mail_dir_flag = value();
        else if (flag == "--smtp-ca-file") smtp_ca_file_flag = value();
        else if (flag == "--allow-private-targets") outgoing.allow_private = webhook_options.allow_private_targets = true;
        else if (flag == "--webhook-retry-gaps") {
            webhook_options.retry_gaps.clear();
            const std::string v = value();
            for (std::size_t start = 0; start <= v.size();) {
                const auto comma = std::min(v.find(',', start), v.size());
                webhook_options.retry_gaps.emplace_back(std::max(1, to_int(flag, v.substr(start, comma - start))));
                start = comma + 1;
            }
        } else if (flag == "--webhook-disable-after")
            webhook_options.disable_after = std::chrono::seconds{std::max(1, to_int(flag, value()))};
        else if (flag == "--twilio-api-base") twilio_api_base = value();
        else if (flag == "--stripe-api-base") stripe_api_base = value();
        else if (flag == "--payment-reconcile-after")
            payment_options.reconcile_after = std::chrono::seconds{std::max(0, to_int(flag, value()))};
        else if (flag == "--payment-reconcile-every")
            payment_reconcile_every = std::chrono::seconds{std::max(1, to_int(flag, value()))};
        else if (flag == "--payment-hold-minutes")
            service_options.payment_hold = std::chrono::minutes{std::max(1, to_int(flag, value()))};
        else if (flag == "--payment-refunds-every")
            payment_refunds_every = std::chrono::seconds{std::max(1, to_int(flag, value()))};
        else if (flag == "--calendar-sync-every")
            calendar_options.sync_every = std::chrono::seconds{std::max(1, to_int(flag, value()))};
        else if (flag == "--calendar-sync-lease")
            calendar_options.lease = std::chrono::seconds{std::max(1, to_int(flag, value()))};
        else if (flag == "--google-oauth-base") calendar_oauth_options.google_oauth_base = value();
        else if (flag == "--google-api-base") calendar_oauth_options.google_api_base = value();
        else if (flag == "--microsoft-oauth-base") calendar_oauth_options.microsoft_oauth_base = value();
        else if (flag == "--microsoft-graph-base") calendar_oauth_options.microsoft_graph_base = value();
        else if (flag == "--calendar-push-over-http") calendar_oauth_options.push_over_http = true;
        else if (flag == "--calendar-push-ttl")
            calendar_oauth_options.push_ttl = std::chrono::seconds{std::max(2, to_int(flag, value()))};
        else if (flag == "--rate-limit") {
            const std::string v = value();
            const auto colon = v.find(':');
            limit_options.public_per_second = to_int(flag, v.substr(0, colon));
            limit_options.public_burst = colon == std::string::npos ? std::max(1.0, limit_options.public_per_second)
                                                                    : to_int(flag, v.substr(colon + 1));
        } else if (flag == "--help" || flag == "-h") {
            std::fputs(kUsage, stdout);
            return 0;
        } else usage_error("unknown option " + flag);
    }
    const auto colon = listen.rfind(':');
    if (colon == std::string::npos) usage_error("--listen needs HOST:PORT");
    http.host = listen.substr(0, colon);
    if (http.host.size() > 2 && http.host.front() == '[' && http.host.back() == ']') http.host = http.host.substr(1, http.host.size() - 2);
    http.port = to_int("--listen", listen.substr(colon + 1));
    if (metrics_listen) {
        const auto at = metrics_listen->rfind(':');
        if (at == std::string::npos || at == 0) usage_error("--metrics-listen needs HOST:PORT");
        http.metrics_host = metrics_listen->substr(0, at);
        if (http.metrics_host.size() > 2 && http.metrics_host.front() == '[' && http.metrics_host.back() == ']')
            http.metrics_host = http.metrics_host.substr(1, http.metrics_host.size() - 2);
        http.metrics_port = std::max(0, to_int("--metrics-listen", metrics_listen->substr(at + 1)));
    }
    // One per thread that may run a request's database work at once.
    if (pool == 0) pool = http.worker_threads();
    {
        const char* env_proxies = std::getenv("SLOTWISE_TRUSTED_PROXIES");
        const std::string proxies = trusted_proxy_flags ? *trusted_proxy_flags : env_proxies ? env_proxies : "";
        std::string bad;
        const auto ranges = http::TrustedProxies::parse_list(proxies, bad);
        if (!ranges)
            usage_error((trusted_proxy_flags ? "--trusted-proxy" : "SLOTWISE_TRUSTED_PROXIES") + std::string(" needs address ranges like ") +
                        "127.0.0.1/32 or 10.0.0.0/8 (host bits zero), not '" + bad + "'");
        http.trusted_proxies = http::TrustedProxies(*ranges);
        if (!ranges->empty()) {
            std::string list;
            for (const auto& r : *ranges) list += (list.empty() ? "" : ", ") + r.network.to_string() + "/" + std::to_string(r.prefix);
            std::printf("slotwise-server: the client address is taken from X-Forwarded-For of %s\n", list.c_str());
        }
    }
    mail::MailOptions mail_options;
    try {
        // Mail written as files sits with the data it is about.
        std::string default_mail_dir = "data/mail";
        if (db.rfind("sqlite:", 0) == 0)
            default_mail_dir = (std::filesystem::path(db.substr(7)).parent_path() / "mail").string();
        mail_options = mail::resolve_mail_options(smtp_flag, mail_from_flag, mail_dir_flag, smtp_ca_file_flag, default_mail_dir);
    } catch (const mail::MailConfigError& e) {
        usage_error(e.what());
    }
    const mail::MailLog mail_log = [](const std::string& line) { std::printf("slotwise-server: %s\n", line.c_str()); };
    const auto mail_sender = mail::make_mail_sender(mail_options, mail_log);
    std::unique_ptr<adapters::TwilioClient> twilio;
    try {
        twilio = notifications::sms_client_from_environment(twilio_api_base, mail_log);
    } catch (const std::invalid_argument& e) {
        usage_error(e.what());
    }
    // Stripe: the client for the booking flow's calls, and the webhook's secret.
    std::unique_ptr<adapters::StripeClient> stripe;
    {
        std::string problem;
        if (auto options = adapters::stripe_options_from_environment(stripe_api_base, problem)) {
            options->http = outgoing;
            stripe = std::make_unique<adapters::StripeClient>(std::move(*options));
            std::printf("slotwise-server: payments through %s\n", stripe->describe().c_str());
        }
        if (!problem.empty()) std::fprintf(stderr, "slotwise-server: %s\n", problem.c_str());
    }
    if (const char* secret = std::getenv("SLOTWISE_STRIPE_WEBHOOK_SECRET"); secret && *secret) payment_options.webhook_secret = secret;
    if (server_secret && server_secret->size() < 32) usage_error("SLOTWISE_SECRET must be at least 32 characters");
    domain::PushOptions push_options;
    push_options.allow_private_targets = outgoing.allow_private;
    if (const char* key = std::getenv("SLOTWISE_VAPID_PRIVATE_KEY"); key && *key) {
        try {
            const auto raw = adapters::base64url_decode(key);
            adapters::P256Key::from_private(raw ? *raw : std::string());
        } catch (const std::invalid_argument&) {
            usage_error("SLOTWISE_VAPID_PRIVATE_KEY must be base64url of a raw 32-byte P-256 private key");
        }
        push_options.vapid_private_key = key;
    }
    if (public_url) {
        while (!public_url->empty() && public_url->back() == '/') public_url->pop_back();
        if (public_url->rfind("http://", 0) != 0 && public_url->rfind("https://", 0) != 0)
            usage_error("--public-url needs an http:// or https:// origin");
    }

    // Signals go to one thread that asks the server to stop; workers never see them.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    std::signal(SIGPIPE, SIG_IGN);

    std::optional<slotwise::Timestamp> start_clock;
    if (const char* now = std::getenv("SLOTWISE_NOW"); now && *now) {
        const auto instant = slotwise::parse_instant(now);
        if (!instant) usage_error("SLOTWISE_NOW must be an instant like 2026-12-01T08:00:00Z");
        start_clock = *instant;
    }
    const Clock clock(start_clock);
    std::optional<std::string> env_token;
    if (const char* token = std::getenv("SLOTWISE_ADMIN_TOKEN"); token && *token) {
        env_token = token;
        if (!OperatorToken::well_formed(*env_token)) usage_error("SLOTWISE_ADMIN_TOKEN must be 24..256 visible ASCII characters");
    }
    try {
        if (db.rfind("sqlite:", 0) == 0) {
            const std::filesystem::path parent = std::filesystem::path(db.substr(7)).parent_path();
            if (!parent.empty()) std::filesystem::create_directories(parent);
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "slotwise-server: %s\n", e.what());
        return 1;
    }

    std::unique_ptr<HttpApi> api_holder;
    try {
        api_holder = std::make_unique<HttpApi>(http);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "slotwise-server: %s\n", e.what());
        return 1;
    }
    HttpApi& api = *api_holder;
    if (!api.bind()) return 1;
    std::thread server([&api] { api.serve(); });  // answers 503 until the database is there

    std::mutex mutex;
    std::condition_variable wake;
    bool stopping = false;
    std::atomic<int> exit_code{0};
    std::thread signal_thread([&] {
        int sig = 0;
        sigwait(&signals, &sig);
        {
            std::lock_guard<std::mutex> lock(mutex);
            stopping = true;
        }
        wake.notify_all();
        api.stop();
    });

    const std::string host = http.host.find(':') != std::string::npos ? "[" + http.host + "]" : http.host;
    const std::string url = "http://" + host + ":" + std::to_string(api.port());
    account_options.public_origin = public_url.value_or(url);
    Backend backend;
    // Durable jobs (src/jobs/): started once the database is ready, stopped
    // before the backend they use goes.
    std::unique_ptr<jobs::JobQueue> job_queue;
    std::unique_ptr<jobs::Dispatcher> dispatcher;
    std::unique_ptr<notifications::ActionLinkDesk> action_links;
    std::unique_ptr<notifications::EventFanOut> fan_out;
    std::unique_ptr<domain::WebhookService> webhooks;
    std::unique_ptr<domain::PaymentService> payments;
    std::unique_ptr<domain::StripeAccounts> stripe_accounts;
    std::unique_ptr<domain::ProviderStripe> provider_stripe;
    std::unique_ptr<domain::PaymentFlow> payment_flow;
    std::unique_ptr<domain::CalendarService> calendars;
    std::unique_ptr<domain::ProviderViews> provider_views;
    std::unique_ptr<domain::CalendarOAuth> calendar_oauth;
    bool announced = false;
    auto announce = [&] {
        if (announced) return;
        announced = true;
        std::printf("slotwise-server: %zu I/O threads, %zu workers (+%zu for newcomers), listen backlog %d (%s), at most %zu connections\n",
                    http.io_threads ? http.io_threads : std::max(1u, std::thread::hardware_concurrency()), http.workers,
                    http.worker_threads() - http.workers,
                    api.backlog(), api.backlog_source().c_str(), api.max_connections());
        std::printf("slotwise-server: listening on %s\n", url.c_str());
        if (api.metrics_port() >= 0)
            std::printf("slotwise-server: metrics on http://%s:%d/metrics\n",
                        http.metrics_host.find(':') != std::string::npos ? ("[" + http.metrics_host + "]").c_str()
                                                                          : http.metrics_host.c_str(),
                        api.metrics_port());
        std::fflush(stdout);
    };
    // The first attempt runs before the URL is announced, so that a client
    // that waits for it finds the database ready in the usual case; after a
    // failed attempt the URL is announced at once and /healthz says 503.
    std::thread database([&] {
        auto delay = std::chrono::milliseconds(250);
        for (int attempt = 1;; ++attempt) {
            try {
                backend = connect(db, pool, clock, service_options, limit_options, env_token, demo, account_options, push_options,
                                  server_secret);
                break;
            } catch (const StoreError& e) {
                announce();
                std::fprintf(stderr, "slotwise-server: waiting for the database (attempt %d, retrying in %.2f s): %s\n",
                             attempt, std::chrono::duration<double>(delay).count(), one_line(e.what()).c_str());
            } catch (const std::exception& e) {
                std::fprintf(stderr, "slotwise-server: %s\n", e.what());
                exit_code = 1;
                api.stop();
                return;
            }
            std::unique_lock<std::mutex> lock(mutex);
            if (wake.wait_for(lock, delay, [&] { return stopping; })) return;
            delay = std::min<std::chrono::milliseconds>(delay * 2, std::chrono::seconds(5));
        }
        // Printed once, on creation, and never into the access log.
        if (backend.token->generated)
            std::fprintf(stderr, "slotwise-server: admin token (SLOTWISE_ADMIN_TOKEN was unset; generated now and stored as a hash): %s\n",
                         backend.token->generated->c_str());
        webhooks = std::make_unique<domain::WebhookService>(
            *backend.store, clock, backend.keys->derive("slotwise webhooks v1", "endpoint secret"), webhook_options);
        api.serve_webhooks(*webhooks);
        {
            // Whose Stripe account takes each provider's payments (domain/stripe_accounts.h).
            adapters::StripeOptions base = stripe ? stripe->options() : adapters::StripeOptions{};
            if (!stripe) {
                base.api_base = stripe_api_base;
                base.http = outgoing;
            }
            const char* publishable = std::getenv("SLOTWISE_STRIPE_PUBLISHABLE_KEY");
            stripe_accounts = std::make_unique<domain::StripeAccounts>(
                *backend.store, std::move(base), publishable ? publishable : "", payment_options.webhook_secret,
                backend.keys->derive(domain::kStripeKeysSalt, domain::kStripeKeysInfo));
            // Providers enter their own keys even when the operator has none.
            provider_stripe = std::make_unique<domain::ProviderStripe>(
                *backend.store, clock, *stripe_accounts, backend.keys->derive(domain::kStripeKeysSalt, domain::kStripeKeysInfo),
                account_options.public_origin + "/v1/payments/stripe/webhook");
            api.serve_provider_stripe(*provider_stripe);
        }
        // The paid booking flow: HELD bookings and their PaymentIntents (domain/payment_flow.h).
        payment_flow = std::make_unique<domain::PaymentFlow>(*backend.store, clock, *stripe_accounts);
        backend.service->take_payments_through(*payment_flow);
        // Always there: a provider's own webhook secret may arrive at any
        // time; the route answers 404 while no secret at all is set.
        payments = std::make_unique<domain::PaymentService>(*backend.store, clock, payment_options);
        payments->use_accounts(*stripe_accounts);
        payments->settle_payments_with([&service = *backend.service](Session& s, const std::string& booking_id,
                                                                      std::int64_t amount_received, slotwise::Timestamp now) {
            return service.settle_payment(s, booking_id, amount_received, now);
        });
        api.serve_payments(*payments);
        calendar_options.public_origin = account_options.public_origin;
        calendar_oauth_options.public_origin = account_options.public_origin;
        // The same key as calendar sync's: both seal and open a connection's credentials.
        calendar_oauth = std::make_unique<domain::CalendarOAuth>(
            *backend.store, clock, backend.keys->derive("slotwise calendars v1", "connection credentials"),
            backend.keys->derive("slotwise calendar oauth v1", "states and push secrets"), calendar_oauth_options);
        calendars = std::make_unique<domain::CalendarService>(
            *backend.store, clock, backend.keys->derive("slotwise calendars v1", "connection credentials"),
            calendar_oauth->client_factory([outgoing, &clock, calendar_options](const records::CalendarConnection& c,
                                                                               const nlohmann::json& credentials) {
                // Sync's own window on the server's clock, for servers that only answer time-range queries.
                const auto today = date::floor<date::days>(clock.now());
                return adapters::make_calendar_client(
                    c.kind, c.url, credentials, outgoing,
                    std::make_pair(slotwise::Instant{today - date::days{calendar_options.window_days_before}},
                                   slotwise::Instant{today + date::days{calendar_options.window_days_after}}));
            }),
            domain::default_ics_expander(), calendar_options);
        calendars->set_oauth_connector([&calendar_oauth](const domain::Actor& actor, const std::string& provider_id,
                                                         const nlohmann::json& request) {
            return calendar_oauth->start(actor, provider_id, request);
        });
        calendars->set_disconnect_hook([&calendar_oauth](const records::CalendarConnection& c, const nlohmann::json& credentials) {
            calendar_oauth->disconnected(c, credentials);
        });
        api.serve_calendars(*calendars);
        api.serve_calendar_oauth(*calendar_oauth);
        notifications::configure_action_links(
            backend.keys->derive(notifications::kActionLinkSalt, notifications::kActionLinkInfo));
        action_links = std::make_unique<notifications::ActionLinkDesk>(*backend.store, clock, *backend.service);
        api.serve_action_links(*action_links);
        api.set_push_subscriptions(*backend.push);
        provider_views = std::make_unique<domain::ProviderViews>(*backend.store, clock);
        api.serve_provider_views(*provider_views);
        api.serve_metrics([&backend, &clock] { return metrics::scrape(*backend.store, clock.now()); });
        api.ready(*backend.service, *backend.accounts, *backend.limits, backend.token->token);
        std::printf("slotwise-server: database %s (%s)\n", backend.store->backend().c_str(),
                    db.rfind("sqlite:", 0) == 0 ? db.c_str() : "postgres");
        if (backend.demo_provider) std::printf("slotwise-server: created demo provider '%s'\n", backend.demo_provider->c_str());
        if (demo) {
            std::printf("slotwise-server: demo page %s/  (snapshot: %s/v1/providers/demo/snapshot)\n", url.c_str(), url.c_str());
            std::printf("slotwise-server: dashboard %s/app/  (sign in as %s, or any address for a practice of your own; "
                        "without --smtp the code arrives as a .eml file in the mail folder)\n",
                        url.c_str(), BookingService::kDemoProviderEmail);
        }
        announce();
        std::printf("slotwise-server: database ready\n");
        std::fflush(stdout);
        // Housekeeping (expiries, purges) is jobs now (jobs/standard_jobs.cpp).
        std::lock_guard<std::mutex> lock(mutex);
        if (stopping) return;
        job_queue = std::make_unique<jobs::JobQueue>(*backend.store, [&clock] { return clock.now(); });
        dispatcher = std::make_unique<jobs::Dispatcher>(*job_queue, job_options);
        jobs::register_standard_jobs(*dispatcher, *job_queue, *backend.service, *backend.limits, standard_jobs);
        mail::register_mail_jobs(*dispatcher, *mail_sender, mail_options.from, mail_log);
        std::printf("slotwise-server: mail: %s, from %s\n", mail_sender->describe().c_str(), mail_options.from.address.c_str());
        backend.accounts->set_job_queue(job_queue.get());
        dispatcher->every("accounts.purge", std::chrono::hours{1}, [&accounts = *backend.accounts] { accounts.purge_expired(); });
        dispatcher->handle(domain::kPaymentCancelJob,
                           [&flow = *payment_flow](const jobs::Job& job) { return flow.cancel_intent(job); });
        // A lost Stripe webhook must not leave a payment open: ask Stripe itself.
        // Each payment through its provider's account (own keys or the operator's).
        if (payments)
            dispatcher->every("payments.reconcile", payment_reconcile_every, [&payments = *payments] {
                const auto report = payments.reconcile();
                if (report.changed || report.failed)
                    std::printf("slotwise-server: payments reconciled: %d asked, %d changed, %d failed\n", report.asked, report.changed,
                                report.failed);
            });
        // Each refund through the account that took the payment (a provider's own keys, else the operator's).
        if (payments)
            dispatcher->every("payments.refunds", payment_refunds_every, [&payments = *payments] {
                const auto report = payments.send_requested_refunds();
                if (report.failed)
                    std::printf("slotwise-server: refunds: %d sent, %d to try again\n", report.changed, report.failed);
            });
        backend.service->notify_jobs_through(*job_queue);
        // Booking events become mails, texts, pushes, webhooks and reminders
        // (notifications/): each channel adds itself to the fan-out.
        fan_out = std::make_unique<notifications::EventFanOut>(*job_queue);
        fan_out->register_handler(*dispatcher);
        webhooks->set_job_queue(job_queue.get());
        notifications::register_webhook_channel(*fan_out, *dispatcher, *job_queue, *webhooks, outgoing);
        notifications::register_mail_channel(
            *fan_out, {account_options.public_origin, mail_options.from.address,
                       domain::manage_token_key(*backend.keys)});
        notifications::register_reminder_channel(
            *fan_out, *dispatcher, *job_queue,
            {account_options.public_origin, domain::manage_token_key(*backend.keys)});
        notifications::register_sms_channel(*fan_out, *dispatcher, twilio.get(), [&clock] { return clock.now(); }, mail_log);
        // VAPID's `sub`: who the push service may contact about our pushes.
        notifications::register_push_channel(
            *fan_out, *dispatcher, *job_queue, *backend.push,
            {mail_from_flag || !public_url ? "mailto:" + mail_options.from.address : *public_url, outgoing.allow_private});
        calendars->set_job_queue(job_queue.get());
        calendar_oauth->set_job_queue(job_queue.get());
        notifications::register_calendar_channel(*fan_out, *dispatcher, *calendars, calendar_options.sync_every);
        if (outgoing.allow_private)
            std::printf("slotwise-server: outgoing HTTP may reach loopback and private addresses (--allow-private-targets)\n");
        dispatcher->start();
        std::printf("slotwise-server: jobs: %d threads in process %s\n", job_options.threads,
                    dispatcher->process_id().c_str());
        std::fflush(stdout);
    });

    server.join();  // returns once stopped and in-flight requests are done
    {
        std::lock_guard<std::mutex> lock(mutex);
        stopping = true;
    }
    wake.notify_all();
    database.join();
    if (dispatcher) dispatcher->stop();
    // If the server stopped for another reason, release the signal thread.
    pthread_kill(signal_thread.native_handle(), SIGTERM);
    signal_thread.join();
    std::printf("slotwise-server: stopped\n");
    return exit_code;
}
