// Standard Webhooks 1.0 signatures (https://www.standardwebhooks.com/):
// secrets `whsec_` + base64 of random bytes, and the `v1,` signature of
// `id.timestamp.body` under the secret's decoded bytes. Pure: no I/O, no clock.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace slotwise::server::notifications {

// The HMAC key a secret stands for: the base64-decoded part after "whsec_";
// nullopt when the text is not such a secret.
std::optional<std::string> webhook_key(std::string_view secret);
// "v1," + base64(HMAC-SHA256(key, id + "." + timestamp + "." + body)).
std::string webhook_signature(std::string_view key, std::string_view webhook_id, std::int64_t unix_seconds,
                              std::string_view body);
// The headers of one attempt: content type, webhook-id, webhook-timestamp, webhook-signature.
std::vector<std::pair<std::string, std::string>> webhook_headers(std::string_view key, std::string_view webhook_id,
                                                                 std::int64_t unix_seconds, std::string_view body);

}  // namespace slotwise::server::notifications
