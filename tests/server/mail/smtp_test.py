"""SmtpSender against a real SMTP server (aiosmtpd, started here), through
the mail_send_probe driver. Run by CTest: smtp_test.py PROBE MODE, with MODE
one of plain, starttls, smtps, down, rejected, starttls-missing, untrusted."""
import asyncio, email, email.policy, os, socket, ssl, subprocess, sys, tempfile

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

USER, PASSWORD = "booking@example.org", "p@ss:w/rd ü"
# The URL form of the same credentials, percent-encoded.
USERINFO = "booking%40example.org:p%40ss%3Aw%2Frd%20%C3%BC"


class Collect:
    def __init__(self):
        self.messages = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("nobody@"):
            return "550 5.1.1 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        # session.ssl covers STARTTLS only; the transport knows implicit TLS too.
        over_tls = session.ssl is not None or server.transport.get_extra_info("ssl_object") is not None
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content, over_tls))
        return "250 Message accepted"


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and auth_data.login == USER.encode() and auth_data.password == PASSWORD.encode()
    # handled=False: aiosmtpd then answers 535 itself (its default, True, answers nothing).
    return AuthResult(success=ok, handled=False)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_certificate(folder):
    cert, key = os.path.join(folder, "cert.pem"), os.path.join(folder, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", key, "-out", cert],
                   check=True, capture_output=True)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return cert, context


def probe(binary, url, *args):
    result = subprocess.run([binary, "send", url, *args], capture_output=True, text=True, timeout=60)
    print(f"probe {url.split('@')[-1]}: exit {result.returncode}: {result.stdout.strip()} {result.stderr.strip()}")
    return result.returncode, result.stdout


def expect(condition, message):
    if not condition:
        print("FAIL:", message)
        sys.exit(1)


def check_delivered(handler, want_tls, key="probe-message"):
    expect(len(handler.messages) == 1, f"{len(handler.messages)} messages arrived, want 1")
    mail_from, rcpt_tos, content, over_tls = handler.messages[0]
    expect(mail_from == "praxis@example.org", f"MAIL FROM {mail_from}")
    expect(rcpt_tos == ["zoe@example.com"], f"RCPT TO {rcpt_tos}")
    expect(over_tls == want_tls, f"TLS {over_tls}, want {want_tls}")
    msg = email.message_from_bytes(content, policy=email.policy.default)
    expect(not msg.defects, f"defects {msg.defects}")
    expect(str(msg["Subject"]) == "Bestätigung: Ihr Termin am 3. Dezember um 10:00 — 予約の確認 ✅", f"subject {msg['Subject']}")
    expect(msg["From"].addresses[0].display_name == "Praxis Müller & Söhne", f"From {msg['From']}")
    expect(msg["To"].addresses[0].display_name == "Zoë Ångström-Łukasiewicz", f"To {msg['To']}")
    expect(msg["Message-ID"].endswith("@example.org>"), f"Message-ID {msg['Message-ID']}")
    body = msg.get_body(preferencelist=("plain",)).get_content()
    # The dot line survived SMTP's end-of-data convention.
    expect("bestätigt.\r\n.\r\n" in body or "bestätigt.\n.\n" in body, f"text body {body!r}")
    attachments = list(msg.iter_attachments())
    expect(len(attachments) == 1 and attachments[0].get_filename() == "Termin-Zoë.ics", "the .ics attachment")
    expect(b"METHOD:REQUEST" in attachments[0].get_payload(decode=True), "the .ics content")
    print("ok: delivered,", msg["Message-ID"])


def main():
    binary, mode = sys.argv[1], sys.argv[2]
    handler = Collect()
    with tempfile.TemporaryDirectory() as folder:
        port = free_port()
        cert, context = make_certificate(folder)
        kwargs = {}
        if mode in ("starttls", "untrusted"):
            kwargs = dict(tls_context=context, require_starttls=True, auth_required=True, authenticator=authenticator)
        elif mode == "smtps":
            # aiosmtpd knows TLS only from STARTTLS; the implicit TLS here is real, so
            # it may offer AUTH on this connection.
            kwargs = dict(ssl_context=context, auth_required=True, auth_require_tls=False, authenticator=authenticator)
        controller = None
        if mode != "down":
            controller = Controller(handler, hostname="127.0.0.1", port=port, **kwargs)
            controller.start()
        try:
            if mode == "plain":
                code, _ = probe(binary, f"smtp://127.0.0.1:{port}")
                expect(code == 0, "plain send failed")
                check_delivered(handler, want_tls=False)
            elif mode == "starttls":
                code, _ = probe(binary, f"smtp+starttls://{USERINFO}@localhost:{port}", "--ca-file", cert)
                expect(code == 0, "STARTTLS send failed")
                check_delivered(handler, want_tls=True)
                # Wrong password: a login problem is the operator's to fix, so transient.
                code, out = probe(binary, f"smtp+starttls://{USER.replace('@', '%40')}:wrong@localhost:{port}", "--ca-file", cert)
                expect(code == 3 and "SMTP_AUTH_FAILED" in out, "a wrong password is a transient SMTP_AUTH_FAILED")
                expect(len(handler.messages) == 1, "nothing delivered with a wrong password")
            elif mode == "smtps":
                code, _ = probe(binary, f"smtps://{USERINFO}@127.0.0.1:{port}", "--ca-file", cert)
                expect(code == 0, "SMTPS send failed")
                check_delivered(handler, want_tls=True)
            elif mode == "untrusted":
                # Without the test CA the self-signed certificate must be refused.
                code, out = probe(binary, f"smtp+starttls://{USERINFO}@localhost:{port}")
                expect(code == 3 and "SMTP_TLS_FAILED" in out, "an untrusted certificate is a transient SMTP_TLS_FAILED")
                expect(not handler.messages, "nothing delivered over an untrusted connection")
            elif mode == "starttls-missing":
                # smtp+starttls:// requires STARTTLS: a server without it gets no mail in clear.
                code, out = probe(binary, f"smtp+starttls://{USERINFO}@127.0.0.1:{port}")
                expect(code == 3 and "SMTP_TLS_FAILED" in out, "a server without STARTTLS is a transient SMTP_TLS_FAILED")
                expect(not handler.messages, "nothing delivered in clear")
            elif mode == "down":
                code, out = probe(binary, f"smtp://127.0.0.1:{port}")
                expect(code == 3 and "SMTP_UNREACHABLE" in out, "a server that is down is a transient SMTP_UNREACHABLE")
            elif mode == "rejected":
                code, out = probe(binary, f"smtp://127.0.0.1:{port}", "--to", "nobody@example.com")
                expect(code == 4 and "SMTP_REJECTED" in out, "a 550 for the recipient is a permanent SMTP_REJECTED")
                expect(not handler.messages, "nothing delivered to a rejected recipient")
            else:
                expect(False, f"unknown mode {mode}")
        finally:
            if controller:
                controller.stop()
    print("ok:", mode)


main()
