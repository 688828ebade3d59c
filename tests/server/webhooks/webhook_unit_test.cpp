// Standard Webhooks signatures against the vector the specification's own
// libraries test with, secrets, and JobOutcome::retry_at in the dispatcher.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <thread>

#include "domain/webhooks.h"
#include "jobs/dispatcher.h"
#include "notifications/webhook_signing.h"
#include "support/crypto.h"

using namespace slotwise;
using namespace slotwise::server;
using namespace slotwise::server::notifications;

TEST_CASE("the signature matches the Standard Webhooks reference vector") {
    // standard-webhooks/standard-webhooks, libraries' test suites (also
    // what the npm package `standardwebhooks` signs for these inputs).
    const auto key = webhook_key("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
    REQUIRE(key);
    CHECK(webhook_signature(*key, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, R"({"test": 2432232314})") ==
          "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    // Any change to id, timestamp or body changes it.
    CHECK(webhook_signature(*key, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265331, R"({"test": 2432232314})") !=
          "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    CHECK(webhook_signature(*key, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, R"({"test": 2432232315})") !=
          "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
}

TEST_CASE("the headers of an attempt") {
    const auto key = webhook_key("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
    REQUIRE(key);
    const auto headers = webhook_headers(*key, "evt_1", 1700000000, "{}");
    REQUIRE(headers.size() == 4);
    CHECK(headers[1] == std::pair<std::string, std::string>{"webhook-id", "evt_1"});
    CHECK(headers[2] == std::pair<std::string, std::string>{"webhook-timestamp", "1700000000"});
    CHECK(headers[3].second == webhook_signature(*key, "evt_1", 1700000000, "{}"));
}

TEST_CASE("new secrets are whsec_ and base64 of 32 random bytes") {
    const std::string a = domain::new_webhook_secret(), b = domain::new_webhook_secret();
    CHECK(a.rfind("whsec_", 0) == 0);
    CHECK(a != b);
    const auto key = webhook_key(a);
    REQUIRE(key);
    CHECK(key->size() == domain::kWebhookSecretBytes);
}

TEST_CASE("malformed secrets name no key") {
    const std::string text = GENERATE(as<std::string>{}, "", "whsec_", "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whsec_abc",
                                      "whsec_!!!!", "whsk_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
    CAPTURE(text);
    CHECK_FALSE(webhook_key(text));
}

TEST_CASE("base64 round trips every length") {
    std::string bytes;
    for (int n = 0; n < 40; ++n) {
        CAPTURE(n);
        if (n > 0) CHECK(base64_decode(base64_encode(bytes)) == bytes);
        bytes.push_back(static_cast<char>(n * 37 + 200));
    }
    CHECK(base64_encode("foob") == "Zm9vYg==");
    CHECK(base64_decode("Zm9vYg==") == std::string("foob"));
}

TEST_CASE("a handler's retry_at sets the next run, counts the attempt, and goes dead after the last") {
    const auto dir = std::filesystem::temp_directory_path() / ("slotwise-retry-at-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    {
        auto store = open_store("sqlite:" + (dir / "jobs.db").string(), 2);
        store->migrate();
        const Timestamp now = timestamp_from_epoch(1'800'000'000);
        jobs::JobQueue queue(*store, [now] { return now; });
        jobs::DispatcherOptions options;
        options.threads = 1;
        options.poll = std::chrono::milliseconds(20);
        jobs::Dispatcher dispatcher(queue, options);
        std::atomic<int> runs{0};
        dispatcher.handle("test.retry_at", [&](const jobs::Job& job) {
            ++runs;
            // On the second attempt, a time in the past: due again at once.
            return jobs::JobOutcome::retry_at(job.attempt == 1 ? now + std::chrono::seconds(1234) : now - std::chrono::seconds(5),
                                              "failing on purpose");
        });
        queue.enqueue({"test.retry_at", "test.retry_at:1", nlohmann::json::object(), now, 2});
        auto s = store->session();
        auto read = [&] {
            return s->query("SELECT state, run_at, attempts, last_error FROM jobs WHERE key = 'test.retry_at:1'")[0];
        };
        dispatcher.start();
        // Until the first attempt's outcome is written (or 10 s pass).
        for (int i = 0; i < 1000 && read().get<int>("attempts") == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
        for (int i = 0; i < 1000 && read().get<std::string>("state") != "queued"; ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        {
            const auto row = read();
            CHECK(row.get<std::string>("state") == "queued");
            CHECK(row.get<std::int64_t>("run_at") == epoch_seconds(now) + 1234);
            CHECK(row.get<int>("attempts") == 1);
            CHECK(row.get<std::string>("last_error") == "failing on purpose");
        }
        // Made due now; its second (last) attempt retries again: dead.
        s->exec("UPDATE jobs SET run_at = $1 WHERE key = 'test.retry_at:1'", {epoch_seconds(now)});
        queue.notify();
        for (int i = 0; i < 1000 && read().get<std::string>("state") != "dead"; ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        dispatcher.stop();
        CHECK(runs == 2);
        CHECK(read().get<std::string>("state") == "dead");
    }
    std::filesystem::remove_all(dir);
}
