#include "domain/client_address.h"

#include <memory>
#include <stdexcept>

#include <unicode/normalizer2.h>
#include <unicode/unistr.h>
#include <unicode/uspoof.h>

namespace slotwise::server {
namespace {

struct SpoofCloser {
    void operator()(USpoofChecker* c) const { uspoof_close(c); }
};

// A checker per thread: ICU documents the skeleton call as const, but a
// private one costs nothing and needs no such promise.
const USpoofChecker& spoof_checker() {
    thread_local std::unique_ptr<USpoofChecker, SpoofCloser> checker = [] {
        UErrorCode status = U_ZERO_ERROR;
        std::unique_ptr<USpoofChecker, SpoofCloser> c(uspoof_open(&status));
        if (U_FAILURE(status)) throw std::runtime_error(std::string("uspoof_open: ") + u_errorName(status));
        return c;
    }();
    return *checker;
}

std::string skeleton(const icu::UnicodeString& text) {
    UErrorCode status = U_ZERO_ERROR;
    icu::UnicodeString out;
    uspoof_getSkeletonUnicodeString(&spoof_checker(), 0, text, out, &status);
    if (U_FAILURE(status)) throw std::runtime_error(std::string("uspoof_getSkeleton: ") + u_errorName(status));
    std::string utf8;
    out.toUTF8String(utf8);
    return utf8;
}

}  // namespace

std::string client_key(const std::string& email) {
    UErrorCode status = U_ZERO_ERROR;
    const icu::Normalizer2* nfkc_casefold = icu::Normalizer2::getNFKCCasefoldInstance(status);
    if (U_FAILURE(status)) throw std::runtime_error(std::string("NFKC_Casefold: ") + u_errorName(status));
    icu::UnicodeString folded = nfkc_casefold->normalize(icu::UnicodeString::fromUTF8(email), status);
    if (U_FAILURE(status)) throw std::runtime_error(std::string("NFKC_Casefold: ") + u_errorName(status));
    // After NFKC a fullwidth '＠' or '＋' is the ASCII one.
    const int32_t at = folded.lastIndexOf(u'@');
    if (at > 0) {
        const int32_t plus = folded.indexOf(u'+');
        if (plus >= 0 && plus < at) folded.remove(plus, at - plus);
    }
    return skeleton(folded);
}

}  // namespace slotwise::server
