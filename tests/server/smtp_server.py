"""A real SMTP server for mail.test.mjs: aiosmtpd (Debian's python3-aiosmtpd)
on 127.0.0.1, writing every message it accepts into a folder, one file each.

  smtp_server.py --port N --out DIR [--starttls CERT_DIR]
  smtp_server.py --parse FILE...   what Python's email package reads in each
                                   message, as one JSON array

Recipients starting with "nobody@" are refused with 550 (a permanent failure).

With --starttls, STARTTLS and AUTH are required (user "slotwise", password
"secret"), with a self-signed certificate for localhost/127.0.0.1 made in
CERT_DIR (cert.pem, which the test passes to --smtp-ca-file) unless it is
there. Prints "ready" once it accepts connections; stops on SIGTERM."""
import argparse, os, signal, ssl, subprocess, sys, threading, time

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class SaveToFolder:
    def __init__(self, folder):
        self.folder, self.count = folder, 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("nobody@"):
            return "550 5.1.1 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        name = f"{time.time_ns()}-{os.getpid()}-{self.count}"
        temporary = os.path.join(self.folder, "." + name)
        with open(temporary, "wb") as f:
            f.write(envelope.content)
        # Whole files only: the test reads the folder while mail arrives.
        os.rename(temporary, os.path.join(self.folder, name + ".eml"))
        return "250 Message accepted"


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and auth_data.login == b"slotwise" and auth_data.password == b"secret"
    return AuthResult(success=ok, handled=False)


def tls_context(folder):
    cert, key = os.path.join(folder, "cert.pem"), os.path.join(folder, "key.pem")
    if not os.path.exists(cert):
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
                        "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", key, "-out", cert],
                       check=True, capture_output=True)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context


def parse(files):
    import email, email.policy, json
    result = []
    for name in files:
        with open(name, "rb") as f:
            msg = email.message_from_bytes(f.read(), policy=email.policy.default)
        text = msg.get_body(preferencelist=("plain",))
        result.append({
            "file": name, "defects": [str(d) for d in msg.defects],
            "message_id": msg["Message-ID"], "subject": str(msg["Subject"]),
            "from": [{"name": a.display_name, "address": a.addr_spec} for a in msg["From"].addresses],
            "to": [{"name": a.display_name, "address": a.addr_spec} for a in msg["To"].addresses],
            "text": text.get_content().replace("\r\n", "\n") if text is not None else None,
            "attachments": [{"filename": p.get_filename(), "content_type": p.get_content_type(),
                             "bytes": len(p.get_payload(decode=True))} for p in msg.iter_attachments()],
        })
    print(json.dumps(result))


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--parse":
        return parse(sys.argv[2:])
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--starttls")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    kwargs = {}
    if args.starttls:
        kwargs = dict(tls_context=tls_context(args.starttls), require_starttls=True, auth_required=True,
                      authenticator=authenticator)
    controller = Controller(SaveToFolder(args.out), hostname="127.0.0.1", port=args.port, **kwargs)
    controller.start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    print("ready", flush=True)
    stop.wait()
    controller.stop()


main()
