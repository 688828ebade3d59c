#include "http/fair_queue.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <utility>

namespace slotwise::server::http {

namespace {
std::size_t at_least_one(std::size_t workers) { return std::max<std::size_t>(1, workers); }
std::size_t reserve_for(std::size_t workers) { return workers >= 8 ? 2 : workers >= 4 ? 1 : 0; }
}  // namespace

std::size_t FairWorkQueue::threads_for(std::size_t workers) {
    return at_least_one(workers) + reserve_for(at_least_one(workers));
}

FairWorkQueue::FairWorkQueue(std::size_t workers, std::size_t max_total, std::size_t max_per_address)
    : max_total_(std::max<std::size_t>(1, max_total)), max_per_address_(std::max<std::size_t>(1, max_per_address)) {
    reserved_for_newcomers_ = reserve_for(at_least_one(workers));
    thread_count_ = threads_for(workers);
    threads_.reserve(thread_count_);
    for (std::size_t i = 0; i < thread_count_; ++i) threads_.emplace_back([this] { work(); });
}

FairWorkQueue::~FairWorkQueue() { join(); }

namespace {

// Each worker thread's own eventfd for its waits on a connection.
class ThreadSignal {
public:
    ThreadSignal() : fd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {}
    ~ThreadSignal() {
        if (fd_ >= 0) ::close(fd_);
    }
    ThreadSignal(const ThreadSignal&) = delete;
    ThreadSignal& operator=(const ThreadSignal&) = delete;
    int fd() const noexcept { return fd_; }

private:
    int fd_;
};

// A failed write leaves the worker to the end of its short wait.
void raise_signal(int fd) {
    const std::uint64_t one = 1;
    if (::write(fd, &one, sizeof one) < 0) return;
}
void lower_signal(int fd) {
    std::uint64_t count = 0;
    if (::read(fd, &count, sizeof count) < 0) return;
}

}  // namespace

FairWorkQueue::Admission FairWorkQueue::submit(const std::string& address, Job job) {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        auto found = addresses_.find(address);
        if (found != addresses_.end()) {
            const Address& a = found->second;
            if (a.waiting.size() + a.running >= max_per_address_) return Admission::address_busy;
            if (in_queue_ >= max_total_) return Admission::server_busy;
        } else {
            found = addresses_.try_emplace(address).first;
        }
        Address& a = found->second;
        if (a.waiting.empty()) ready_.insert(key_of(address, a));
        a.waiting.push_back(std::move(job));
        ++in_queue_;
        // A worker held by a connection waiting for its next request gives
        // its place up when this job could not start otherwise.
        if ((sleeping_ == 0 || !may_start(a.running)) && !connection_waits_.empty()) {
            raise_signal(connection_waits_.back());
            connection_waits_.pop_back();
        }
    }
    wake_.notify_one();
    return Admission::accepted;
}

// The first request of an address (none of its requests running) may always
// start; the others leave a few workers free for such newcomers. Jobs run
// where they were submitted take a worker's place: never more than
// thread_count_ jobs run at once.
bool FairWorkQueue::may_start(std::size_t running_of_address) const {
    if (busy_ >= thread_count_) return false;
    return running_of_address == 0 || thread_count_ - busy_ > reserved_for_newcomers_;
}

bool FairWorkQueue::may_start_next() const { return !ready_.empty() && may_start(std::get<0>(*ready_.begin())); }

bool FairWorkQueue::start_here(const std::string& address, std::size_t max_here) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (running_here_ >= max_here || !ready_.empty() || stopping_) return false;
    auto found = addresses_.find(address);
    const std::size_t running = found != addresses_.end() ? found->second.running : 0;
    if (running + 1 > max_per_address_ || (running > 0 && in_queue_ >= max_total_) || !may_start(running)) return false;
    if (found == addresses_.end()) found = addresses_.try_emplace(address).first;
    Address& a = found->second;
    ++a.running;
    ++busy_;
    ++in_queue_;
    ++running_here_;
    a.last_started = ++starts_;
    return true;
}

void FairWorkQueue::finished_here(const std::string& address) {
    bool wake = false;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        --running_here_;
        finished(address);
        wake = may_start_next();
    }
    // A waiting job may have been held back only because this one ran.
    if (wake) wake_.notify_one();
}

bool FairWorkQueue::others_waiting() {
    std::lock_guard<std::mutex> lock(mutex_);
    return !ready_.empty() || stopping_;
}

std::size_t FairWorkQueue::sleeping() {
    std::lock_guard<std::mutex> lock(mutex_);
    return sleeping_;
}

int FairWorkQueue::begin_connection_wait(const std::string& address) {
    thread_local ThreadSignal signal;
    if (signal.fd() < 0) return -1;
    std::lock_guard<std::mutex> lock(mutex_);
    if (!ready_.empty() || stopping_) return -1;
    connection_waits_.push_back(signal.fd());
    // Set aside: a worker waiting for a request that may never come runs
    // nothing, so the address's other requests may start meanwhile as if it
    // had finished (otherwise the newcomers' reserve would count it, and an
    // address with as many busy connections as workers would push its own
    // requests back and forth between its waiting workers).
    Address& a = addresses_.at(address);
    --a.running;
    --busy_;
    return signal.fd();
}

bool FairWorkQueue::end_connection_wait(int fd, const std::string& address) {
    std::lock_guard<std::mutex> lock(mutex_);
    const auto listed = std::find(connection_waits_.begin(), connection_waits_.end(), fd);
    if (listed != connection_waits_.end()) connection_waits_.erase(listed);
    lower_signal(fd);  // told, or not: ready for the next wait
    // Counted again as running until the job ends; going on with the
    // connection's next request is starting a job like any other.
    Address& a = addresses_.try_emplace(address).first->second;
    const bool may_go_on = ready_.empty() && !stopping_ && may_start(a.running);
    // The address's place among the ready ones depends on its running count.
    if (!a.waiting.empty()) ready_.erase(key_of(address, a));
    ++a.running;
    ++busy_;
    if (may_go_on) a.last_started = ++starts_;
    if (!a.waiting.empty()) ready_.insert(key_of(address, a));
    return may_go_on;
}

void FairWorkQueue::finished(const std::string& name) {
    Address& done = addresses_.at(name);
    if (!done.waiting.empty()) ready_.erase(key_of(name, done));
    --done.running;
    --busy_;
    --in_queue_;
    if (!done.waiting.empty()) ready_.insert(key_of(name, done));
    else if (done.running == 0) addresses_.erase(name);
}

void FairWorkQueue::work() {
    std::unique_lock<std::mutex> lock(mutex_);
    while (true) {
        ++sleeping_;
        wake_.wait(lock, [this] { return (stopping_ && ready_.empty()) || may_start_next(); });
        --sleeping_;
        if (ready_.empty()) return;  // stopping, and nothing left to run
        const std::string name = std::get<2>(*ready_.begin());
        ready_.erase(ready_.begin());
        Address& a = addresses_.at(name);
        Job job = std::move(a.waiting.front());
        a.waiting.pop_front();
        ++a.running;
        ++busy_;
        a.last_started = ++starts_;
        if (!a.waiting.empty()) ready_.insert(key_of(name, a));
        // Workers kept for newcomers sleep while stopping; the last job taken lets them end.
        if (stopping_ && ready_.empty()) wake_.notify_all();

        lock.unlock();
        job();  // the caller's jobs catch their own exceptions
        job = nullptr;  // whatever the job held goes before the next one is taken
        lock.lock();
        finished(name);
    }
}

void FairWorkQueue::join() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    for (auto& thread : threads_)
        if (thread.joinable()) thread.join();
    threads_.clear();
}

}  // namespace slotwise::server::http
