// One client, however the address is spelled. Caps and lock-outs count a
// client by this key, so that `Me+1@`, fullwidth letters or a Cyrillic look-
// alike of one address do not open a second account's worth of bookings.
#pragma once

#include <string>

namespace slotwise::server {

// The address case-folded with Unicode NFKC, `+tag` removed from the local
// part, then reduced to its confusable skeleton (UTS #39, ICU's
// uspoof_getSkeleton), which maps look-alike letters of any script onto one.
// A key, not an address: skeletons are not meant for display ("m" becomes
// "rn"). Input is valid UTF-8 (request parsing checked it).
std::string client_key(const std::string& email);

}  // namespace slotwise::server
