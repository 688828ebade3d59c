// Stripe's webhook signatures and the Stripe client (server-stub/src/adapters/stripe_*).
#include <catch2/catch.hpp>

#include <csignal>
#include <cstdio>
#include <fcntl.h>
#include <spawn.h>
#include <stdexcept>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "adapters/stripe_client.h"
#include "adapters/stripe_signature.h"

extern char** environ;

using namespace slotwise::server::adapters;

namespace {

// Made by Stripe's Node library (stripe 17.7.0):
// stripe.webhooks.generateTestHeaderString({payload, secret, timestamp}).
struct Vector {
    const char* payload;
    const char* secret;
    std::int64_t timestamp;
    const char* header;
};
const Vector kVectors[] = {
    {R"({"id":"evt_1","object":"event","type":"payment_intent.succeeded"})", "whsec_test_secret", 1700000000,
     "t=1700000000,v1=67da5088c63e080c71bd2bb0cb5c03d85a8fc6a21ce3aaf484df809654745b92"},
    {"{\n  \"id\": \"evt_2\",\n  \"object\": \"event\",\n  \"data\": {\n    \"object\": {\n      \"id\": \"pi_3\",\n      \"metadata\": "
     "{\n        \"name\": \"Zo\xc3\xab M\xc3\xbcller\"\n      }\n    }\n  }\n}",
     "whsec_5aF0bq8K3nR2xYv1WmC7dLh9", 1764489600,
     "t=1764489600,v1=7a5eefdfd521b0ca7b50fb29f6b53a4489e7e6824c764ec0d27a468e694e308a"},
    {"", "whsec_x", 1, "t=1,v1=f1b68d95161b3c525bccedf84eee05fc6a0f584b9d3d3f3064f734a501e707af"},
};

}  // namespace

TEST_CASE("our Stripe-Signature equals the one Stripe's library makes") {
    for (const auto& v : kVectors) {
        CHECK(stripe_signature_header(v.secret, v.timestamp, v.payload) == v.header);
        const auto check = verify_stripe_signature(v.header, v.payload, v.secret, v.timestamp + 10);
        CHECK(check.status == StripeSignatureStatus::valid);
        CHECK(check.timestamp == v.timestamp);
    }
}

TEST_CASE("a signature is refused for another secret, another body, or outside the tolerance") {
    const auto& v = kVectors[0];
    const std::string body = v.payload;
    CHECK(verify_stripe_signature(v.header, body, "whsec_other", v.timestamp).status == StripeSignatureStatus::mismatch);
    CHECK(verify_stripe_signature(v.header, body + " ", v.secret, v.timestamp).status == StripeSignatureStatus::mismatch);
    // The tolerance is 300 s both ways, inclusive.
    CHECK(verify_stripe_signature(v.header, body, v.secret, v.timestamp + 300).ok());
    CHECK(verify_stripe_signature(v.header, body, v.secret, v.timestamp + 301).status == StripeSignatureStatus::outside_tolerance);
    CHECK(verify_stripe_signature(v.header, body, v.secret, v.timestamp - 300).ok());
    CHECK(verify_stripe_signature(v.header, body, v.secret, v.timestamp - 301).status == StripeSignatureStatus::outside_tolerance);
    CHECK(verify_stripe_signature(v.header, body, v.secret, v.timestamp + 3600, 7200).ok());
    // A forged signature is a mismatch whatever its time: the clock is not revealed.
    CHECK(verify_stripe_signature("t=1,v1=00", body, v.secret, v.timestamp).status == StripeSignatureStatus::mismatch);
}

TEST_CASE("several v1 entries, a v0 entry, spaces and entry order are read as Stripe's libraries read them") {
    const auto& v = kVectors[0];
    const std::string good = std::string(v.header).substr(std::string(v.header).find("v1="));
    const std::string bad = "v1=" + std::string(64, 'a');
    const std::string t = "t=" + std::to_string(v.timestamp);
    CHECK(verify_stripe_signature(t + "," + bad + "," + good, v.payload, v.secret, v.timestamp).ok());  // a secret being rolled
    CHECK(verify_stripe_signature(good + "," + t + ",v0=" + std::string(64, 'b'), v.payload, v.secret, v.timestamp).ok());
    CHECK(verify_stripe_signature(t + ", " + good, v.payload, v.secret, v.timestamp).ok());
    // Only v1 counts: the right HMAC under another scheme name is not enough.
    CHECK(verify_stripe_signature(t + ",v0=" + good.substr(3), v.payload, v.secret, v.timestamp).status == StripeSignatureStatus::no_v1);
    CHECK(verify_stripe_signature(t + "," + good.substr(0, good.size() - 1), v.payload, v.secret, v.timestamp).status ==
          StripeSignatureStatus::mismatch);
    CHECK(verify_stripe_signature(t + "," + good.substr(0, good.size() - 1) + "A", v.payload, v.secret, v.timestamp).status ==
          StripeSignatureStatus::mismatch);  // hex is compared as sent: upper case is not Stripe's
}

TEST_CASE("malformed Stripe-Signature headers") {
    const auto& v = kVectors[0];
    const std::string good = std::string(v.header).substr(std::string(v.header).find("v1="));
    for (const std::string& header : {std::string(), std::string("garbage"), good, "t=," + good, "t=12x," + good, "t=-5," + good,
                                     "t=1,t=2," + good, "t=99999999999999999999999," + good})
        CHECK(verify_stripe_signature(header, v.payload, v.secret, v.timestamp).status == StripeSignatureStatus::malformed);
    CHECK(verify_stripe_signature("t=1700000000", v.payload, v.secret, v.timestamp).status == StripeSignatureStatus::no_v1);
}

TEST_CASE("Stripe's errors sorted into kinds") {
    auto error_of = [](int status, std::string body, std::vector<std::pair<std::string, std::string>> headers = {}) {
        HttpResponse r;
        r.status = status;
        r.body = std::move(body);
        r.headers = std::move(headers);
        r.headers.emplace_back("request-id", "req_abc");
        return read_stripe_error(r);
    };
    const auto card = error_of(402, R"({"error":{"type":"card_error","code":"card_declined","decline_code":"insufficient_funds","message":"Your card has insufficient funds."}})");
    CHECK(card.kind == StripeErrorKind::card);
    CHECK_FALSE(card.retryable());
    CHECK(card.describe() == "STRIPE_CARD card_declined: Your card has insufficient funds. (decline insufficient_funds) (request req_abc)");
    const auto missing = error_of(404, R"({"error":{"type":"invalid_request_error","code":"resource_missing","param":"intent","message":"No such payment_intent: 'pi_x'"}})");
    CHECK(missing.kind == StripeErrorKind::invalid_request);
    CHECK(missing.param == "intent");
    CHECK_FALSE(missing.retryable());
    CHECK(error_of(401, R"({"error":{"type":"invalid_request_error","message":"Invalid API Key provided: sk_test_****"}})").kind ==
          StripeErrorKind::authentication);
    CHECK(error_of(403, "{}").kind == StripeErrorKind::authentication);
    const auto limited = error_of(429, R"({"error":{"type":"invalid_request_error","code":"rate_limit","message":"Too many requests"}})");
    CHECK(limited.kind == StripeErrorKind::rate_limit);
    CHECK(limited.retryable());
    CHECK(error_of(400, R"({"error":{"type":"invalid_request_error","code":"lock_timeout","message":"x"}})").retryable());
    const auto server = error_of(500, "<html>oops</html>");
    CHECK(server.kind == StripeErrorKind::api);
    CHECK(server.retryable());
    CHECK(server.message == "<html>oops</html>");
    CHECK(error_of(409, R"({"error":{"type":"idempotency_error","message":"in progress"}})").retryable());
    const auto reused = error_of(400, R"({"error":{"type":"idempotency_error","message":"Keys for idempotent requests can only be used with the same parameters"}})");
    CHECK(reused.kind == StripeErrorKind::idempotency);
    CHECK_FALSE(reused.retryable());
    // Stripe-Should-Retry overrides the kind, both ways.
    CHECK_FALSE(error_of(500, "{}", {{"stripe-should-retry", "false"}}).retryable());
    CHECK(error_of(400, R"({"error":{"type":"invalid_request_error","message":"x"}})", {{"stripe-should-retry", "true"}}).retryable());
    HttpResponse none;
    none.error = "Couldn't connect to server";
    const auto unreachable = read_stripe_error(none);
    CHECK(unreachable.kind == StripeErrorKind::unreachable);
    CHECK(unreachable.retryable());
}

TEST_CASE("Stripe objects are read from webhook JSON") {
    const auto event = read_event(nlohmann::json::parse(R"({"id":"evt_1","object":"event","type":"payment_intent.succeeded","created":5,
        "data":{"object":{"id":"pi_1","object":"payment_intent","amount":5000,"amount_received":5000,"currency":"eur","status":"succeeded",
        "latest_charge":{"id":"ch_1","object":"charge"},"metadata":{"booking":"b_1","n":1}}}})"));
    REQUIRE(event);
    CHECK(event->type == "payment_intent.succeeded");
    const auto intent = read_payment_intent(event->object);
    REQUIRE(intent);
    CHECK(intent->latest_charge == "ch_1");  // expanded or not
    CHECK(intent->metadata.at("booking") == "b_1");
    CHECK(intent->metadata.count("n") == 0);  // Stripe's metadata values are strings; nothing else is trusted
    CHECK_FALSE(read_payment_intent(nlohmann::json::parse(R"({"id":"re_1","object":"refund"})")));
    CHECK_FALSE(read_event(nlohmann::json::parse(R"({"id":"evt_1","object":"event","type":"x","data":{}})")));
    CHECK_FALSE(read_event(nlohmann::json::parse("[1]")));
    CHECK(is_stripe_id("pi_3NabcXYZ"));
    CHECK_FALSE(is_stripe_id("pi_1/../refunds"));
    CHECK_FALSE(is_stripe_id(""));
}

namespace {

// The Stripe test server in a node process of its own, for one test case.
class StripeTestServer {
public:
    StripeTestServer() {
        int out[2];
        if (pipe(out) != 0) throw std::runtime_error("pipe");
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
        posix_spawn_file_actions_addclose(&actions, out[0]);
        std::vector<std::string> env_text;
        for (char** e = environ; *e; ++e) env_text.emplace_back(*e);
        env_text.push_back("STRIPE_TEST_SECRET_KEY=" + key);
        env_text.push_back("STRIPE_TEST_QUIET=1");
        std::vector<char*> env;
        for (auto& e : env_text) env.push_back(e.data());
        env.push_back(nullptr);
        std::string node = SLOTWISE_NODE_EXECUTABLE, script = SLOTWISE_STRIPE_TEST_SERVER, port = "0";
        char* argv[] = {node.data(), script.data(), port.data(), nullptr};
        const int rc = posix_spawn(&pid_, node.c_str(), &actions, nullptr, argv, env.data());
        posix_spawn_file_actions_destroy(&actions);
        close(out[1]);
        if (rc != 0) {
            close(out[0]);
            throw std::runtime_error("cannot start node");
        }
        // The first line is the URL.
        char c;
        while (read(out[0], &c, 1) == 1 && c != '\n') url += c;
        close(out[0]);
        if (url.rfind("http://", 0) != 0) throw std::runtime_error("the Stripe test server did not start: '" + url + "'");
    }
    ~StripeTestServer() {
        kill(pid_, SIGTERM);
        int status = 0;
        waitpid(pid_, &status, 0);
    }
    StripeTestServer(const StripeTestServer&) = delete;
    StripeTestServer& operator=(const StripeTestServer&) = delete;

    // A test control: POST /_test/...
    void control(const std::string& path) const {
        HttpRequest request;
        request.method = "POST";
        request.url = url + path;
        HttpClientOptions options;
        options.allow_private = true;
        const auto response = send_http(request, options);
        if (!response.ok()) throw std::runtime_error(path + ": HTTP " + std::to_string(response.status) + " " + response.body);
    }
    StripeClient client(std::string secret = {}) const {
        StripeOptions options;
        options.api_base = url;
        options.secret_key = secret.empty() ? key : secret;
        options.http.allow_private = true;
        options.timeout = std::chrono::milliseconds(10'000);
        return StripeClient(options);
    }

    std::string key = "sk_test_slotwise_unit_0123456789";
    std::string url;

private:
    pid_t pid_ = 0;
};

}  // namespace

TEST_CASE("the Stripe client against the Stripe test server") {
    StripeTestServer stripe;
    const auto client = stripe.client();

    SECTION("a PaymentIntent is created once per Idempotency-Key, paid and refunded in parts") {
        CreatePaymentIntent create;
        create.amount = 5000;
        create.currency = "EUR";
        create.metadata = {{"booking", "b_1"}, {"note", "Zoë & co [1]"}};
        const auto first = client.create_payment_intent(create, "slotwise-booking-b_1-intent");
        REQUIRE(first.ok());
        CHECK_FALSE(first.replayed);
        CHECK(first.value->status == "requires_payment_method");
        CHECK(first.value->currency == "eur");
        CHECK(first.value->client_secret.rfind(first.value->id + "_secret_", 0) == 0);
        CHECK(first.value->metadata.at("note") == "Zoë & co [1]");
        const auto again = client.create_payment_intent(create, "slotwise-booking-b_1-intent");
        REQUIRE(again.ok());
        CHECK(again.replayed);
        CHECK(again.value->id == first.value->id);
        create.amount = 6000;
        const auto changed = client.create_payment_intent(create, "slotwise-booking-b_1-intent");
        CHECK(changed.error.kind == StripeErrorKind::idempotency);
        CHECK_FALSE(changed.error.retryable());

        const std::string id = first.value->id;
        CreateRefund early;
        early.payment_intent = id;
        const auto too_early = client.create_refund(early, "refund-early");
        CHECK(too_early.error.kind == StripeErrorKind::invalid_request);
        CHECK(too_early.error.code == "payment_intent_unexpected_state");

        stripe.control("/_test/payment_intents/" + id + "/succeed");
        const auto paid = client.retrieve_payment_intent(id);
        REQUIRE(paid.ok());
        CHECK(paid.value->status == "succeeded");
        CHECK(paid.value->amount_received == 5000);
        CHECK(paid.value->latest_charge.rfind("ch_", 0) == 0);

        CreateRefund part;
        part.payment_intent = id;
        part.amount = 2000;
        part.metadata = {{"booking", "b_1"}};
        const auto refund = client.create_refund(part, "refund-b_1-1");
        REQUIRE(refund.ok());
        CHECK(refund.value->amount == 2000);
        CHECK(refund.value->status == "succeeded");
        CHECK(refund.value->payment_intent == id);
        const auto replayed = client.create_refund(part, "refund-b_1-1");
        REQUIRE(replayed.ok());
        CHECK(replayed.replayed);
        CHECK(replayed.value->id == refund.value->id);
        part.amount = 3001;
        const auto over = client.create_refund(part, "refund-b_1-2");
        CHECK(over.error.kind == StripeErrorKind::invalid_request);
        CHECK(over.error.code == "amount_too_large");
        CreateRefund rest;
        rest.payment_intent = id;
        const auto remainder = client.create_refund(rest, "refund-b_1-3");
        REQUIRE(remainder.ok());
        CHECK(remainder.value->amount == 3000);
        const auto none_left = client.create_refund(rest, "refund-b_1-4");
        CHECK(none_left.error.code == "charge_already_refunded");

        const auto canceled = client.cancel_payment_intent(id, "abandoned", "cancel-b_1");
        CHECK(canceled.error.code == "payment_intent_unexpected_state");
    }

    SECTION("cancel, and events listed page by page") {
        const auto since = static_cast<std::int64_t>(std::time(nullptr)) - 5;
        std::vector<std::string> ids;
        for (int i = 0; i < 3; ++i) {
            CreatePaymentIntent create;
            create.amount = 1000 + i;
            create.currency = "eur";
            const auto intent = client.create_payment_intent(create, "list-" + std::to_string(i));
            REQUIRE(intent.ok());
            ids.push_back(intent.value->id);
        }
        const auto canceled = client.cancel_payment_intent(ids[0], "abandoned", "cancel-list-0");
        REQUIRE(canceled.ok());
        CHECK(canceled.value->status == "canceled");
        CHECK(canceled.value->cancellation_reason == "abandoned");

        ListEvents list;
        list.type = "payment_intent.created";
        list.created_gte = since;
        list.limit = 2;
        const auto page1 = client.list_events(list);
        REQUIRE(page1.ok());
        CHECK(page1.value->events.size() == 2);
        CHECK(page1.value->has_more);
        list.starting_after = page1.value->events.back().id;
        const auto page2 = client.list_events(list);
        REQUIRE(page2.ok());
        REQUIRE(page2.value->events.size() == 1);
        CHECK_FALSE(page2.value->has_more);
        CHECK(read_payment_intent(page2.value->events[0].object)->id == ids[0]);  // newest first: the first made comes last
        list = {};
        list.type = "payment_intent.*";
        const auto all = client.list_events(list);
        REQUIRE(all.ok());
        CHECK(all.value->events.front().type == "payment_intent.canceled");
    }

    SECTION("errors: a wrong key, a missing intent, a refused id, a server that is gone") {
        const auto wrong = stripe.client("sk_test_wrong").retrieve_payment_intent("pi_x");
        CHECK(wrong.error.kind == StripeErrorKind::authentication);
        CHECK(wrong.error.http_status == 401);
        const auto missing = client.retrieve_payment_intent("pi_doesnotexist");
        CHECK(missing.error.kind == StripeErrorKind::invalid_request);
        CHECK(missing.error.code == "resource_missing");
        CHECK(missing.error.request_id.rfind("req_", 0) == 0);
        CHECK(client.retrieve_payment_intent("pi_1/../../v1/refunds").error.kind == StripeErrorKind::invalid_request);
        CreatePaymentIntent create;
        create.amount = 10;
        create.currency = "eur";
        CHECK(client.create_payment_intent(create, "").error.kind == StripeErrorKind::invalid_request);
        const auto small = client.create_payment_intent(create, "small");
        CHECK(small.error.code == "amount_too_small");
        StripeOptions gone;
        gone.api_base = "http://127.0.0.1:9";
        gone.secret_key = "sk_test_x";
        gone.http.allow_private = true;
        const auto unreachable = StripeClient(gone).retrieve_payment_intent("pi_x");
        CHECK(unreachable.error.kind == StripeErrorKind::unreachable);
        CHECK(unreachable.error.retryable());
    }

    SECTION("the default guard refuses a loopback api base: --allow-private-targets is needed for a local stand-in") {
        StripeOptions options = stripe.client().options();
        options.http.allow_private = false;
        const auto refused = StripeClient(options).retrieve_payment_intent("pi_x");
        CHECK(refused.error.kind == StripeErrorKind::unreachable);
    }
}

TEST_CASE("the secret key from the environment") {
    std::string problem;
    unsetenv("SLOTWISE_STRIPE_SECRET_KEY");
    CHECK_FALSE(stripe_options_from_environment("https://api.stripe.com", problem));
    CHECK(problem.empty());
    setenv("SLOTWISE_STRIPE_SECRET_KEY", "pk_test_abc", 1);
    CHECK_FALSE(stripe_options_from_environment("https://api.stripe.com", problem));
    CHECK(problem.find("publishable") != std::string::npos);
    problem.clear();
    setenv("SLOTWISE_STRIPE_SECRET_KEY", "sk_test_abc123", 1);
    const auto options = stripe_options_from_environment("https://api.stripe.com", problem);
    REQUIRE(options);
    CHECK(options->secret_key == "sk_test_abc123");
    const std::string line = StripeClient(*options).describe();
    CHECK(line.find("test mode") != std::string::npos);
    CHECK(line.find("abc123") == std::string::npos);
    unsetenv("SLOTWISE_STRIPE_SECRET_KEY");
}
