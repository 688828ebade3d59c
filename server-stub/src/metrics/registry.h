// A small Prometheus client: counters, gauges and histograms with labels,
// rendered in the text exposition format 0.0.4.
//
// Request threads only ever touch atomics: a labelled child is found in a
// fixed-size open-addressing table whose slots are filled once by a
// compare-and-swap and never change afterwards, so neither a lookup nor the
// first use of a label set takes a lock. Families are registered at start-up;
// rendering (the scrape) reads the atomics as they are.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace slotwise::metrics {

// Escaping of the text format: label values escape backslash, double quote
// and line feed; HELP text escapes backslash and line feed.
std::string escape_label_value(std::string_view value);
std::string escape_help(std::string_view help);
// A sample value or bucket bound as the format spells it: +Inf, -Inf, NaN,
// else the shortest decimal that reads back as the same double.
std::string format_value(double value);

class Counter {
public:
    void inc(std::uint64_t n = 1) noexcept { value_.fetch_add(n, std::memory_order_relaxed); }
    std::uint64_t value() const noexcept { return value_.load(std::memory_order_relaxed); }

private:
    std::atomic<std::uint64_t> value_{0};
};

class Gauge {
public:
    void set(double v) noexcept { value_.store(v, std::memory_order_relaxed); }
    void add(double d) noexcept;
    double value() const noexcept { return value_.load(std::memory_order_relaxed); }

private:
    std::atomic<double> value_{0};
};

class Histogram {
public:
    // `bounds`: the upper bounds, ascending, without +Inf (it is implied).
    explicit Histogram(const std::vector<double>& bounds);
    void observe(double v) noexcept;

    struct Snapshot {
        std::vector<std::uint64_t> cumulative;  // one per bound, then +Inf (= the count)
        double sum = 0;
    };
    Snapshot snapshot() const;
    const std::vector<double>& bounds() const noexcept { return bounds_; }

private:
    const std::vector<double>& bounds_;
    std::unique_ptr<std::atomic<std::uint64_t>[]> buckets_;  // non-cumulative; the last is above every bound
    std::atomic<double> sum_{0};
};

enum class Type { counter, gauge, histogram };

// One metric name, its HELP and TYPE, and a child per label set.
class FamilyBase {
public:
    FamilyBase(std::string name, std::string help, std::vector<std::string> label_names, Type type);
    virtual ~FamilyBase();
    FamilyBase(const FamilyBase&) = delete;
    FamilyBase& operator=(const FamilyBase&) = delete;

    const std::string& name() const noexcept { return name_; }
    void render(std::string& out) const;

    // How many label sets the table holds before further ones share the
    // "other" child (label values come from code, not from requests, so
    // this is never reached in practice; it bounds memory if it were).
    static constexpr std::size_t kCapacity = 1024;

protected:
    struct Node {
        std::vector<std::string> values;
        std::uint64_t hash = 0;
        virtual ~Node() = default;
    };
    Node& find(const std::string_view* values, std::size_t count);
    virtual std::unique_ptr<Node> make_node() const = 0;
    virtual void render_node(const Node& node, const std::string& labels, std::string& out) const = 0;
    // `{a="x",b="y"` without the closing brace (so `le` can follow), or "" with no labels.
    std::string open_labels(const Node& node) const;

    std::string name_, help_;
    std::vector<std::string> label_names_;
    Type type_;

private:
    std::unique_ptr<std::atomic<Node*>[]> slots_;
    std::atomic<std::size_t> size_{0};
    std::once_flag other_once_;
    std::unique_ptr<Node> other_;  // made once, on the first label set beyond the capacity
    std::atomic<bool> other_made_{false};
};

template <class M>
class Family;

template <>
class Family<Counter> final : public FamilyBase {
public:
    using FamilyBase::FamilyBase;
    // The child of these label values (as many as the family's label names).
    Counter& with(std::initializer_list<std::string_view> values) { return static_cast<CounterNode&>(find(values.begin(), values.size())).metric; }
    Counter& with(const std::vector<std::string_view>& values) { return static_cast<CounterNode&>(find(values.data(), values.size())).metric; }

private:
    struct CounterNode : Node {
        Counter metric;
    };
    std::unique_ptr<Node> make_node() const override { return std::make_unique<CounterNode>(); }
    void render_node(const Node& node, const std::string& labels, std::string& out) const override;
};

template <>
class Family<Gauge> final : public FamilyBase {
public:
    using FamilyBase::FamilyBase;
    Gauge& with(std::initializer_list<std::string_view> values) { return static_cast<GaugeNode&>(find(values.begin(), values.size())).metric; }
    Gauge& with(const std::vector<std::string_view>& values) { return static_cast<GaugeNode&>(find(values.data(), values.size())).metric; }

private:
    struct GaugeNode : Node {
        Gauge metric;
    };
    std::unique_ptr<Node> make_node() const override { return std::make_unique<GaugeNode>(); }
    void render_node(const Node& node, const std::string& labels, std::string& out) const override;
};

template <>
class Family<Histogram> final : public FamilyBase {
public:
    Family(std::string name, std::string help, std::vector<std::string> label_names, std::vector<double> bounds);
    Histogram& with(std::initializer_list<std::string_view> values) { return static_cast<HistogramNode&>(find(values.begin(), values.size())).metric; }
    Histogram& with(const std::vector<std::string_view>& values) { return static_cast<HistogramNode&>(find(values.data(), values.size())).metric; }

private:
    struct HistogramNode : Node {
        explicit HistogramNode(const std::vector<double>& bounds) : metric(bounds) {}
        Histogram metric;
    };
    std::unique_ptr<Node> make_node() const override { return std::make_unique<HistogramNode>(bounds_); }
    void render_node(const Node& node, const std::string& labels, std::string& out) const override;
    std::vector<double> bounds_;
};

// The families of one process (or of one test), rendered in registration order.
class Registry {
public:
    // Registration is for start-up; a name registered twice is a programming error (std::logic_error).
    Family<Counter>& counter(std::string name, std::string help, std::vector<std::string> label_names = {});
    Family<Gauge>& gauge(std::string name, std::string help, std::vector<std::string> label_names = {});
    Family<Histogram>& histogram(std::string name, std::string help, std::vector<std::string> label_names,
                                 std::vector<double> bounds);

    // The exposition, text format 0.0.4 (Content-Type below).
    std::string render() const;
    static constexpr const char* kContentType = "text/plain; version=0.0.4; charset=utf-8";

private:
    template <class F, class... Args>
    F& add(std::string name, Args&&... args);

    mutable std::mutex mutex_;  // registration and rendering only; never on a request thread
    std::vector<std::unique_ptr<FamilyBase>> families_;
};

}  // namespace slotwise::metrics
