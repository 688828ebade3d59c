// Group commit for the locked insert. A booking's cost is dominated by the
// commit's flush to disk, and bookings of one provider (of all providers, in
// SQLite) are serialised by a lock anyway. So callers that arrive while a
// transaction for their lock key is running queue up, and the next of them
// (the leader) runs all queued work in one transaction holding the lock, each
// caller's work inside its own savepoint, and commits once. An idle server
// runs a caller at once, in a batch of one.
#pragma once

#include <condition_variable>
#include <deque>
#include <exception>
#include <functional>
#include <map>
#include <mutex>
#include <string>

#include "store.h"

namespace slotwise::server {

class GroupCommit {
public:
    explicit GroupCommit(Store& store) : store_(store) {}
    // As Store::write: rethrows what `work` threw; throws the commit's error
    // if the batch could not be committed.
    void run(const std::string& lock_key, const std::function<void(Session&)>& work);

private:
    struct Job {
        const std::function<void(Session&)>* work;
        std::exception_ptr error;
        bool done = false;
    };
    struct Queue {
        std::deque<Job*> waiting;
        bool leader_active = false;
    };
    void run_batch(const std::string& lock_key, const std::vector<Job*>& batch);

    Store& store_;
    std::mutex mutex_;
    std::condition_variable changed_;
    std::map<std::string, Queue> queues_;
};

}  // namespace slotwise::server
