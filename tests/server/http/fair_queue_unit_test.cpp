#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "http/fair_queue.h"

#include <poll.h>

using slotwise::server::http::FairWorkQueue;

namespace {

// Jobs that hold their worker until released, and say who started.
class Gate {
public:
    FairWorkQueue::Job job(const std::string& name) {
        return [this, name] {
            std::unique_lock<std::mutex> lock(mutex_);
            started_.push_back(name);
            changed_.notify_all();
            changed_.wait(lock, [this] { return open_; });
        };
    }
    void open() {
        std::lock_guard<std::mutex> lock(mutex_);
        open_ = true;
        changed_.notify_all();
    }
    bool wait_started(std::size_t count) {
        std::unique_lock<std::mutex> lock(mutex_);
        return changed_.wait_for(lock, std::chrono::seconds(5), [&] { return started_.size() >= count; });
    }
    std::vector<std::string> started() {
        std::lock_guard<std::mutex> lock(mutex_);
        return started_;
    }

private:
    std::mutex mutex_;
    std::condition_variable changed_;
    std::vector<std::string> started_;
    bool open_ = false;
};

}  // namespace

// Readable now, without waiting.
static bool raised(int fd) {
    pollfd descriptor{fd, POLLIN, 0};
    return ::poll(&descriptor, 1, 0) > 0;
}

TEST_CASE("a worker waiting on its connection is told to give its place up when a job could not start otherwise") {
    Gate gate;
    FairWorkQueue queue(8, 100, 100);  // 8 workers: 2 kept for addresses with nothing running
    CHECK_FALSE(queue.others_waiting());

    // Six running: the two free workers are the newcomers' only.
    for (int i = 0; i < 6; ++i) REQUIRE(queue.submit("10.0.0.1", gate.job("a")) == FairWorkQueue::Admission::accepted);
    REQUIRE(gate.wait_started(6));
    CHECK_FALSE(queue.others_waiting());

    // A newcomer starts on a sleeping worker: the waiting one is not disturbed.
    // (A worker thread not yet asleep would count as taken.)
    for (int i = 0; i < 500 && queue.sleeping() < 2; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    REQUIRE(queue.sleeping() == 2);
    const int wait = queue.begin_connection_wait();
    REQUIRE(wait >= 0);
    REQUIRE(queue.submit("10.0.0.2", gate.job("b")) == FairWorkQueue::Admission::accepted);
    REQUIRE(gate.wait_started(7));
    CHECK_FALSE(raised(wait));

    // The busy address's next request cannot start: the waiting worker is told.
    REQUIRE(queue.submit("10.0.0.1", gate.job("a")) == FairWorkQueue::Admission::accepted);
    CHECK(queue.others_waiting());
    CHECK(raised(wait));
    queue.end_connection_wait(wait);
    CHECK_FALSE(raised(wait));

    // While a job waits, no worker starts waiting on a connection.
    CHECK(queue.begin_connection_wait() == -1);

    gate.open();
    REQUIRE(gate.wait_started(8));
    queue.join();
    CHECK(queue.others_waiting());  // stopping
    CHECK(queue.begin_connection_wait() == -1);
}

TEST_CASE("a newcomer's request starts at once while a busy address's requests wait") {
    Gate gate;
    FairWorkQueue queue(4, 100, 100);  // one worker kept for newcomers
    for (int i = 0; i < 6; ++i) REQUIRE(queue.submit("10.0.0.1", gate.job("busy")) == FairWorkQueue::Admission::accepted);
    REQUIRE(gate.wait_started(3));
    CHECK(queue.others_waiting());
    REQUIRE(queue.submit("10.0.0.2", gate.job("newcomer")) == FairWorkQueue::Admission::accepted);
    REQUIRE(gate.wait_started(4));
    CHECK(gate.started()[3] == "newcomer");
    gate.open();
    queue.join();
    CHECK(gate.started().size() == 7);
}

TEST_CASE("an address's cap counts its waiting and running requests") {
    Gate gate;
    FairWorkQueue queue(2, 100, 3);
    for (int i = 0; i < 3; ++i) REQUIRE(queue.submit("10.0.0.1", gate.job("a")) == FairWorkQueue::Admission::accepted);
    CHECK(queue.submit("10.0.0.1", gate.job("a")) == FairWorkQueue::Admission::address_busy);
    CHECK(queue.submit("10.0.0.2", gate.job("b")) == FairWorkQueue::Admission::accepted);
    gate.open();
    queue.join();
    CHECK(gate.started().size() == 4);
}
