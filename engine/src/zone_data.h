// The compiled zone files, generated at build time by engine/zones/embed.cmake
// from the output of `zic -b slim -r` (RFC 8536 TZif files).
#pragma once

namespace slotwise::zone_data {

struct Zone {
    const char* name;
    const unsigned char* tzif;
    unsigned size;
};

struct Link {
    const char* name;
    const char* target;
};

extern const Zone zones[];
extern const unsigned zone_count;
extern const Link links[];
extern const unsigned link_count;
extern const char version[];

}  // namespace slotwise::zone_data
