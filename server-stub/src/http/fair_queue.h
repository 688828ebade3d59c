// The worker threads for blocking work (requests that touch the database),
// shared fairly between client addresses: each address has its own FIFO, and
// a free worker takes the next request of the address that has the fewest
// requests running, the one served longest ago first among equals. A few
// addresses with many busy connections then cannot make another client wait
// behind everything they queued: its request is the next one started, and a
// few workers beyond the `workers` that any address may use are kept for
// addresses with nothing running, so that it starts at once rather than when
// a busy request ends. (Kept out of the `workers`, not taken from them: a
// client with as many connections as workers, a proxy or a busy script,
// would otherwise queue a request on every turn.)
//
// A job that a worker would start at once anyway (nothing waiting, a worker
// free for it) may instead run on the thread that submits it (start_here):
// handing it to a worker and the answer back costs two thread switches, more
// than a short database read. Such jobs count as running like any other, so
// the caps and the order of the waiting ones are the same.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <tuple>
#include <unordered_map>
#include <vector>

namespace slotwise::server::http {

class FairWorkQueue {
public:
    using Job = std::function<void()>;
    enum class Admission { accepted, server_busy, address_busy };

    // `workers`: requests of one address running at once (threads() runs
    // that many and the newcomers' reserve); `max_total`: requests queued or
    // running in all; `max_per_address`: of one address. An address with
    // nothing queued or running is always admitted, so that the total cap
    // cannot lock out a newcomer.
    FairWorkQueue(std::size_t workers, std::size_t max_total, std::size_t max_per_address);
    // The threads a queue of `workers` runs: those and the newcomers'
    // reserve (2 from 8 workers, 1 from 4).
    static std::size_t threads_for(std::size_t workers);
    std::size_t threads() const { return thread_count_; }
    ~FairWorkQueue();
    FairWorkQueue(const FairWorkQueue&) = delete;
    FairWorkQueue& operator=(const FairWorkQueue&) = delete;

    // The job runs on a worker thread unless the answer is not `accepted`.
    Admission submit(const std::string& address, Job job);
    // True when the caller may run the address's job itself now, counted as
    // running until finished_here(address): only when it would not overtake a
    // waiting job, a worker would be free for it, and fewer than `max_here`
    // jobs run that way. False: submit() it.
    bool start_here(const std::string& address, std::size_t max_here);
    void finished_here(const std::string& address);
    // True when a job waits for a worker.
    bool others_waiting();
    // A worker whose job (running for `address`) is about to wait for its
    // connection's next request: -1 when a job waits, else a descriptor to
    // poll beside the socket, which turns readable when a job comes that no
    // sleeping worker could start (one waiting worker is told per such job),
    // so that the worker gives its place up. While it waits, the job does not
    // count as running. end_connection_wait(fd, address) after the poll
    // counts it again, and says whether the worker may go on with the
    // connection's next request as a job started now (nothing waiting, and
    // the address's share and the newcomers' reserve allow it); if not, that
    // request goes to submit().
    int begin_connection_wait(const std::string& address);
    bool end_connection_wait(int fd, const std::string& address);
    // Workers waiting for a job now.
    std::size_t sleeping();
    // Runs every job already submitted, then ends the threads.
    void join();

private:
    struct Address {
        std::deque<Job> waiting;
        std::size_t running = 0;
        std::uint64_t last_started = 0;  // 0: never
    };
    // Addresses with waiting jobs, the next to be served first.
    using ReadyKey = std::tuple<std::size_t, std::uint64_t, std::string>;
    static ReadyKey key_of(const std::string& name, const Address& a) { return {a.running, a.last_started, name}; }

    void work();
    bool may_start(std::size_t running_of_address) const;
    bool may_start_next() const;
    void finished(const std::string& address);  // with the lock held

    std::mutex mutex_;
    std::condition_variable wake_;
    std::unordered_map<std::string, Address> addresses_;  // those with jobs queued or running
    std::set<ReadyKey> ready_;
    std::size_t in_queue_ = 0;  // queued or running, all addresses
    std::uint64_t starts_ = 0;
    // Jobs running, on workers or where they were submitted; not those set
    // aside while their worker waits on a connection.
    std::size_t busy_ = 0;
    std::size_t running_here_ = 0;  // of them, jobs run where they were submitted
    std::size_t sleeping_ = 0;  // workers waiting for a job
    std::vector<int> connection_waits_;  // the eventfds of workers waiting on a connection
    std::size_t thread_count_ = 1, reserved_for_newcomers_ = 0;
    bool stopping_ = false;
    std::size_t max_total_, max_per_address_;
    std::vector<std::thread> threads_;
};

}  // namespace slotwise::server::http
