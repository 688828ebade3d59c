// Client email verification (issue 11, api.md part 2): a service with
// `verify_client_email` holds a new booking (HELD) and mails its client a
// code; POST /v1/bookings/{id}/verify with the code moves the booking on.
//
// The code is 6 digits drawn without modulo bias (random_below). It is
// stored only as an HMAC whose key is derived (HKDF) from the booking's
// manage token, which the server does not store: whoever reads the database
// cannot test codes without the token, and whoever holds the token still
// needs the mail.
// Five wrong codes release the hold.
#pragma once

#include <optional>
#include <string>

#include "domain/model.h"
#include "mail/message.h"

namespace slotwise::server {

constexpr int kMaxVerificationAttempts = 5;

struct VerificationCode {
    std::string code;       // goes into the mail, nowhere else
    std::string code_hmac;  // goes into the database
};

VerificationCode new_verification_code(const std::string& booking_id, const std::string& manage_token);
std::string verification_code_hmac(const std::string& booking_id, const std::string& manage_token,
                                   const std::string& code);

// The mail with the code, in the client's language (the widget's locale:
// English, German, French, Spanish or Arabic; English for any other) and
// with the time in the client's zone when the request named one.
mail::MailMessage verification_mail(const Booking& booking, const ProviderConfig& provider,
                                    const ServiceConfig& service, const std::string& code,
                                    const std::optional<std::string>& locale, int hold_minutes);

}  // namespace slotwise::server
