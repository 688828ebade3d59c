#include "domain/snapshot.h"

#include <algorithm>

#include <slotwise/snapshot_input.h>

namespace slotwise::server {

json engine_snapshot(const ProviderConfig& p, const std::vector<Interval>& busy) {
    json provider = {{"id", p.id}, {"time_zone", p.time_zone}, {"active", p.active}, {"name", p.name}, {"kind", p.kind}};
    if (p.bio) provider["bio"] = *p.bio;
    if (p.photo_url) provider["photo_url"] = *p.photo_url;
    if (p.address) provider["address"] = *p.address;  // the engine ignores it; visitors see where to go
    json services = json::array();
    for (const auto& s : p.services) {
        json j = {{"id", s.id},
                  {"schedule", s.schedule},
                  {"active", s.active},
                  {"durations", s.durations},
                  {"buffer_before_minutes", s.buffer_before_minutes},
                  {"buffer_after_minutes", s.buffer_after_minutes},
                  {"slot_interval_minutes", nullptr},
                  {"min_notice_minutes", s.min_notice_minutes},
                  {"max_advance_days", nullptr},
                  {"name", s.name},
                  {"price", {{"amount", s.price_amount}, {"currency", s.currency}}},
                  {"virtual", s.is_virtual},
                  {"requires_confirmation", s.requires_confirmation},
                  // The engine ignores it (engine.md: unknown keys are
                  // ignored); the widget tells the client a code will come.
                  {"verify_client_email", s.verify_client_email},
                  {"cancellation_policy", s.cancellation_policy}};
        if (s.slot_interval_minutes) j["slot_interval_minutes"] = *s.slot_interval_minutes;
        if (s.max_advance_days) j["max_advance_days"] = *s.max_advance_days;
        services.push_back(std::move(j));
    }
    json busy_json = json::array();
    for (const auto& b : busy) busy_json.push_back({{"start", format_instant(b.start)}, {"end", format_instant(b.end)}});
    return {{"provider", provider}, {"schedules", p.schedules}, {"services", services}, {"busy", busy_json}};
}

// The document's members after "busy" and "generated_at" (json objects dump
// their keys sorted), without the enclosing braces.
std::string configuration_members(const ProviderConfig& p) {
    json document = engine_snapshot(p, {});
    document.erase("busy");
    std::string text = document.dump();
    return text.substr(1, text.size() - 2);
}

std::string snapshot_document(const std::string& configuration_members, const std::vector<Interval>& busy,
                              Timestamp generated_at) {
    // Instants are plain ASCII (digits, '-', ':', 'T', 'Z'): nothing to escape.
    constexpr std::size_t kPerInterval = sizeof R"({"end":"2026-01-01T00:00:00Z","start":"2026-01-01T00:00:00Z"},)";
    std::string out;
    out.reserve(64 + busy.size() * kPerInterval + configuration_members.size());
    out += R"({"busy":[)";
    for (std::size_t i = 0; i < busy.size(); ++i) {
        if (i > 0) out += ',';
        out += R"({"end":")";
        out += format_instant(busy[i].end);
        out += R"(","start":")";
        out += format_instant(busy[i].start);
        out += R"("})";
    }
    out += R"(],"generated_at":")";
    out += format_timestamp(generated_at);
    out += R"(",)";
    out += configuration_members;
    out += '}';
    return out;
}

slotwise::Result<slotwise::Snapshot> typed_snapshot(const ProviderConfig& p) {
    // Only the schedules are stored as JSON; the engine's reader turns them
    // into typed values (its other keys are required, hence the empty ones).
    auto read = slotwise::read_snapshot_input(
        json{{"provider", {{"id", p.id}, {"time_zone", p.time_zone}}}, {"schedules", p.schedules}, {"services", json::array()}});
    if (!read) return read.error();
    slotwise::SnapshotInput input;
    input.provider = {p.id, p.time_zone, p.active};
    input.schedules = std::move(read->schedules);
    input.services.reserve(p.services.size());
    for (const auto& s : p.services) {
        slotwise::ServiceInput service;
        service.id = s.id;
        service.schedule = s.schedule;
        service.active = s.active;
        service.durations.assign(s.durations.begin(), s.durations.end());
        service.buffer_before_minutes = s.buffer_before_minutes;
        service.buffer_after_minutes = s.buffer_after_minutes;
        service.slot_interval_minutes = s.slot_interval_minutes;
        service.min_notice_minutes = s.min_notice_minutes;
        service.max_advance_days = s.max_advance_days;
        input.services.push_back(std::move(service));
    }
    return slotwise::make_snapshot(std::move(input));
}

std::vector<Interval> merge_intervals(std::vector<Interval> busy) {
    std::sort(busy.begin(), busy.end(), [](const Interval& a, const Interval& b) { return a.start < b.start; });
    std::vector<Interval> out;
    for (const auto& b : busy) {
        if (!out.empty() && b.start <= out.back().end)
            out.back().end = std::max(out.back().end, b.end);
        else
            out.push_back(b);
    }
    return out;
}

}  // namespace slotwise::server
