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

// Until `count` workers sleep (a worker thread not yet asleep counts as taken).
static bool wait_sleeping(FairWorkQueue& queue, std::size_t count) {
    for (int i = 0; i < 500 && queue.sleeping() < count; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    return queue.sleeping() == count;
}

// In these tests the test thread plays a worker whose job runs for an
// address (start_here counts it as running) and then waits on its connection.
TEST_CASE("a worker waiting on its connection is told to give its place up when a job could not start otherwise") {
    Gate gate;
    FairWorkQueue queue(8, 100, 100);  // 8 for any address, 2 more threads for addresses with nothing running
    REQUIRE(queue.threads() == 10);
    CHECK_FALSE(queue.others_waiting());

    // Eight of one address running (seven on workers, one here): the free workers are the newcomers'.
    for (int i = 0; i < 7; ++i) REQUIRE(queue.submit("10.0.0.1", gate.job("a")) == FairWorkQueue::Admission::accepted);
    REQUIRE(gate.wait_started(7));
    REQUIRE(queue.start_here("10.0.0.1", 1));
    CHECK_FALSE(queue.others_waiting());
    REQUIRE(wait_sleeping(queue, 3));

    // A newcomer starts on a sleeping worker: the waiting one is not disturbed.
    const int wait = queue.begin_connection_wait("10.0.0.1");
    REQUIRE(wait >= 0);
    REQUIRE(queue.submit("10.0.0.2", gate.job("b")) == FairWorkQueue::Admission::accepted);
    REQUIRE(gate.wait_started(8));
    CHECK_FALSE(raised(wait));

    // The busy address's next request cannot start (2 workers free, both the
    // newcomers'): the waiting worker is told, and may not go on itself.
    REQUIRE(queue.submit("10.0.0.1", gate.job("a")) == FairWorkQueue::Admission::accepted);
    CHECK(queue.others_waiting());
    CHECK(raised(wait));
    CHECK_FALSE(queue.end_connection_wait(wait, "10.0.0.1"));
    CHECK_FALSE(raised(wait));

    // While a job waits, no worker starts waiting on a connection.
    CHECK(queue.begin_connection_wait("10.0.0.1") == -1);

    queue.finished_here("10.0.0.1");
    gate.open();
    REQUIRE(gate.wait_started(9));
    queue.join();
    CHECK(queue.others_waiting());  // stopping
    CHECK(queue.begin_connection_wait("10.0.0.1") == -1);
}

TEST_CASE("a worker waiting on its connection does not count as running: its address's next request starts meanwhile") {
    Gate gate;
    FairWorkQueue queue(4, 100, 100);  // 4 for any address, one more thread for newcomers
    for (int i = 0; i < 3; ++i) REQUIRE(queue.submit("10.0.0.1", gate.job("a")) == FairWorkQueue::Admission::accepted);
    REQUIRE(gate.wait_started(3));
    REQUIRE(queue.start_here("10.0.0.1", 1));
    REQUIRE(wait_sleeping(queue, 2));

    // Four running: a fifth of this address would take the newcomers' worker,
    // but the one waiting on its connection runs nothing.
    const int wait = queue.begin_connection_wait("10.0.0.1");
    REQUIRE(wait >= 0);
    REQUIRE(queue.submit("10.0.0.1", gate.job("a")) == FairWorkQueue::Admission::accepted);
    REQUIRE(gate.wait_started(4));
    CHECK_FALSE(raised(wait));
    CHECK_FALSE(queue.others_waiting());

    // Its own next request would now be the address's fifth: it goes to the queue.
    CHECK_FALSE(queue.end_connection_wait(wait, "10.0.0.1"));
    queue.finished_here("10.0.0.1");

    // With room, the waiting worker goes on with its connection.
    REQUIRE(queue.start_here("10.0.0.3", 1));
    const int second = queue.begin_connection_wait("10.0.0.3");
    REQUIRE(second >= 0);
    CHECK(queue.end_connection_wait(second, "10.0.0.3"));
    queue.finished_here("10.0.0.3");

    gate.open();
    queue.join();
    CHECK(gate.started().size() == 4);
}

TEST_CASE("a newcomer's request starts at once while a busy address's requests wait") {
    Gate gate;
    FairWorkQueue queue(4, 100, 100);  // 4 for any address, one more thread for newcomers
    for (int i = 0; i < 6; ++i) REQUIRE(queue.submit("10.0.0.1", gate.job("busy")) == FairWorkQueue::Admission::accepted);
    REQUIRE(gate.wait_started(4));
    CHECK(queue.others_waiting());
    REQUIRE(queue.submit("10.0.0.2", gate.job("newcomer")) == FairWorkQueue::Admission::accepted);
    REQUIRE(gate.wait_started(5));
    CHECK(gate.started()[4] == "newcomer");
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
