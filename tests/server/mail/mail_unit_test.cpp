// The mail module's rules: rendering, encoded words, folding, boundaries,
// attachments, header injection, Message-ID stability, --smtp URLs, the
// .eml folder sender. check_rendering.py checks the same output with an
// independent parser.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "mail/mail_job.h"
#include "mail/mail_sender.h"

using namespace slotwise::server::mail;
using slotwise::Timestamp;
namespace jobs = slotwise::server::jobs;

namespace {

MailMessage sample(const std::string& key = "booking-42-confirmed") {
    MailMessage m;
    m.key = key;
    m.from = {"Slotwise", "noreply@example.org"};
    m.to = {{"Zoë Ångström", "zoe@example.com"}};
    m.subject = "Bestätigung: Ihr Termin";
    m.text = "Hallo Zoë,\nbis bald.\n";
    return m;
}

std::vector<std::string> lines_of(const std::string& rendered) {
    std::vector<std::string> lines;
    std::size_t start = 0;
    for (std::size_t crlf; (crlf = rendered.find("\r\n", start)) != std::string::npos; start = crlf + 2)
        lines.push_back(rendered.substr(start, crlf - start));
    if (start < rendered.size()) lines.push_back(rendered.substr(start));
    return lines;
}

// The unfolded value of the first header called `name`.
std::string header(const std::string& rendered, const std::string& name) {
    const auto lines = lines_of(rendered);
    for (std::size_t i = 0; i < lines.size() && !lines[i].empty(); ++i) {
        if (lines[i].rfind(name + ":", 0) != 0) continue;
        std::string value = lines[i].substr(name.size() + 1);
        while (i + 1 < lines.size() && !lines[i + 1].empty() && (lines[i + 1][0] == ' ' || lines[i + 1][0] == '\t'))
            value += lines[++i];
        return value.empty() ? value : value.substr(1);
    }
    return {};
}

std::string base64_decode(const std::string& text) {
    static const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    unsigned long bits = 0;
    int count = 0;
    for (const char c : text) {
        const auto index = alphabet.find(c);
        if (index == std::string::npos) continue;
        bits = (bits << 6) | index;
        count += 6;
        if (count >= 8) {
            count -= 8;
            out += static_cast<char>((bits >> count) & 0xFF);
        }
    }
    return out;
}

// RFC 2047 decoding of a header value made only of B-encoded words, or
// plain text when it holds none.
std::string decode_words(const std::string& value) {
    if (value.find("=?") == std::string::npos) return value;
    std::string out;
    std::size_t start = 0;
    for (std::size_t open; (open = value.find("=?UTF-8?B?", start)) != std::string::npos;) {
        const auto close = value.find("?=", open + 10);
        out += base64_decode(value.substr(open + 10, close - open - 10));
        start = close + 2;
    }
    return out;
}

std::string qp_decode(const std::string& text) {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '=') {
            out += text[i];
        } else if (text.compare(i + 1, 2, "\r\n") == 0) {
            i += 2;
        } else {
            out += static_cast<char>(std::stoi(text.substr(i + 1, 2), nullptr, 16));
            i += 2;
        }
    }
    return out;
}

}  // namespace

TEST_CASE("a rendered message has the RFC 5322 headers, CRLF line ends only, and no line over 78 characters") {
    MailMessage m = sample();
    m.html = "<p>Hallo</p>";
    m.attachments = {{"termin.ics", "text/calendar; method=REQUEST; charset=UTF-8", std::string(500, 'x')}};
    const std::string rendered = render_rfc5322(m, 1'796'288'400);
    CHECK(header(rendered, "Date") == "Thu, 03 Dec 2026 09:00:00 +0000");
    CHECK(header(rendered, "MIME-Version") == "1.0");
    CHECK(header(rendered, "Message-ID") == message_id(m));
    CHECK(header(rendered, "Content-Type").rfind("multipart/mixed;", 0) == 0);
    for (std::size_t i = 0; i < rendered.size(); ++i) {
        if (rendered[i] == '\n') REQUIRE((i > 0 && rendered[i - 1] == '\r'));
        if (rendered[i] == '\r') REQUIRE((i + 1 < rendered.size() && rendered[i + 1] == '\n'));
    }
    for (const auto& line : lines_of(rendered)) CHECK(line.size() <= 78);
}

TEST_CASE("subjects and names survive RFC 2047 encoding and folding") {
    const std::string text = GENERATE(as<std::string>{}, "Your booking", "Bestätigung: Ihr Termin am 3. Dezember",
                                      "予約の確認：12月3日（木）10:00〜10:30、東京オフィスにて。ご来店をお待ちしております。",
                                      "😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀",
                                      "looks like =?UTF-8?B?ZXZpbA==?= but is not", "  leading, double  and trailing ",
                                      "A plain ASCII subject that is long enough to need folding across more than one "
                                      "line of the header section, as RFC 5322 asks",
                                      "tab\tinside", "");
    MailMessage m = sample();
    m.subject = text;
    m.to[0].name = text;  // names: runs of white space become one space (checked by check_rendering.py)
    const std::string rendered = render_rfc5322(m, 0);
    CHECK(decode_words(header(rendered, "Subject")) == text);
    for (const auto& line : lines_of(rendered)) CHECK(line.size() <= 78);
    // The encoded words each decode on their own: no character is split.
    for (const auto& word : lines_of(encode_header_words(text))) CHECK(word.size() <= 75 * 8);
}

TEST_CASE("ASCII display names that need it are quoted, others stay atoms") {
    MailMessage m = sample();
    m.to = {{"Ann O'Neil", "ann@example.com"}, {"Smith, John \"JJ\"", "john@example.com"}, {"", "bare@example.com"}};
    CHECK(header(render_rfc5322(m, 0), "To") ==
          "Ann O'Neil <ann@example.com>, \"Smith, John \\\"JJ\\\"\" <john@example.com>, bare@example.com");
}

TEST_CASE("quoted-printable keeps lines within 76 characters and decodes back") {
    const std::string text = GENERATE(as<std::string>{}, std::string(300, 'a'), std::string(100, '='),
                                      "trailing space \nand tab\t\n.leading dot\n", "ÄÖÜ äöü ß € 😀 " + std::string(80, 'z'));
    const std::string encoded = quoted_printable(text);
    for (const auto& line : lines_of(encoded)) CHECK(line.size() <= 76);
    std::string want;
    for (const char c : text) want += c == '\n' ? std::string("\r\n") : std::string(1, c);
    CHECK(qp_decode(encoded) == want);
}

TEST_CASE("boundaries are deterministic per message, differ between messages, and do not occur in the parts") {
    MailMessage m = sample();
    m.html = "<p>--=_sw_ is not a boundary here</p>";
    m.attachments = {{"a.bin", "application/octet-stream", "--=_sw_" + std::string(100, '\xff')}};
    const std::string first = render_rfc5322(m, 5), again = render_rfc5322(m, 5);
    CHECK(first == again);
    const std::string boundary_line = "boundary=\"";
    const auto at = first.find(boundary_line);
    REQUIRE(at != std::string::npos);
    const std::string boundary = first.substr(at + boundary_line.size(), first.find('"', at + boundary_line.size()) - at - boundary_line.size());
    CHECK(boundary.rfind("=_", 0) == 0);
    // Every occurrence is a delimiter line or the parameter itself.
    std::size_t occurrences = 0;
    for (std::size_t p = first.find(boundary); p != std::string::npos; p = first.find(boundary, p + 1)) {
        ++occurrences;
        const bool delimiter = first.compare(p - 4, 4, "\r\n--") == 0;
        const bool parameter = first.compare(p - boundary_line.size(), boundary_line.size(), boundary_line) == 0;
        CHECK((delimiter || parameter));
    }
    CHECK(occurrences == 4);  // parameter, body, attachment, closing
    CHECK(render_rfc5322(sample("another-key"), 5).find(boundary) == std::string::npos);
}

TEST_CASE("attachments are base64 with their bytes intact; non-ASCII filenames use RFC 2231") {
    std::string bytes;
    for (int i = 0; i < 256; ++i) bytes += static_cast<char>(i);
    MailMessage m = sample();
    m.attachments = {{"Termin für Zoë.ics", "text/calendar; method=REQUEST; charset=UTF-8", bytes}};
    const std::string rendered = render_rfc5322(m, 0);
    CHECK(rendered.find("filename*0*=UTF-8''Termin%20f%C3%BCr%20Zo%C3%AB.ics") != std::string::npos);
    CHECK(rendered.find("Content-Type: text/calendar; method=REQUEST; charset=UTF-8") != std::string::npos);
    const auto start = rendered.find("\r\n\r\n", rendered.find("Content-Disposition: attachment")) + 4;
    const auto end = rendered.find("\r\n--", start);
    CHECK(base64_decode(rendered.substr(start, end - start)) == bytes);
    CHECK(base64_lines("") == "");
    CHECK(base64_lines("ab") == "YWI=");
}

TEST_CASE("CR, LF or NUL in any header input is refused, never passed on") {
    const std::string evil = GENERATE(as<std::string>{}, "x\r\nBcc: victim@example.com", "x\nBcc: victim@example.com",
                                      "x\rBcc: victim@example.com", std::string("x\0y", 3));
    const int field = GENERATE(0, 1, 2, 3, 4, 5, 6);
    MailMessage m = sample();
    m.attachments = {{"a.ics", "text/calendar", "x"}};
    switch (field) {
        case 0: m.subject = evil; break;
        case 1: m.to[0].name = evil; break;
        case 2: m.from.name = evil; break;
        case 3: m.to[0].address = "zoe@example.com" + evil; break;
        case 4: m.from.address = evil + "@example.org"; break;
        case 5: m.attachments[0].filename = evil; break;
        case 6: m.attachments[0].content_type = "text/calendar; " + evil; break;
    }
    try {
        render_rfc5322(m, 0);
        FAIL("rendered with a header holding CR, LF or NUL (field " << field << ")");
    } catch (const MailFormatError& e) {
        CHECK((e.code == "MAIL_HEADER_INVALID" || e.code == "MAIL_ADDRESS_INVALID"));
    }
}

TEST_CASE("bad messages are refused with stable codes") {
    MailMessage m = sample();
    SECTION("no recipient") {
        m.to.clear();
        CHECK_THROWS_MATCHES(render_rfc5322(m, 0), MailFormatError, Catch::Predicate<MailFormatError>([](const MailFormatError& e) { return e.code == "MAIL_NO_RECIPIENT"; }));
    }
    SECTION("no key") {
        m.key.clear();
        CHECK_THROWS_MATCHES(render_rfc5322(m, 0), MailFormatError, Catch::Predicate<MailFormatError>([](const MailFormatError& e) { return e.code == "MAIL_KEY_MISSING"; }));
    }
    SECTION("invalid UTF-8") {
        m.subject = "caf\xe9";
        CHECK_THROWS_MATCHES(render_rfc5322(m, 0), MailFormatError, Catch::Predicate<MailFormatError>([](const MailFormatError& e) { return e.code == "MAIL_NOT_UTF8"; }));
        m.subject = "ok";
        m.text = "\xc3";
        CHECK_THROWS_MATCHES(render_rfc5322(m, 0), MailFormatError, Catch::Predicate<MailFormatError>([](const MailFormatError& e) { return e.code == "MAIL_NOT_UTF8"; }));
    }
}

TEST_CASE("addresses: what is an addr-spec") {
    const auto [address, valid] = GENERATE(table<std::string, bool>({
        {"a@example.com", true}, {"first.last+tag@sub.example.co.uk", true}, {"o'neil@example.com", true},
        {"x@localhost", true}, {"", false}, {"@example.com", false}, {"a@", false}, {"a@@example.com", false},
        {".a@example.com", false}, {"a..b@example.com", false}, {"a b@example.com", false},
        {"a@exa mple.com", false}, {"a@-example.com", false}, {"a@example..com", false}, {"zoë@example.com", false},
        {"a@exämple.com", false}, {"<a@example.com>", false}, {"a@example.com,b@example.com", false},
        {std::string(65, 'a') + "@example.com", false},
    }));
    CAPTURE(address);
    if (valid) CHECK_NOTHROW(check_address(address));
    else CHECK_THROWS_AS(check_address(address), MailFormatError);
}

TEST_CASE("--mail-from takes a bare address or Name <address>") {
    CHECK(parse_mailbox("a@example.com").address == "a@example.com");
    const auto box = parse_mailbox("  \"Praxis Müller\" <praxis@example.org> ");
    CHECK(box.name == "Praxis Müller");
    CHECK(box.address == "praxis@example.org");
    CHECK_THROWS_AS(parse_mailbox("Praxis <not an address>"), MailFormatError);
}

TEST_CASE("the Message-ID is a function of the key and the sender's domain only") {
    MailMessage a = sample("booking-1-confirmed"), b = a;
    b.subject = "another subject";
    b.to = {{"", "other@example.net"}};
    b.text = "other";
    b.from.name = "Other name";
    CHECK(message_id(a) == message_id(b));
    CHECK(header(render_rfc5322(a, 1), "Message-ID") == header(render_rfc5322(b, 99999), "Message-ID"));
    CHECK(message_id(a).size() == 2 + 32 + 1 + std::string("example.org").size());
    CHECK(message_id(a).substr(33) == "@example.org>");
    b.key = "booking-1-cancelled";
    CHECK(message_id(a) != message_id(b));
    b = a;
    b.from.address = "noreply@EXAMPLE.net";
    CHECK(message_id(b).substr(33) == "@example.net>");
}

TEST_CASE("--smtp URLs") {
    using S = SmtpConfig::Security;
    const auto [url, security, host, port, user, password, curl] = GENERATE(table<std::string, S, std::string, int, std::string, std::string, std::string>({
        {"smtp://mail.example.com", S::plain, "mail.example.com", 25, "", "", "smtp://mail.example.com:25"},
        {"smtp://127.0.0.1:2525/", S::plain, "127.0.0.1", 2525, "", "", "smtp://127.0.0.1:2525"},
        {"smtp+starttls://u:p@mail.example.com", S::starttls, "mail.example.com", 587, "u", "p", "smtp://mail.example.com:587"},
        {"smtp+starttls://me%40example.com:p%40ss%3Aw%2Frd@h:2587", S::starttls, "h", 2587, "me@example.com", "p@ss:w/rd", "smtp://h:2587"},
        {"smtps://u:p@[::1]:4465", S::implicit_tls, "::1", 4465, "u", "p", "smtps://[::1]:4465"},
        {"smtps://relay.example.com", S::implicit_tls, "relay.example.com", 465, "", "", "smtps://relay.example.com:465"},
    }));
    CAPTURE(url);
    const SmtpConfig config = parse_smtp_url(url);
    CHECK(config.security == security);
    CHECK(config.host == host);
    CHECK(config.port == port);
    CHECK(config.username == user);
    CHECK(config.password == password);
    CHECK(config.curl_url() == curl);
    if (!password.empty()) CHECK(config.redacted().find(":" + password + "@") == std::string::npos);
}

TEST_CASE("bad --smtp URLs are clear startup errors") {
    const std::string url = GENERATE(as<std::string>{}, "", "mail.example.com", "http://mail.example.com",
                                     "smtp://", "smtp://u:p@mail.example.com", "smtp://host:0", "smtp://host:65536",
                                     "smtp://host:25x", "smtp://host:", "smtp://host/path", "smtp://host?x=1",
                                     "smtps://u:%zz@host", "smtps://:p@host", "smtps://[::1", "smtp://ho st",
                                     "smtps://u:a%0d%0aRSET@host");
    CAPTURE(url);
    CHECK_THROWS_AS(parse_smtp_url(url), MailConfigError);
}

TEST_CASE("mail options: flags over environment, and the CA file only with TLS") {
    ::unsetenv("SLOTWISE_SMTP_URL");
    ::unsetenv("SLOTWISE_MAIL_FROM");
    ::unsetenv("SLOTWISE_SMTP_CA_FILE");
    auto options = resolve_mail_options({}, {}, {}, {}, "data/mail");
    CHECK(!options.smtp);
    CHECK(options.mail_dir == "data/mail");
    ::setenv("SLOTWISE_SMTP_URL", "smtps://u:p@env.example.com", 1);
    ::setenv("SLOTWISE_MAIL_FROM", "Env <env@example.com>", 1);
    options = resolve_mail_options({}, {}, std::string("/tmp/m"), std::string("/tmp/ca.pem"), "data/mail");
    REQUIRE(options.smtp);
    CHECK(options.smtp->host == "env.example.com");
    CHECK(options.smtp->ca_file == "/tmp/ca.pem");
    CHECK(options.from.address == "env@example.com");
    CHECK(options.mail_dir == "/tmp/m");
    options = resolve_mail_options(std::string("smtp://flag.example.com"), std::string("flag@example.com"), {}, {}, "d");
    CHECK(options.smtp->host == "flag.example.com");
    CHECK(options.from.address == "flag@example.com");
    CHECK_THROWS_AS(resolve_mail_options(std::string("smtp://h"), {}, {}, std::string("/ca.pem"), "d"), MailConfigError);
    CHECK_THROWS_AS(resolve_mail_options({}, std::string("not an address"), {}, {}, "d"), MailConfigError);
    ::unsetenv("SLOTWISE_SMTP_URL");
    ::unsetenv("SLOTWISE_MAIL_FROM");
    CHECK_THROWS_AS(resolve_mail_options({}, {}, {}, std::string("/ca.pem"), "d"), MailConfigError);
}

TEST_CASE("the .eml folder sender writes one file per Message-ID, replaced on a retry, and logs one line") {
    const auto folder = std::filesystem::temp_directory_path() / ("slotwise-mail-test-" + std::to_string(::getpid()));
    std::filesystem::remove_all(folder);
    std::vector<std::string> log;
    auto sender = make_eml_folder_sender((folder / "mail").string(), [&](const std::string& line) { log.push_back(line); });
    MailMessage m = sample();
    m.subject = "Termin \"heute\"\tbestätigt";
    sender->send(m);
    sender->send(m);  // a retry
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(folder / "mail")) files.push_back(entry.path());
    REQUIRE(files.size() == 1);
    const std::string id = message_id(m);
    CHECK(files[0].filename().string() == id.substr(1, id.size() - 2) + ".eml");
    std::ifstream in(files[0], std::ios::binary);
    std::stringstream content;
    content << in.rdbuf();
    CHECK(header(content.str(), "Message-ID") == id);
    REQUIRE(log.size() == 2);
    CHECK(log[0].find("zoe@example.com") != std::string::npos);
    CHECK(log[0].find("Termin \\x22heute\\x22\\x09bestätigt") != std::string::npos);
    CHECK(log[0].find('\n') == std::string::npos);
    MailMessage bad = sample();
    bad.to[0].address = "not an address";
    try {
        sender->send(bad);
        FAIL("sent a malformed message");
    } catch (const MailSendError& e) {
        CHECK(!e.transient());
        CHECK(e.code == "MAIL_ADDRESS_INVALID");
    }
    std::filesystem::remove_all(folder);
}

TEST_CASE("a message survives its JSON form (the mail.send payload) byte for byte") {
    MailMessage m = sample("job-7");
    m.html = "<p>Hallo</p>";
    std::string bytes;
    for (int i = 0; i < 256; ++i) bytes += static_cast<char>(i);
    m.attachments = {{"Zoë.ics", "text/calendar; method=REQUEST", bytes}};
    m.date = 1'796'288'400;
    MailMessage back;
    back.key = "job-7";
    from_json(nlohmann::json::parse(nlohmann::json(m).dump()), back);
    CHECK(render_rfc5322(back, 0) == render_rfc5322(m, 0));
    CHECK(back.date == m.date);
    // Without "from", the configured sender set beforehand stays.
    nlohmann::json j = m;
    j.erase("from");
    MailMessage configured;
    configured.from = {"Configured", "configured@example.org"};
    from_json(j, configured);
    CHECK(configured.from.address == "configured@example.org");
}

TEST_CASE("malformed mail payloads are refused with MAIL_PAYLOAD_INVALID") {
    const std::string payload = GENERATE(as<std::string>{}, "[]", "{}", R"({"to":[],"subject":"s","text":"t"})",
                                         R"({"to":"a@example.com","subject":"s","text":"t"})",
                                         R"({"to":[{"name":"x"}],"subject":"s","text":"t"})",
                                         R"({"to":[{"address":"a@example.com"}],"subject":1,"text":"t"})",
                                         R"({"to":[{"address":"a@example.com"}],"subject":"s"})",
                                         R"({"to":[{"address":"a@example.com"}],"subject":"s","text":"t","attachments":[{"filename":"f","content_type":"a/b","base64":"!!"}]})",
                                         R"({"to":[{"address":"a@example.com"}],"subject":"s","text":"t","date":"today"})");
    CAPTURE(payload);
    MailMessage m;
    try {
        from_json(nlohmann::json::parse(payload), m);
        FAIL("accepted");
    } catch (const MailFormatError& e) {
        CHECK(e.code == "MAIL_PAYLOAD_INVALID");
    }
}

TEST_CASE("mail_send_job: one job per message key, the date fixed at enqueue, unsendable mail refused up front") {
    const Timestamp now{std::chrono::seconds{1'796'288'400}};
    const auto job = mail_send_job(sample("booking-9-confirmed:client"), now);
    CHECK(job.kind == "mail.send");
    CHECK(job.key == "mail.send:booking-9-confirmed:client");
    CHECK(job.run_at == now);
    CHECK(job.payload.at("date") == 1'796'288'400);
    CHECK(job.payload.at("from").at("address") == "noreply@example.org");
    MailMessage unsigned_mail = sample();
    unsigned_mail.from = {};
    CHECK(!mail_send_job(unsigned_mail, now).payload.contains("from"));  // sent from --mail-from
    MailMessage bad = sample();
    bad.subject = "a\r\nBcc: x@example.com";
    CHECK_THROWS_AS(mail_send_job(bad, now), MailFormatError);
}

namespace {
struct ScriptedSender final : MailSender {
    std::optional<MailSendError> failure;
    std::vector<MailMessage> sent;
    void send(const MailMessage& message) override {
        if (failure) throw *failure;
        sent.push_back(message);
    }
    std::string describe() const override { return "scripted"; }
};
}  // namespace

TEST_CASE("the mail.send handler: done, retry on a transient failure, dead on a permanent one") {
    using Kind = jobs::JobOutcome::Kind;
    ScriptedSender sender;
    std::vector<std::string> log;
    const auto handler = mail_send_handler(sender, {"Default", "default@example.org"}, [&](const std::string& l) { log.push_back(l); });
    const auto queued = mail_send_job(sample("k1"), Timestamp{std::chrono::seconds{100}});
    jobs::Job job;
    job.kind = queued.kind;
    job.key = queued.key;
    job.payload = queued.payload;
    job.attempt = 1;
    job.max_attempts = 10;

    CHECK(handler(job).kind == Kind::done);
    REQUIRE(sender.sent.size() == 1);
    CHECK(sender.sent[0].key == job.key);  // the Message-ID comes from the job's key
    CHECK(*sender.sent[0].date == 100);

    sender.failure = MailSendError(MailSendError::Kind::transient, "SMTP_UNREACHABLE", "down");
    auto outcome = handler(job);
    CHECK(outcome.kind == Kind::retry);
    CHECK(outcome.error == "SMTP_UNREACHABLE: down");
    sender.failure = MailSendError(MailSendError::Kind::permanent, "SMTP_REJECTED", "550");
    CHECK(handler(job).kind == Kind::fail);
    CHECK(log.size() == 2);

    sender.failure.reset();
    job.payload.erase("from");
    CHECK(handler(job).kind == Kind::done);
    CHECK(sender.sent.back().from.address == "default@example.org");
    job.payload = nlohmann::json::object();
    outcome = handler(job);
    CHECK(outcome.kind == Kind::fail);
    CHECK(outcome.error.rfind("MAIL_PAYLOAD_INVALID", 0) == 0);
}
