#include "group_commit.h"

namespace slotwise::server {
namespace {
constexpr std::size_t kMaxBatch = 64;
}

void GroupCommit::run(const std::string& lock_key, const std::function<void(Session&)>& work) {
    Job job{&work, nullptr, false};
    std::unique_lock<std::mutex> lock(mutex_);
    queues_[lock_key].waiting.push_back(&job);
    while (!job.done) {
        Queue& queue = queues_[lock_key];
        if (queue.leader_active) {
            changed_.wait(lock);
            continue;
        }
        queue.leader_active = true;
        std::vector<Job*> batch;
        while (!queue.waiting.empty() && batch.size() < kMaxBatch) {
            batch.push_back(queue.waiting.front());
            queue.waiting.pop_front();
        }
        lock.unlock();
        run_batch(lock_key, batch);
        lock.lock();
        for (Job* j : batch) j->done = true;
        Queue& after = queues_[lock_key];
        after.leader_active = false;
        if (after.waiting.empty()) queues_.erase(lock_key);
        changed_.notify_all();
    }
    if (job.error) std::rethrow_exception(job.error);
}

void GroupCommit::run_batch(const std::string& lock_key, const std::vector<Job*>& batch) {
    try {
        auto s = store_.session();
        s->begin_locked(lock_key);
        try {
            for (Job* j : batch) {
                s->exec_script("SAVEPOINT job");
                try {
                    (*j->work)(*s);
                    s->exec_script("RELEASE SAVEPOINT job");
                } catch (...) {
                    j->error = std::current_exception();
                    s->exec_script("ROLLBACK TO SAVEPOINT job; RELEASE SAVEPOINT job");
                }
            }
            s->commit();
        } catch (...) {
            s->rollback();
            throw;
        }
    } catch (...) {
        // Nothing of the batch was committed.
        for (Job* j : batch)
            if (!j->error) j->error = std::current_exception();
    }
}

}  // namespace slotwise::server
