"""What Python's email package (policy `default`) reads in booking mails,
for notification_mail.test.mjs: one JSON array, one object per file, with
the text and HTML parts decoded and every attachment's content as text.

  booking_mail_parse.py FILE..."""
import email, email.policy, json, sys

result = []
for name in sys.argv[1:]:
    with open(name, "rb") as f:
        msg = email.message_from_bytes(f.read(), policy=email.policy.default)
    text = msg.get_body(preferencelist=("plain",))
    html = msg.get_body(preferencelist=("html",))
    result.append({
        "file": name,
        "defects": [str(d) for d in msg.defects],
        "message_id": msg["Message-ID"],
        "subject": str(msg["Subject"]),
        "to": [a.addr_spec for a in msg["To"].addresses],
        "text": text.get_content().replace("\r\n", "\n") if text is not None else None,
        "html": html.get_content() if html is not None else None,
        "attachments": [{"filename": p.get_filename(), "content_type": p.get_content_type(),
                         "method": p.get_param("method"),
                         "content": p.get_payload(decode=True).decode("utf-8")} for p in msg.iter_attachments()],
    })
print(json.dumps(result))
