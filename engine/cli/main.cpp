// `slotwise`: the engine on the command line (shared/spec/cli.md). This file
// is the only part that does I/O; every answer comes from slotwise/protocol.h.
#include "slotwise/protocol.h"

#include <cstdio>
#include <exception>
#include <fstream>
#include <iostream>
#include <iterator>
#include <optional>
#include <sstream>
#include <string>

namespace {

constexpr const char* usage =
    "usage: slotwise slots SNAPSHOT QUERY\n"
    "       slotwise validate SNAPSHOT REQUEST\n"
    "       slotwise refund REFUND\n"
    "       slotwise batch            (JSON Lines on stdin, answers on stdout)\n"
    "A file argument may be - for standard input.\n";

// The whole file, or standard input for "-"; nullopt when it cannot be read.
std::optional<std::string> read_input(const std::string& path) {
    if (path == "-") {
        std::ostringstream text;
        text << std::cin.rdbuf();
        return std::cin.bad() ? std::nullopt : std::optional<std::string>{text.str()};
    }
    std::ifstream file(path, std::ios::binary);
    if (!file) return std::nullopt;
    std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
    if (file.bad()) return std::nullopt;
    return text;
}

int print(const slotwise::Answer& answer) {
    std::cout << answer.json << '\n' << std::flush;
    return answer.is_error ? 2 : 0;
}

int batch() {
    std::string line;
    while (std::getline(std::cin, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        std::cout << slotwise::run_line(line).json << '\n' << std::flush;
    }
    return std::cin.bad() ? 1 : 0;
}

int run(int argc, char** argv) {
    const std::string command = argc > 1 ? argv[1] : "";
    if (command == "batch" && argc == 2) return batch();
    const bool two_files = (command == "slots" || command == "validate") && argc == 4;
    const bool one_file = command == "refund" && argc == 3;
    if (!two_files && !one_file) {
        std::cerr << usage;
        return 1;
    }
    std::string inputs[2];
    for (int i = 2; i < argc; ++i) {
        auto text = read_input(argv[i]);
        if (!text) {
            std::cerr << "slotwise: cannot read " << argv[i] << '\n';
            return 1;
        }
        inputs[i - 2] = std::move(*text);
    }
    if (command == "refund") return print(slotwise::refund(inputs[0]));
    if (command == "slots") return print(slotwise::slots(inputs[0], inputs[1]));
    return print(slotwise::validate(inputs[0], inputs[1]));
}

}  // namespace

int main(int argc, char** argv) {
    std::ios::sync_with_stdio(false);
    try {
        return run(argc, argv);
    } catch (const std::exception& e) {  // out of memory: a failure of the program, not an answer
        std::cerr << "slotwise: " << e.what() << '\n';
        return 1;
    }
}
