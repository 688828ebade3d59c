// Reminders and review requests (api.md "Reminders";
// server-stub/src/notifications/reminder_channel.h): the service fields, and
// the jobs that send them, with the server's clock started just before they
// are due (SLOTWISE_NOW) and mail delivered to a real SMTP server (aiosmtpd).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import net from 'node:net';
import { admin, book, cleanupAll, client, freshDatabase, problem, providerConfig, putProvider, request, signIn, startServer, tempDir, until } from './harness.mjs';
import { startPushService } from './push_service.mjs';
import { startTwilioTestServer } from './twilio_test_server.mjs';

after(cleanupAll);

// ---- a small SMTP server of the test's own ----------------------------------------
// Enough of RFC 5321 for libcurl; it keeps each message once it has answered
// 250 to its DATA, `delayMs` after the data ended (a slow server), and drops
// a message whose sender hung up before that answer (it was never sent).
function startSmtp() {
  const smtp = { messages: [], delayMs: 0 };
  const server = net.createServer((sock) => {
    let buf = '', inData = false, closed = false;
    sock.on('close', () => { closed = true; });
    sock.on('error', () => {});
    sock.write('220 localhost ESMTP reminders test\r\n');
    sock.on('data', (chunk) => {
      buf += chunk.toString('latin1');
      for (;;) {
        if (inData) {
          const end = buf.indexOf('\r\n.\r\n');
          if (end < 0) return;
          const raw = buf.slice(0, end);
          buf = buf.slice(end + 5);
          inData = false;
          setTimeout(() => {
            if (closed) return;
            smtp.messages.push({ ...headersOf(raw), at: Date.now() });
            sock.write('250 2.0.0 accepted\r\n');
          }, smtp.delayMs);
          continue;
        }
        const nl = buf.indexOf('\r\n');
        if (nl < 0) return;
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 2);
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'EHLO') sock.write('250-localhost\r\n250 8BITMIME\r\n');
        else if (verb === 'DATA') { inData = true; sock.write('354 go ahead\r\n'); }
        else if (verb === 'QUIT') sock.end('221 bye\r\n');
        else sock.write('250 OK\r\n');
      }
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    smtp.port = server.address().port;
    after(() => new Promise((r) => { server.close(r); server.unref(); }));
    resolve(smtp);
  }));
}

function headersOf(raw) {
  const head = raw.slice(0, raw.indexOf('\r\n\r\n')).replace(/\r\n[ \t]+/g, ' ');
  const field = (name) => (head.match(new RegExp(`^${name}:\\s*(.*)$`, 'mi')) || [])[1];
  return { messageId: field('Message-ID'), to: field('To'), subject: field('Subject') };
}

// The Message-ID the mail module derives from a mail.send job's key (mail/message.cpp).
const messageId = (jobKey) => `<${crypto.createHash('sha256').update(`message-id\n${jobKey}`).digest('hex').slice(0, 32)}@example.org>`;
// The reminder mail of (booking, start, N) and the review request of a booking (notifications/reminder_channel.cpp).
const reminderId = (bookingId, start, n) => messageId(`mail.send:reminder:${bookingId}:${start}:${n}:client`);
const reviewId = (bookingId) => messageId(`mail.send:review:${bookingId}:client`);
const received = (smtp, id) => smtp.messages.filter((m) => m.messageId === id);

const seconds = (iso) => Date.parse(iso) / 1000;
const shift = (iso, s) => new Date(Date.parse(iso) + s * 1000).toISOString().replace('.000Z', 'Z');

// One server process with its clock started at `now` (the server's clock then ticks from there).
async function serverAt(db, smtp, now, args = []) {
  const srv = await startServer(db, {
    now,
    args: ['--smtp', `smtp://127.0.0.1:${smtp.port}`, '--mail-from', 'Praxis <praxis@example.org>', '--job-poll', '0.2',
      '--job-backoff', '0.5:1', '--pending-cap', '1000', '--open-bookings-cap', '1000', ...args],
  });
  const offsetMs = Date.parse(now) - Date.now();
  // The server's clock at a moment of the test's (Date.now() form), as the test can tell it.
  srv.clockAt = (ms) => ms + offsetMs;
  return srv;
}

const reminderConfig = (reminders, extra = {}) => providerConfig({
  services: [{ id: 's30', name: 'Checkup', durations: [30, 60], min_notice_minutes: 0, max_advance_days: 90,
    price: { amount: 10000, currency: 'EUR' }, cancellation_policy: 'flexible', reminders, review_request_after_minutes: null, ...extra },
  { id: 'video', name: 'Video call', durations: [30], min_notice_minutes: 0, max_advance_days: 90, price: { amount: 4000, currency: 'EUR' },
    virtual: true, requires_confirmation: true, reminders }],
});

async function booked(srv, provider, start, n, service = 's30') {
  const r = await book(srv.url, { provider, service, start, client: client(n) });
  assert.equal(r.status, 201, r.text);
  return { id: r.json.booking.id, token: r.json.booking.manage_token, start };
}

// The reminder jobs of a booking, once the fan-out of its event has run.
const jobsOf = (db, kind, bookingId) => db.sql(`SELECT key, run_at, state FROM jobs WHERE kind = '${kind}' AND key LIKE '%${bookingId}%' ORDER BY run_at`);
const reminderMailJobs = (db, bookingId) => db.sql(`SELECT key FROM jobs WHERE kind = 'mail.send' AND key LIKE 'mail.send:reminder:${bookingId}:%'`);
const fannedOut = (db) => until('every booking event fanned out', () =>
  db.sql(`SELECT COUNT(*) FROM jobs WHERE kind = 'booking.event' AND state <> 'done'`)[0][0] === '0' &&
  db.sql(`SELECT COUNT(*) FROM jobs WHERE kind = 'mail.send' AND state = 'queued'`)[0][0] === '0');

const withService = (fields) => {
  const config = providerConfig();
  config.services[0] = { ...config.services[0], ...fields };
  return config;
};

test('the reminder fields: defaults, a PUT/GET round trip, [] and null for none, clear 400s for bad ones', async () => {
  const db = await freshDatabase();
  const srv = await startServer(db);
  await putProvider(srv.url, 'p1');
  let got = await request(srv.url, 'GET', '/v1/providers/p1', { headers: admin });
  assert.equal(got.status, 200);
  assert.deepEqual(got.json.services[0].reminders,
    [{ before_minutes: 2880, channels: ['email'] }, { before_minutes: 60, channels: ['email'] }]);
  assert.equal(got.json.services[0].review_request_after_minutes, 120);

  const reminders = [{ before_minutes: 1440, channels: ['email', 'sms'] }, { before_minutes: 5, channels: ['push'] },
    { before_minutes: 20160, channels: ['sms', 'push', 'email'] }];
  await putProvider(srv.url, 'p1', withService({ reminders, review_request_after_minutes: 45 }));
  got = await request(srv.url, 'GET', '/v1/providers/p1', { headers: admin });
  assert.deepEqual(got.json.services[0].reminders, reminders);
  assert.equal(got.json.services[0].review_request_after_minutes, 45);
  // GET's document is a valid PUT: sent back, nothing changes.
  const again = await request(srv.url, 'PUT', '/v1/providers/p1', { body: got.json, headers: admin });
  assert.equal(again.status, 200, again.text);
  assert.deepEqual((await request(srv.url, 'GET', '/v1/providers/p1', { headers: admin })).json, got.json);

  await putProvider(srv.url, 'p1', withService({ reminders: [], review_request_after_minutes: null }));
  got = await request(srv.url, 'GET', '/v1/providers/p1', { headers: admin });
  assert.deepEqual(got.json.services[0].reminders, []);
  assert.equal(got.json.services[0].review_request_after_minutes, null);

  const bad = [
    [{ reminders: null }, '/services/0/reminders must be a list'],
    [{ reminders: { before_minutes: 60, channels: ['email'] } }, '/services/0/reminders must be a list'],
    [{ reminders: [60] }, '/services/0/reminders/0 must be'],
    [{ reminders: [{ before_minutes: 4, channels: ['email'] }] }, '/services/0/reminders/0/before_minutes must be an integer 5..20160'],
    [{ reminders: [{ before_minutes: 20161, channels: ['email'] }] }, '/services/0/reminders/0/before_minutes must be an integer 5..20160'],
    [{ reminders: [{ before_minutes: 60.5, channels: ['email'] }] }, '/services/0/reminders/0/before_minutes must be an integer'],
    [{ reminders: [{ before_minutes: '60', channels: ['email'] }] }, '/services/0/reminders/0/before_minutes must be an integer'],
    [{ reminders: [{ channels: ['email'] }] }, '/services/0/reminders/0/before_minutes must be an integer'],
    [{ reminders: [{ before_minutes: 60 }] }, '/services/0/reminders/0/channels must be a non-empty list'],
    [{ reminders: [{ before_minutes: 60, channels: [] }] }, '/services/0/reminders/0/channels must be a non-empty list'],
    [{ reminders: [{ before_minutes: 60, channels: ['fax'] }] }, '/services/0/reminders/0/channels/0 must be "email", "sms" or "push"'],
    [{ reminders: [{ before_minutes: 60, channels: ['email', 'email'] }] }, '/services/0/reminders/0/channels/1: "email" is listed twice'],
    [{ reminders: [{ before_minutes: 60, channels: ['email'], when: 'x' }] }, 'unknown field /services/0/reminders/0/when'],
    [{ reminders: [{ before_minutes: 60, channels: ['email'] }, { before_minutes: 60, channels: ['sms'] }] },
      '/services/0/reminders/1/before_minutes: another reminder'],
    [{ reminders: Array.from({ length: 11 }, (_, i) => ({ before_minutes: 10 + i, channels: ['email'] })) }, 'at most 10 reminders'],
    [{ review_request_after_minutes: -1 }, '/services/0/review_request_after_minutes must be an integer 0..20160'],
    [{ review_request_after_minutes: 20161 }, '/services/0/review_request_after_minutes must be an integer 0..20160'],
    [{ review_request_after_minutes: '120' }, '/services/0/review_request_after_minutes must be an integer'],
  ];
  for (const [fields, detail] of bad) {
    const r = await request(srv.url, 'PUT', '/v1/providers/p1', { body: withService(fields), headers: admin });
    problem(r, 400, 'INVALID_REQUEST');
    assert.ok(r.json.detail.includes(detail), `${JSON.stringify(fields)}: ${r.json.detail}`);
  }
  // Nothing of the refused PUTs was kept.
  got = await request(srv.url, 'GET', '/v1/providers/p1', { headers: admin });
  assert.deepEqual(got.json.services[0].reminders, []);
});

test('on time within a minute; moved by a reschedule; dropped by a cancellation; none for PENDING', async () => {
  const db = await freshDatabase();
  const smtp = await startSmtp();
  const T1 = '2026-11-24T10:00:00Z', T2 = '2026-11-24T11:00:00Z';
  const only60 = [{ before_minutes: 60, channels: ['email'] }];
  let srv = await serverAt(db, smtp, '2026-11-24T06:00:00Z');
  for (const p of ['p1', 'p2', 'p3', 'p4']) await putProvider(srv.url, p, reminderConfig(only60));
  const kept = await booked(srv, 'p1', T1, 1);
  const cancelled = await booked(srv, 'p2', T1, 2);
  const pending = await booked(srv, 'p3', T1, 3, 'video');
  const moved = await booked(srv, 'p4', T1, 4);
  await fannedOut(db);
  assert.deepEqual(jobsOf(db, 'reminder.send', kept.id).map(([key, runAt]) => [key, Number(runAt)]),
    [[`reminder.send:${kept.id}:${T1}:60`, seconds(T1) - 3600]]);
  assert.deepEqual(jobsOf(db, 'reminder.send', pending.id), [], 'a PENDING request has no reminder');
  assert.equal((await request(srv.url, 'POST', `/v1/bookings/${cancelled.id}/cancel?token=${cancelled.token}`, { body: {} })).status, 200);
  const r = await request(srv.url, 'POST', `/v1/bookings/${moved.id}/reschedule?token=${moved.token}`, { body: { start: T2 } });
  assert.equal(r.status, 200, r.text);
  await fannedOut(db);
  assert.deepEqual(jobsOf(db, 'reminder.send', moved.id).map(([key]) => key),
    [`reminder.send:${moved.id}:${T1}:60`, `reminder.send:${moved.id}:${T2}:60`]);
  await srv.stop();

  // The server's clock starts when the reminders of T1 are due (SLOTWISE_NOW takes whole minutes).
  srv = await serverAt(db, smtp, shift(T1, -3600));
  const [mail] = await until('the reminder of the kept booking', () => received(smtp, reminderId(kept.id, T1, 60)).length && received(smtp, reminderId(kept.id, T1, 60)), 60000);
  const late = srv.clockAt(mail.at) - (Date.parse(T1) - 3600 * 1000);
  assert.ok(late >= 0 && late < 60000, `sent ${late} ms after its time`);
  assert.match(mail.to, /client1@example\.com/);
  // The other jobs of that moment ran too, and sent nothing.
  await until('the jobs of T1 done', () => [cancelled, moved].every((b) =>
    jobsOf(db, 'reminder.send', b.id).filter(([key]) => key.includes(T1)).every(([, , state]) => state === 'done')));
  await new Promise((r) => setTimeout(r, 1500));
  for (const b of [cancelled, pending, moved]) {
    assert.deepEqual(received(smtp, reminderId(b.id, T1, 60)), [], `a reminder for ${b.id} at ${T1}`);
    assert.deepEqual(reminderMailJobs(db, b.id), []);
  }
  assert.equal(received(smtp, reminderId(kept.id, T1, 60)).length, 1);
  await srv.stop();

  // When the moved booking's new reminder is due.
  srv = await serverAt(db, smtp, shift(T2, -3600));
  const [movedMail] = await until('the reminder at the new time', () => received(smtp, reminderId(moved.id, T2, 60)).length && received(smtp, reminderId(moved.id, T2, 60)), 60000);
  const lateMoved = srv.clockAt(movedMail.at) - (Date.parse(T2) - 3600 * 1000);
  assert.ok(lateMoved >= 0 && lateMoved < 60000, `sent ${lateMoved} ms after its time`);
  assert.deepEqual(received(smtp, reminderId(moved.id, T1, 60)), []);
  await srv.stop();
});

test('across the change to summer time a reminder comes exactly N minutes before, in instants', async () => {
  const db = await freshDatabase();
  const smtp = await startSmtp();
  // Sunday 2027-03-28, 11:00 in Berlin (CEST, UTC+2); the clocks went forward at 01:00 UTC that night.
  const T = '2027-03-28T09:00:00Z';
  let srv = await serverAt(db, smtp, '2027-03-20T06:00:00Z');
  await putProvider(srv.url, 'p1', reminderConfig([{ before_minutes: 1440, channels: ['email'] }]));
  const b = await booked(srv, 'p1', T, 1);
  await fannedOut(db);
  // 24 h before is 10:00 on Saturday in Berlin (CET), not 11:00: the wall clock moved, the instant did not.
  assert.deepEqual(jobsOf(db, 'reminder.send', b.id).map(([, runAt]) => Number(runAt)), [seconds('2027-03-27T09:00:00Z')]);
  await srv.stop();
  // A minute before: the reminder must not come early, nor more than a minute late.
  srv = await serverAt(db, smtp, '2027-03-27T08:59:00Z');
  // The wait outlasts the minute to 09:00 with room for a loaded machine (60 s
  // once timed out in CI); the checks below still hold it to a minute late.
  const [mail] = await until('the reminder', () => received(smtp, reminderId(b.id, T, 1440)).length && received(smtp, reminderId(b.id, T, 1440)), 120000);
  // Not early by the server's own record of when the job ran (its clock, in seconds) ...
  const [[startedAt]] = db.sql(`SELECT MIN(r.started_at) FROM job_runs r JOIN jobs j ON j.id = r.job_id WHERE j.key = 'reminder.send:${b.id}:${T}:1440'`);
  assert.ok(Number(startedAt) >= seconds('2027-03-27T09:00:00Z'), `ran at ${startedAt}`);
  // ... and not late by the test's reading of that clock (good to the second it counts in).
  const late = srv.clockAt(mail.at) - Date.parse('2027-03-27T09:00:00Z');
  assert.ok(late > -1500 && late < 60000, `sent ${late} ms after 09:00 UTC`);
  await srv.stop();
});

test('after a long outage: only the nearest due reminder is sent, and nothing once the start has passed', async () => {
  const db = await freshDatabase();
  const smtp = await startSmtp();
  const T = '2026-11-24T10:00:00Z', past = '2026-11-24T09:00:00Z';
  const three = [2880, 60, 30].map((n) => ({ before_minutes: n, channels: ['email'] }));
  let srv = await serverAt(db, smtp, '2026-11-20T06:00:00Z');
  await putProvider(srv.url, 'p1', reminderConfig(three));
  const b = await booked(srv, 'p1', T, 1);
  const started = await booked(srv, 'p1', past, 2);
  await fannedOut(db);
  assert.equal(jobsOf(db, 'reminder.send', b.id).length, 3);
  await srv.stop();
  // The server comes back at 09:30: the 48 h, 1 h and 30-minute reminders
  // are all due; the other booking has begun.
  srv = await serverAt(db, smtp, '2026-11-24T09:30:00Z');
  await until('the 30-minute reminder', () => received(smtp, reminderId(b.id, T, 30)).length, 30000);
  await until('every reminder job done', () => [b, started].every((x) => jobsOf(db, 'reminder.send', x.id).every(([, , state]) => state === 'done')));
  assert.deepEqual(received(smtp, reminderId(b.id, T, 2880)), [], 'the stale 48 h reminder was sent');
  assert.deepEqual(received(smtp, reminderId(b.id, T, 60)), [], 'the stale 1 h reminder was sent');
  for (const n of [2880, 60, 30]) assert.deepEqual(received(smtp, reminderId(started.id, past, n)), [], `a ${n} reminder after the start`);
  assert.deepEqual(reminderMailJobs(db, started.id), []);
  assert.equal(received(smtp, reminderId(b.id, T, 30)).length, 1);
  assert.deepEqual(reminderMailJobs(db, b.id).map(([key]) => key), [`mail.send:reminder:${b.id}:${T}:30:client`]);
  await srv.stop();
});

test('a review request after COMPLETED, none after a no-show', async () => {
  const db = await freshDatabase();
  const smtp = await startSmtp();
  const T = '2026-11-24T10:00:00Z', T2 = '2026-11-24T09:30:00Z';
  let srv = await serverAt(db, smtp, '2026-11-20T06:00:00Z');
  await putProvider(srv.url, 'p1', reminderConfig([], { review_request_after_minutes: 5 }));
  const done = await booked(srv, 'p1', T, 1);
  const absent = await booked(srv, 'p1', T2, 2);
  await fannedOut(db);
  await srv.stop();
  // 10:31, after the end of the 10:00-10:30 visit: its review request is due at 10:35.
  srv = await serverAt(db, smtp, '2026-11-24T10:31:00Z');
  assert.equal((await request(srv.url, 'POST', `/v1/bookings/${done.id}/complete`, { headers: admin })).status, 200);
  assert.equal((await request(srv.url, 'POST', `/v1/bookings/${absent.id}/no-show`, { headers: admin })).status, 200);
  await fannedOut(db);
  assert.deepEqual(jobsOf(db, 'review.send', done.id).map(([key, runAt]) => [key, Number(runAt)]),
    [[`review.send:${done.id}`, seconds('2026-11-24T10:35:00Z')]]);
  assert.deepEqual(jobsOf(db, 'review.send', absent.id), []);
  await new Promise((r) => setTimeout(r, 1000));
  assert.deepEqual(received(smtp, reviewId(done.id)), [], 'the review request came early');
  await srv.stop();
  srv = await serverAt(db, smtp, '2026-11-24T10:35:00Z');
  const [mail] = await until('the review request', () => received(smtp, reviewId(done.id)).length && received(smtp, reviewId(done.id)), 60000);
  assert.ok(srv.clockAt(mail.at) - Date.parse('2026-11-24T10:35:00Z') < 60000, 'sent late');
  assert.match(mail.to, /client1@example\.com/);
  await srv.stop();
});

test('kill -9 while reminders are being sent: after the restart each is sent, at most one duplicate per job thread', async () => {
  const db = await freshDatabase();
  const smtp = await startSmtp();
  const T = '2026-11-24T10:00:00Z';
  const COUNT = 16;
  let srv = await serverAt(db, smtp, '2026-11-24T06:00:00Z');
  const bookings = [];
  for (let i = 0; i < COUNT; i++) {
    await putProvider(srv.url, `k${i}`, reminderConfig([{ before_minutes: 60, channels: ['email'] }]));
    bookings.push(await booked(srv, `k${i}`, T, i + 1));
  }
  await fannedOut(db);
  await srv.stop();
  const ids = bookings.map((b) => reminderId(b.id, T, 60));
  const reminders = () => smtp.messages.filter((m) => ids.includes(m.messageId));

  smtp.delayMs = 300;  // a slow SMTP server: sends are under way when the process dies
  srv = await serverAt(db, smtp, shift(T, -3600), ['--job-lease', '2']);
  await until('some reminders sent', () => reminders().length >= 3, 60000);
  await srv.kill9();
  const before = reminders().length;
  assert.ok(before < COUNT, 'every reminder was out before the kill; nothing was tested');

  srv = await serverAt(db, smtp, shift(T, -3600 + 60), ['--job-lease', '2']);
  await until('every reminder sent', () => ids.every((id) => received(smtp, id).length >= 1), 90000);
  await until('no job left running', () => db.sql(`SELECT COUNT(*) FROM jobs WHERE state IN ('queued', 'running') AND kind IN ('reminder.send', 'mail.send')`)[0][0] === '0', 30000);
  const copies = ids.map((id) => received(smtp, id).length);
  assert.ok(copies.every((n) => n === 1 || n === 2), `copies per reminder: ${copies}`);
  const duplicates = copies.reduce((sum, n) => sum + n - 1, 0);
  assert.ok(duplicates <= 2, `${duplicates} duplicates; at most one per job thread (2) may be sent but not yet marked done`);
  await srv.stop();
});

test('a reminder by SMS to the client and by push to the provider\'s browser', async () => {
  const db = await freshDatabase();
  const twilio = await startTwilioTestServer();
  after(() => twilio.stop());
  const push = await startPushService();
  after(() => push.close());
  const mailDir = tempDir('slotwise-reminder-mail-');
  const env = { SLOTWISE_TWILIO_ACCOUNT_SID: twilio.accountSid, SLOTWISE_TWILIO_AUTH_TOKEN: twilio.authToken,
    SLOTWISE_TWILIO_FROM: '+15005550006', SLOTWISE_TWILIO_WHATSAPP_FROM: '', SLOTWISE_TWILIO_API_KEY_SID: '', SLOTWISE_TWILIO_API_KEY_SECRET: '' };
  const at = (now) => startServer(db, { now, env, args: ['--mail-dir', mailDir, '--job-poll', '0.2', '--job-backoff', '0.3:1',
    '--allow-private-targets', '--twilio-api-base', twilio.url] });
  const T = '2026-11-24T10:00:00Z';
  const phone = '+4915112345678';

  let srv = await at('2026-11-24T06:00:00Z');
  const owner = await signIn(srv, 'owner@example.com');
  const bearer = { authorization: `Bearer ${owner.token}` };
  // Events tell nobody by SMS or push here: whatever arrives is the reminder.
  const config = { ...reminderConfig([{ before_minutes: 60, channels: ['sms', 'push'] }]),
    notifications: { provider: { email: [], sms: [], whatsapp: [], push: [] }, client: ['email'] } };
  config.services[1].active = false;  // the free plan: one active service
  assert.equal((await request(srv.url, 'PUT', '/v1/providers/p1', { body: config, headers: bearer })).status, 201);
  assert.equal((await request(srv.url, 'POST', '/v1/me/push-subscriptions', { body: push.subscribe('laptop'), headers: bearer })).status, 201);
  const made = await book(srv.url, { provider: 'p1', service: 's30', start: T, client: { ...client(1), phone } });
  assert.equal(made.status, 201, made.text);
  const id = made.json.booking.id;
  await until('the event fanned out', () => jobsOf(db, 'reminder.send', id).length === 1);
  await srv.stop();
  assert.equal(twilio.messages.length, 0);
  assert.equal(push.received('laptop').length, 0);

  srv = await at(shift(T, -3600));
  const [text] = await until('the reminder text', () => twilio.messages.length && twilio.messages, 30000);
  assert.equal(text.to, phone);
  assert.deepEqual(db.sql(`SELECT key FROM jobs WHERE kind = 'sms.send'`).map(([k]) => k), [`sms.send:reminder:${id}:${T}:60:client`]);
  const [payload] = await until('the reminder push', () => push.received('laptop').length && push.received('laptop'), 30000);
  const message = typeof payload === 'string' ? JSON.parse(payload) : payload;
  assert.equal(message.booking_id, id);
  assert.match(message.title, /in 1 h/);
  assert.ok(db.sql(`SELECT key FROM jobs WHERE kind = 'push.send'`).every(([k]) => k.startsWith(`push.send:reminder:${id}:${T}:60:provider:`)));
  // Email was not among this reminder's channels.
  assert.deepEqual(reminderMailJobs(db, id), []);
  await srv.stop();
});
