// The SQL files of server-stub/migrations/<backend>/NNN_name.sql, embedded
// at build time (see CMakeLists.txt) so the binary carries its schema.
#pragma once

#include <string>
#include <vector>

namespace slotwise::server {

struct Migration {
    int version;
    std::string name;
    std::string sql;
};

const std::vector<Migration>& embedded_migrations(const std::string& backend);

}  // namespace slotwise::server
