// Group commit for the locked insert. Bookings that share a write lock (one
// provider in PostgreSQL, the whole database in SQLite) are serialised by it
// anyway, and each transaction costs a flush to disk plus, in PostgreSQL,
// round trips while the lock is held. So callers that arrive while a batch for
// their queue is running wait, and the first of them to wake (the leader)
// hands every waiting job to `run_batch` at once: one transaction, one lock,
// one commit. An idle server runs a job at once, in a batch of one.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace slotwise::server {

template <class Job>
class GroupCommit {
public:
    // Runs one batch and leaves each job's outcome in the job; it must not throw.
    using RunBatch = std::function<void(const std::vector<Job*>&)>;

    explicit GroupCommit(RunBatch run_batch, std::size_t max_batch = 64)
        : run_batch_(std::move(run_batch)), max_batch_(max_batch) {}

    // Returns when the batch that took `job` has run.
    void run(const std::string& queue_name, Job& job) {
        Entry entry(&job);
        std::unique_lock<std::mutex> lock(mutex_);
        queues_[queue_name].waiting.push_back(&entry);
        while (!entry.done) {
            Queue& queue = queues_[queue_name];
            if (queue.leader_active) {
                entry.wake.wait(lock);
                continue;
            }
            queue.leader_active = true;
            std::vector<Entry*> taken;
            std::vector<Job*> batch;
            while (!queue.waiting.empty() && batch.size() < max_batch_) {
                taken.push_back(queue.waiting.front());
                batch.push_back(queue.waiting.front()->job);
                queue.waiting.pop_front();
            }
            lock.unlock();
            run_batch_(batch);
            lock.lock();
            // Each waiter sleeps on its own condition: only the batch's
            // callers and the next leader wake, not every waiting thread.
            for (Entry* e : taken) {
                e->done = true;
                if (e != &entry) e->wake.notify_one();
            }
            Queue& after = queues_[queue_name];
            after.leader_active = false;
            if (after.waiting.empty()) queues_.erase(queue_name);
            else after.waiting.front()->wake.notify_one();
        }
    }

private:
    struct Entry {
        explicit Entry(Job* j) : job(j) {}
        Job* job;
        bool done = false;
        std::condition_variable wake;
    };
    struct Queue {
        std::deque<Entry*> waiting;
        bool leader_active = false;
    };

    RunBatch run_batch_;
    std::size_t max_batch_;
    std::mutex mutex_;
    std::map<std::string, Queue> queues_;
};

}  // namespace slotwise::server
