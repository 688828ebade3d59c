#include "metrics/registry.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <stdexcept>

namespace slotwise::metrics {

std::string escape_label_value(std::string_view value) {
    std::string out;
    out.reserve(value.size());
    for (char c : value) {
        if (c == '\\') out += "\\\\";
        else if (c == '"') out += "\\\"";
        else if (c == '\n') out += "\\n";
        else out += c;
    }
    return out;
}

std::string escape_help(std::string_view help) {
    std::string out;
    out.reserve(help.size());
    for (char c : help) {
        if (c == '\\') out += "\\\\";
        else if (c == '\n') out += "\\n";
        else out += c;
    }
    return out;
}

std::string format_value(double value) {
    if (std::isnan(value)) return "NaN";
    if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
    char buffer[64];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
    return std::string(buffer, result.ptr);
}

void Gauge::add(double d) noexcept {
    double seen = value_.load(std::memory_order_relaxed);
    while (!value_.compare_exchange_weak(seen, seen + d, std::memory_order_relaxed)) {
    }
}

Histogram::Histogram(const std::vector<double>& bounds)
    : bounds_(bounds), buckets_(std::make_unique<std::atomic<std::uint64_t>[]>(bounds.size() + 1)) {
    for (std::size_t i = 0; i <= bounds.size(); ++i) buckets_[i].store(0, std::memory_order_relaxed);
}

void Histogram::observe(double v) noexcept {
    // The first bound not below v: `le` is inclusive.
    const auto at = std::lower_bound(bounds_.begin(), bounds_.end(), v) - bounds_.begin();
    buckets_[static_cast<std::size_t>(at)].fetch_add(1, std::memory_order_relaxed);
    double seen = sum_.load(std::memory_order_relaxed);
    while (!sum_.compare_exchange_weak(seen, seen + v, std::memory_order_relaxed)) {
    }
}

Histogram::Snapshot Histogram::snapshot() const {
    // The count is the +Inf bucket by construction, so a scrape during
    // observations still shows _count equal to the last _bucket.
    Snapshot s;
    s.cumulative.reserve(bounds_.size() + 1);
    std::uint64_t running = 0;
    for (std::size_t i = 0; i <= bounds_.size(); ++i) {
        running += buckets_[i].load(std::memory_order_relaxed);
        s.cumulative.push_back(running);
    }
    s.sum = sum_.load(std::memory_order_relaxed);
    return s;
}

namespace {

std::uint64_t hash_values(const std::string_view* values, std::size_t count) {
    std::uint64_t h = 1469598103934665603ull;  // FNV-1a, with a separator no value can blur
    for (std::size_t i = 0; i < count; ++i) {
        for (char c : values[i]) {
            h ^= static_cast<unsigned char>(c);
            h *= 1099511628211ull;
        }
        h ^= 0xff;
        h *= 1099511628211ull;
    }
    return h;
}

bool same_values(const std::vector<std::string>& stored, const std::string_view* values, std::size_t count) {
    if (stored.size() != count) return false;
    for (std::size_t i = 0; i < count; ++i)
        if (stored[i] != values[i]) return false;
    return true;
}

const char* type_name(Type type) {
    switch (type) {
        case Type::counter: return "counter";
        case Type::gauge: return "gauge";
        case Type::histogram: return "histogram";
    }
    return "untyped";
}

}  // namespace

FamilyBase::FamilyBase(std::string name, std::string help, std::vector<std::string> label_names, Type type)
    : name_(std::move(name)),
      help_(std::move(help)),
      label_names_(std::move(label_names)),
      type_(type),
      slots_(std::make_unique<std::atomic<Node*>[]>(kCapacity)) {
    for (std::size_t i = 0; i < kCapacity; ++i) slots_[i].store(nullptr, std::memory_order_relaxed);
}

FamilyBase::~FamilyBase() {
    for (std::size_t i = 0; i < kCapacity; ++i) delete slots_[i].load(std::memory_order_relaxed);
}

FamilyBase::Node& FamilyBase::find(const std::string_view* values, std::size_t count) {
    if (count != label_names_.size())
        throw std::logic_error("metric " + name_ + " takes " + std::to_string(label_names_.size()) + " label values");
    const std::uint64_t h = hash_values(values, count);
    std::unique_ptr<Node> fresh;
    for (std::size_t probe = 0; probe < kCapacity; ++probe) {
        std::atomic<Node*>& slot = slots_[(h + probe) % kCapacity];
        Node* seen = slot.load(std::memory_order_acquire);
        if (!seen) {
            // Fill from a full table stays bounded: past 3/4 new label sets share "other".
            if (size_.load(std::memory_order_relaxed) >= kCapacity * 3 / 4) break;
            if (!fresh) {
                fresh = make_node();
                fresh->values.assign(values, values + count);
                fresh->hash = h;
            }
            if (slot.compare_exchange_strong(seen, fresh.get(), std::memory_order_acq_rel, std::memory_order_acquire)) {
                size_.fetch_add(1, std::memory_order_relaxed);
                return *fresh.release();
            }
            // Another thread filled this slot first; `seen` is what it put there.
        }
        if (seen->hash == h && same_values(seen->values, values, count)) return *seen;
    }
    std::call_once(other_once_, [&] {
        other_ = make_node();
        other_->values.assign(count, "other");
        other_made_.store(true, std::memory_order_release);
    });
    return *other_;
}

std::string FamilyBase::open_labels(const Node& node) const {
    if (label_names_.empty()) return "";
    std::string out = "{";
    for (std::size_t i = 0; i < label_names_.size(); ++i) {
        if (i) out += ',';
        out += label_names_[i];
        out += "=\"";
        out += escape_label_value(node.values[i]);
        out += '"';
    }
    return out;
}

void FamilyBase::render(std::string& out) const {
    out += "# HELP " + name_ + " " + escape_help(help_) + "\n";
    out += "# TYPE " + name_ + " " + type_name(type_) + "\n";
    std::vector<const Node*> nodes;
    for (std::size_t i = 0; i < kCapacity; ++i)
        if (const Node* n = slots_[i].load(std::memory_order_acquire)) nodes.push_back(n);
    std::sort(nodes.begin(), nodes.end(), [](const Node* a, const Node* b) { return a->values < b->values; });
    if (other_made_.load(std::memory_order_acquire)) nodes.push_back(other_.get());
    for (const Node* n : nodes) render_node(*n, open_labels(*n), out);
}

}  // namespace slotwise::metrics

namespace slotwise::metrics {

void Family<Counter>::render_node(const Node& node, const std::string& labels, std::string& out) const {
    out += name_ + (labels.empty() ? "" : labels + "}") + " " +
           std::to_string(static_cast<const CounterNode&>(node).metric.value()) + "\n";
}

void Family<Gauge>::render_node(const Node& node, const std::string& labels, std::string& out) const {
    out += name_ + (labels.empty() ? "" : labels + "}") + " " + format_value(static_cast<const GaugeNode&>(node).metric.value()) + "\n";
}

Family<Histogram>::Family(std::string name, std::string help, std::vector<std::string> label_names, std::vector<double> bounds)
    : FamilyBase(std::move(name), std::move(help), std::move(label_names), Type::histogram), bounds_(std::move(bounds)) {
    if (!std::is_sorted(bounds_.begin(), bounds_.end()) ||
        std::adjacent_find(bounds_.begin(), bounds_.end()) != bounds_.end() ||
        std::any_of(bounds_.begin(), bounds_.end(), [](double b) { return !std::isfinite(b); }))
        throw std::logic_error("histogram " + name_ + ": bounds must be finite and strictly ascending");
}

void Family<Histogram>::render_node(const Node& node, const std::string& labels, std::string& out) const {
    const auto s = static_cast<const HistogramNode&>(node).metric.snapshot();
    const std::string before_le = labels.empty() ? "{" : labels + ",";
    for (std::size_t i = 0; i <= bounds_.size(); ++i) {
        const std::string le = i < bounds_.size() ? format_value(bounds_[i]) : "+Inf";
        out += name_ + "_bucket" + before_le + "le=\"" + le + "\"} " + std::to_string(s.cumulative[i]) + "\n";
    }
    const std::string closed = labels.empty() ? "" : labels + "}";
    out += name_ + "_sum" + closed + " " + format_value(s.sum) + "\n";
    out += name_ + "_count" + closed + " " + std::to_string(s.cumulative.back()) + "\n";
}

template <class F, class... Args>
F& Registry::add(std::string name, Args&&... args) {
    std::lock_guard<std::mutex> lock(mutex_);
    for (const auto& f : families_)
        if (f->name() == name) throw std::logic_error("metric " + name + " is registered twice");
    auto family = std::make_unique<F>(std::move(name), std::forward<Args>(args)...);
    F& ref = *family;
    families_.push_back(std::move(family));
    return ref;
}

Family<Counter>& Registry::counter(std::string name, std::string help, std::vector<std::string> label_names) {
    return add<Family<Counter>>(std::move(name), std::move(help), std::move(label_names), Type::counter);
}

Family<Gauge>& Registry::gauge(std::string name, std::string help, std::vector<std::string> label_names) {
    return add<Family<Gauge>>(std::move(name), std::move(help), std::move(label_names), Type::gauge);
}

Family<Histogram>& Registry::histogram(std::string name, std::string help, std::vector<std::string> label_names,
                                       std::vector<double> bounds) {
    return add<Family<Histogram>>(std::move(name), std::move(help), std::move(label_names), std::move(bounds));
}

std::string Registry::render() const {
    std::lock_guard<std::mutex> lock(mutex_);
    std::string out;
    for (const auto& f : families_) f->render(out);
    return out;
}

}  // namespace slotwise::metrics
