// cli.md: the `slotwise` command's answers, exit statuses and batch protocol.
#include "support.h"

#include <cstdio>
#include <fstream>
#include <sys/wait.h>
#include <unistd.h>

using namespace slotwise::test;

namespace {

struct Run {
    std::string out;
    int status;
};

// Runs the real binary through the shell; what the command prints on stdout and its exit status.
Run run(const std::string& args, const std::string& stdin_text = "") {
    char name[] = "/tmp/slotwise-cli-XXXXXX";
    const int fd = mkstemp(name);
    REQUIRE(fd >= 0);
    close(fd);
    const std::string input = name;
    std::ofstream(input, std::ios::binary) << stdin_text;
    const std::string command = std::string(SLOTWISE_CLI) + " " + args + " < " + input;
    FILE* pipe = popen(command.c_str(), "r");
    REQUIRE(pipe);
    std::string out;
    char buffer[4096];
    for (std::size_t n; (n = fread(buffer, 1, sizeof buffer, pipe)) > 0;) out.append(buffer, n);
    const int status = pclose(pipe);
    std::remove(input.c_str());
    return {out, WIFEXITED(status) ? WEXITSTATUS(status) : -1};
}

const std::string examples = SLOTWISE_EXAMPLES;

}  // namespace

TEST_CASE("single commands: results exit 0, error answers exit 2, unreadable files exit 1", "[cli]") {
    const Run slots = run("slots " + examples + "/snapshot.json " + examples + "/query.json");
    CHECK(slots.status == 0);
    CHECK(json::parse(slots.out)["slots"].size() == 18);
    CHECK(slots.out.back() == '\n');
    CHECK(slots.out.find(' ') == std::string::npos);

    const Run ok = run("validate " + examples + "/snapshot.json " + examples + "/request.json");
    CHECK(ok.out == "{\"ok\":true}\n");
    CHECK(ok.status == 0);

    const Run refund = run("refund -", R"({"policy":"moderate","price":5000,"start":"2026-12-21T08:00:00Z",)"
                                       R"("cancelled_at":"2026-12-19T08:00:00Z"})");
    CHECK(refund.out == "{\"refund\":2500}\n");

    const Run bad = run("slots - " + examples + "/query.json", "{\"provider\":");
    CHECK(bad.status == 2);
    CHECK(json::parse(bad.out)["error"]["code"] == "INVALID_JSON");

    const Run refused = run("validate " + examples + "/snapshot.json - ", R"({"service":"zz","start":"2026-12-21T08:00:00Z","now":"2026-11-21T10:00:00Z"})");
    CHECK(refused.out == "{\"ok\":false,\"code\":\"UNKNOWN_SERVICE\"}\n");
    CHECK(refused.status == 0);

    CHECK(run("slots /nonexistent/snapshot.json " + examples + "/query.json").status == 1);
    CHECK(run("frobnicate").status == 1);
    CHECK(run("").status == 1);
}

TEST_CASE("batch answers every line in order, bad lines included", "[cli][batch]") {
    std::ifstream snapshot_file(examples + "/snapshot.json");
    const json snapshot = json::parse(snapshot_file);
    const json query = {{"service", "s1"}, {"from", "2026-12-21"}, {"to", "2026-12-21"}, {"time_zone", "UTC"},
                        {"now", "2026-11-21T10:00:00Z"}};
    const json request = {{"service", "s1"}, {"start", "2026-12-21T08:00:00Z"}, {"now", "2026-11-21T10:00:00Z"}};
    const json refund_input = {{"policy", "flexible"}, {"price", 100}, {"start", "2026-12-21T08:00:00Z"},
                               {"cancelled_at", "2026-12-01T08:00:00Z"}};
    const std::vector<std::string> lines = {
        json{{"op", "slots"}, {"snapshot", snapshot}, {"query", query}}.dump(),
        json{{"op", "validate"}, {"snapshot", snapshot}, {"request", request}}.dump(),
        json{{"op", "refund"}, {"refund", refund_input}}.dump(),
        "",
        "{not json",
        "[1,2]",
        R"({"op":"cancel"})",
        R"({"snapshot":{}})",
        json{{"op", "slots"}, {"query", query}}.dump(),
        json{{"op", "slots"}, {"snapshot", snapshot}}.dump(),
        json{{"op", "validate"}, {"snapshot", snapshot}, {"query", query}}.dump(),
        R"({"op":"refund"})",
        json{{"op", "slots"}, {"snapshot", 7}, {"query", query}}.dump() + "\r",
    };
    std::string input;
    for (const auto& l : lines) input += l + "\n";
    const Run batch = run("batch", input);
    CHECK(batch.status == 0);

    std::vector<std::string> out;
    std::size_t start = 0;
    for (std::size_t nl; (nl = batch.out.find('\n', start)) != std::string::npos; start = nl + 1)
        out.push_back(batch.out.substr(start, nl - start));
    REQUIRE(out.size() == lines.size());
    // The first three answer exactly as the single commands would.
    CHECK(out[0] == slotwise::slots(snapshot.dump(), query.dump()).json);
    CHECK(out[1] == "{\"ok\":true}");
    CHECK(out[2] == "{\"refund\":100}");
    auto code_path = [&](std::size_t i) {
        const json e = json::parse(out[i])["error"];
        return e["code"].get<std::string>() + " " + e["path"].get<std::string>();
    };
    CHECK(code_path(3) == "INVALID_JSON ");
    CHECK(code_path(4) == "INVALID_JSON ");
    CHECK(code_path(5) == "INVALID_QUERY ");
    CHECK(code_path(6) == "INVALID_QUERY /op");
    CHECK(code_path(7) == "INVALID_QUERY /op");
    CHECK(code_path(8) == "INVALID_SNAPSHOT /snapshot");
    CHECK(code_path(9) == "INVALID_QUERY /query");
    CHECK(code_path(10) == "INVALID_QUERY /request");
    CHECK(code_path(11) == "INVALID_QUERY /refund");
    CHECK(code_path(12) == "INVALID_SNAPSHOT ");
    for (const auto& line : out) CHECK((!line.empty() && line.back() == '}'));
}
