"""Parses the probe's rendered samples with Python's own email package (an
independent MIME implementation) and compares what it decodes with what the
C++ side meant to say. Run by CTest: check_rendering.py PROBE."""
import base64, email, email.policy, json, pathlib, subprocess, sys, tempfile


def fail(sample, message):
    print(f"FAIL {sample}: {message}")
    sys.exit(1)


def check(sample, raw, want):
    if b"\n" in raw.replace(b"\r\n", b"") or b"\r" in raw.replace(b"\r\n", b""):
        fail(sample, "a bare CR or LF")
    for line in raw.split(b"\r\n"):
        if len(line) > 78:
            fail(sample, f"line longer than 78: {line[:90]!r}")
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    if msg.defects:
        fail(sample, f"parser defects {msg.defects}")
    if str(msg["Subject"]) != want["subject"]:
        fail(sample, f"subject {str(msg['Subject'])!r} != {want['subject']!r}")
    if msg["Message-ID"] != want["message_id"]:
        fail(sample, f"Message-ID {msg['Message-ID']!r}")
    sender = msg["From"].addresses
    if len(sender) != 1 or (sender[0].display_name, sender[0].addr_spec) != (want["from"]["name"], want["from"]["address"]):
        fail(sample, f"From {sender!r}")
    got_to = [(a.display_name, a.addr_spec) for a in msg["To"].addresses]
    want_to = [(a["name"], a["address"]) for a in want["to"]]
    if got_to != want_to:
        fail(sample, f"To {got_to!r} != {want_to!r}")
    if msg["MIME-Version"] != "1.0" or not msg["Date"]:
        fail(sample, "MIME-Version or Date missing")
    for part in msg.walk():
        if part.defects:
            fail(sample, f"part defects {part.defects}")
    text = msg.get_body(preferencelist=("plain",))
    if text is None or text.get_content().replace("\r\n", "\n") != want["text"]:
        fail(sample, f"text body {None if text is None else text.get_content()!r} != {want['text']!r}")
    html = msg.get_body(preferencelist=("html",))
    if want["html"] is None:
        if html is not None and html.get_content_type() == "text/html":
            fail(sample, "unexpected HTML part")
    elif html is None or html.get_content_type() != "text/html" or html.get_content().replace("\r\n", "\n") != want["html"]:
        fail(sample, "HTML body differs")
    attachments = list(msg.iter_attachments())
    if len(attachments) != len(want["attachments"]):
        fail(sample, f"{len(attachments)} attachments, want {len(want['attachments'])}")
    for got, expected in zip(attachments, want["attachments"]):
        if got.get_filename() != expected["filename"]:
            fail(sample, f"filename {got.get_filename()!r} != {expected['filename']!r}")
        if got.get_content_type() != expected["content_type"].split(";")[0]:
            fail(sample, f"content type {got.get_content_type()}")
        if got.get_payload(decode=True) != base64.b64decode(expected["base64"]):
            fail(sample, "attachment bytes differ")
        for param in expected["content_type"].split(";")[1:]:
            key, value = param.strip().split("=", 1)
            if got.get_param(key) != value:
                fail(sample, f"content type parameter {key}: {got.get_param(key)!r}")
    print(f"ok {sample}: {want['subject'][:40]!r}, {len(attachments)} attachment(s)")


def main():
    probe = sys.argv[1]
    with tempfile.TemporaryDirectory() as folder:
        subprocess.run([probe, "render", folder], check=True)
        samples = sorted(pathlib.Path(folder).glob("*.eml"))
        if len(samples) < 4:
            fail("render", f"only {len(samples)} samples")
        for eml in samples:
            check(eml.name, eml.read_bytes(), json.loads(eml.with_suffix(".json").read_text()))


main()
