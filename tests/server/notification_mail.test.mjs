// Booking mails (issue 12, api.md part 2 "Email"): every event of a booking's
// life as the mails the client and the provider receive, delivered by the
// server to a real SMTP server (aiosmtpd), read back with Python's email
// package and their .ics invites with ical.js. The server's clock starts in
// the week Europe/Berlin sets its clocks back (SLOTWISE_NOW); the client reads
// in Pacific/Auckland, the provider in Europe/Berlin.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { admin, book, cleanupAll, freePort, freshDatabase, putProvider, request, startServer, tempDir, until } from './harness.mjs';

// Not after() inside before(): that would run as soon as before() is done.
let stopSmtp = async () => {};
after(async () => { await cleanupAll(); await stopSmtp(); });

const repo = path.resolve('../..');
const ICAL = (() => { const m = createRequire(path.join(repo, 'web', 'package.json'))('ical.js'); return m.default ?? m; })();
const PYTHON = fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const ORIGIN = 'https://book.example.test';
const NOW = '2026-10-20T08:00:00Z';  // Tuesday; Berlin goes from UTC+2 to UTC+1 on Sunday 25 October at 03:00
const PROVIDER_EMAIL = 'praxis@example.org';

const everyDay = (start, end) => ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((day) => ({ day, start, end }));
const praxis = (notifications = { provider_email: PROVIDER_EMAIL }) => ({
  name: 'Praxis Müller', kind: 'doctor', time_zone: 'Europe/Berlin', active: true,
  address: 'Torstraße 1, 10119 Berlin',
  schedules: { default: { weekly: everyDay('00:00', '24:00'), overrides: [] } },
  services: [
    { id: 'consult', name: 'Beratung', durations: [60], slot_interval_minutes: 30, min_notice_minutes: 60, max_advance_days: 90,
      price: { amount: 4500, currency: 'EUR' }, cancellation_policy: 'flexible', virtual: false, requires_confirmation: false },
    { id: 'video', name: 'Videosprechstunde', durations: [30], slot_interval_minutes: 30, min_notice_minutes: 60, max_advance_days: 90,
      price: { amount: 3000, currency: 'EUR' }, cancellation_policy: 'flexible', virtual: true, requires_confirmation: true },
  ],
  notifications,
});

let db, server, smtpOut, smtpPort;
const serverArgs = () => ['--smtp', `smtp://127.0.0.1:${smtpPort}`, '--public-url', ORIGIN, '--web-root', path.join(repo, 'web'),
  '--job-poll', '0.1', '--job-backoff', '0.5:1', '--mail-from', 'Slotwise <noreply@book.example.test>'];

before(async () => {
  smtpOut = tempDir('slotwise-smtp-');
  smtpPort = await freePort();
  const proc = spawn(PYTHON, [path.resolve('smtp_server.py'), '--port', String(smtpPort), '--out', smtpOut], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise((resolve) => proc.on('exit', resolve));
  await new Promise((resolve, reject) => {
    let out = '';
    proc.stdout.on('data', (d) => { out += d; if (out.includes('ready')) resolve(); });
    exited.then((code) => reject(new Error(`smtp_server.py exited (${code})`)));
  });
  stopSmtp = async () => { if (proc.exitCode === null) { proc.kill('SIGTERM'); await exited; } };
  db = await freshDatabase();
  server = await startServer(db, { now: NOW, args: serverArgs() });
  await putProvider(server.url, 'praxis', praxis());
  await putProvider(server.url, 'quiet', praxis({ provider_email: 'quiet@example.org', provider: { email: [] } }));
});

// Every message the SMTP server took, parsed (cached by file: they never change).
const parsed = new Map();
function allMail() {
  const files = fs.readdirSync(smtpOut).filter((f) => f.endsWith('.eml')).map((f) => path.join(smtpOut, f)).filter((f) => !parsed.has(f));
  if (files.length) {
    const out = JSON.parse(execFileSync(PYTHON, [path.resolve('mail/booking_mail_parse.py'), ...files], { encoding: 'utf8', maxBuffer: 64 << 20 }));
    for (const m of out) parsed.set(m.file, m);
  }
  return [...parsed.values()];
}
// The mails to `address` whose subject matches, once there are `count` of them.
const mailsTo = (address, subject, count = 1) => until(`${count} mail(s) to ${address} matching ${subject}`, () => {
  const found = allMail().filter((m) => m.to.includes(address) && subject.test(m.subject));
  return found.length >= count ? found : null;
}, 20000);

// The one invite of a mail, read by ical.js.
function invite(mail) {
  assert.equal(mail.attachments.length, 1, `${mail.subject}: one attachment`);
  const [a] = mail.attachments;
  assert.equal(a.content_type, 'text/calendar');
  const calendar = new ICAL.Component(ICAL.parse(a.content));
  const event = calendar.getFirstSubcomponent('vevent');
  const alarm = event.getFirstSubcomponent('valarm');
  return {
    param: a.method,
    method: calendar.getFirstPropertyValue('method'),
    uid: event.getFirstPropertyValue('uid'),
    sequence: event.getFirstPropertyValue('sequence'),
    start: event.getFirstPropertyValue('dtstart').toJSDate().toISOString(),
    end: event.getFirstPropertyValue('dtend').toJSDate().toISOString(),
    utc: event.getFirstPropertyValue('dtstart').zone === ICAL.Timezone.utcTimezone,
    status: event.getFirstPropertyValue('status'),
    location: event.getFirstPropertyValue('location'),
    url: event.getFirstPropertyValue('url'),
    organizer: event.getFirstPropertyValue('organizer'),
    attendee: event.getFirstPropertyValue('attendee'),
    trigger: alarm ? alarm.getFirstPropertyValue('trigger').toString() : null,
  };
}

// What a text and its HTML both say, tags and entities aside.
const htmlText = (html) => html.replace(/<[^>]+>/g, ' ').replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>')
  .replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/\s+/g, ' ');
function saysBoth(mail, ...phrases) {
  for (const phrase of phrases) {
    assert.ok(mail.text.includes(phrase), `${mail.subject}: text lacks ${phrase}\n${mail.text}`);
    assert.ok(htmlText(mail.html).includes(phrase), `${mail.subject}: HTML lacks ${phrase}`);
  }
}

// The event mails of a booking (not the reminders' or the review request's, which are jobs of their own).
const jobKeys = (bookingId) => db.sql(`SELECT key FROM jobs WHERE kind = 'mail.send' AND key LIKE 'mail.send:evt_${bookingId}_%' ORDER BY key`)
  .map(([k]) => k).filter((k) => /:(client|provider)$/.test(k));
const eventsDone = (bookingId, n) => until(`${n} events of ${bookingId} fanned out`, () => {
  const rows = db.sql(`SELECT state FROM jobs WHERE kind = 'booking.event' AND key LIKE 'booking.event:${bookingId}:%'`);
  return rows.length === n && rows.every(([s]) => s === 'done');
}, 20000);
const ics = async (id, token) => {
  const r = await request(server.url, 'GET', `/v1/bookings/${id}.ics?token=${token}`);
  assert.equal(r.status, 200, r.text);
  const event = new ICAL.Component(ICAL.parse(r.text)).getFirstSubcomponent('vevent');
  return { uid: event.getFirstPropertyValue('uid'), sequence: event.getFirstPropertyValue('sequence') };
};

const AUCKLAND_DE = 'Sonntag, 25. Oktober 2026, 13:30–14:30 (Pacific/Auckland)';
// The night the clocks go back in Berlin: 02:30 happens twice, so each carries its offset.
const BERLIN_TWICE_DE = 'Sonntag, 25. Oktober 2026, 02:30 UTC+02:00 – 02:30 UTC+01:00 (Europe/Berlin)';
const BERLIN_TWICE_EN = 'Sunday, 25 October 2026, 02:30 UTC+02:00 – 02:30 UTC+01:00 (Europe/Berlin)';

test('a booking\'s life in German for a client in Auckland: confirmed, moved, cancelled; one UID, a growing SEQUENCE', async () => {
  const zoe = { name: 'Zoë Ångström', email: 'zoe@example.com' };  // no phone
  const made = await book(server.url, { provider: 'praxis', service: 'consult', start: '2026-10-25T00:30:00Z', client: zoe,
    time_zone: 'Pacific/Auckland', locale: 'de-DE' });
  assert.equal(made.status, 201, made.text);
  const { id, manage_token: token } = made.json.booking;
  assert.equal(made.json.booking.status, 'CONFIRMED');

  // Created: the client's confirmation in German, in Auckland time and Berlin's.
  const [confirmation] = await mailsTo(zoe.email, /^Buchung bestätigt/);
  assert.equal(confirmation.subject, 'Buchung bestätigt: Beratung, 25. Oktober 2026, 13:30');
  assert.deepEqual(confirmation.defects, []);
  saysBoth(confirmation, `Wann: ${AUCKLAND_DE}`, `Zeit bei Praxis Müller: ${BERLIN_TWICE_DE}`, 'Dauer: 60 Min.', 'Preis: 45,00 EUR',
    'Wo: Torstraße 1, 10119 Berlin', 'Hallo Zoë Ångström,');
  const manage = `${ORIGIN}/manage/?provider=praxis#slotwise-booking=${id}&slotwise-token=${token}`;
  assert.ok(confirmation.text.includes(`Ändern oder absagen: ${manage}\n`), confirmation.text);
  assert.ok(confirmation.html.includes(`href="${manage.replace(/&/g, '&amp;')}"`), 'the HTML links the same manage page');
  const first = invite(confirmation);
  assert.equal(first.param, 'REQUEST');
  assert.equal(first.method, 'REQUEST');
  assert.equal(first.uid, `${id}@slotwise`);
  assert.equal(first.sequence, 0);
  assert.equal(first.start, '2026-10-25T00:30:00.000Z');
  assert.equal(first.end, '2026-10-25T01:30:00.000Z');
  assert.ok(first.utc, 'DTSTART in UTC');
  assert.equal(first.status, 'CONFIRMED');
  assert.equal(first.location, 'Torstraße 1, 10119 Berlin');
  assert.equal(first.url, null);
  assert.equal(first.organizer, `mailto:${PROVIDER_EMAIL}`);
  assert.equal(first.attendee, `mailto:${zoe.email}`);
  assert.equal(first.trigger, '-PT1H');

  // ... and the provider's "new booking", in Berlin time, with the client's.
  const [newBooking] = await mailsTo(PROVIDER_EMAIL, new RegExp(`^New booking: ${zoe.name}, 25 October 2026`));
  assert.equal(newBooking.subject, 'New booking: Zoë Ångström, 25 October 2026, 02:30 UTC+02:00');
  saysBoth(newBooking, `When: ${BERLIN_TWICE_EN}`, "Client's time: Sunday, 25 October 2026, 13:30–14:30 (Pacific/Auckland)",
    'Email: zoe@example.com', 'Price: EUR 45.00');
  assert.ok(!newBooking.text.includes('Phone'), 'no phone line for a client without one');
  assert.ok(!newBooking.text.includes('/manage/'), "the client's manage link is the client's");
  assert.equal(invite(newBooking).uid, first.uid);
  assert.deepEqual(await ics(id, token), { uid: first.uid, sequence: 0 });

  // Rescheduled by the client: old and new time, the same UID, SEQUENCE 1.
  const moved = await request(server.url, 'POST', `/v1/bookings/${id}/reschedule?token=${token}`, { body: { start: '2026-10-26T09:00:00Z' } });
  assert.equal(moved.status, 200, moved.text);
  const [movedMail] = await mailsTo(zoe.email, /^Termin verschoben/);
  assert.equal(movedMail.subject, 'Termin verschoben: Beratung, jetzt 26. Oktober 2026, 22:00');
  saysBoth(movedMail, `Bisher: ${AUCKLAND_DE}`, 'Neuer Termin: Montag, 26. Oktober 2026, 22:00–23:00 (Pacific/Auckland)',
    'Zeit bei Praxis Müller: Montag, 26. Oktober 2026, 10:00–11:00 (Europe/Berlin)');
  const second = invite(movedMail);
  assert.deepEqual([second.method, second.uid, second.sequence, second.start], ['REQUEST', first.uid, 1, '2026-10-26T09:00:00.000Z']);
  const [providerMoved] = await mailsTo(PROVIDER_EMAIL, /^Booking moved: Zoë Ångström/);
  saysBoth(providerMoved, 'Previously: ' + BERLIN_TWICE_EN, 'New time: Monday, 26 October 2026, 10:00–11:00 (Europe/Berlin)');
  assert.equal(invite(providerMoved).sequence, 1);

  // Cancelled by the client: who and why, no refund line (nothing was paid), CANCEL with SEQUENCE 2.
  const cancelled = await request(server.url, 'POST', `/v1/bookings/${id}/cancel?token=${token}`, { body: { reason: 'Krank' } });
  assert.equal(cancelled.status, 200, cancelled.text);
  const [cancelMail] = await mailsTo(zoe.email, /^Buchung storniert/);
  saysBoth(cancelMail, 'Ihre Buchung bei Praxis Müller ist wie gewünscht storniert.', 'Grund: Krank');
  assert.ok(!cancelMail.text.includes('Erstattung'), 'no refund is mentioned without a payment');
  assert.ok(!cancelMail.text.includes('/manage/'), 'nothing left to manage');
  const third = invite(cancelMail);
  assert.deepEqual([third.param, third.method, third.uid, third.sequence, third.status, third.trigger],
    ['CANCEL', 'CANCEL', first.uid, 2, 'CANCELLED', null]);
  const [providerCancelled] = await mailsTo(PROVIDER_EMAIL, /^Booking cancelled: Zoë Ångström/);
  saysBoth(providerCancelled, 'Zoë Ångström has cancelled their booking; the time is free again.', 'Reason: Krank');
  assert.equal(invite(providerCancelled).method, 'CANCEL');
  assert.deepEqual(await ics(id, token), { uid: first.uid, sequence: 2 });
  // Six mails, each queued once under the event's id.
  await eventsDone(id, 3);
  assert.deepEqual(jobKeys(id), [0, 1, 2].flatMap((n) => [`mail.send:evt_${id}_${n}:client`, `mail.send:evt_${id}_${n}:provider`]));
});

test('a request in French: received, waiting with confirm and decline links, confirmed with the meeting link; the provider is not told what they did', async () => {
  const louise = { name: 'Louise Martin', email: 'louise@example.fr', phone: '+33612345678' };
  const made = await book(server.url, { provider: 'praxis', service: 'video', start: '2026-10-21T09:00:00Z', client: louise, locale: 'fr-FR' });
  assert.equal(made.status, 201, made.text);
  const { id } = made.json.booking;
  assert.equal(made.json.booking.status, 'PENDING');
  const [received] = await mailsTo(louise.email, /^Demande reçue/);
  assert.equal(received.subject, 'Demande reçue : Videosprechstunde, 21 octobre 2026, 11:00');
  // No zone of their own: the provider's, once.
  saysBoth(received, 'Quand : mercredi 21 octobre 2026, 11:00–11:30 (Europe/Berlin)', 'Prix : 30,00 EUR',
    'Praxis Müller a bien reçu votre demande');
  assert.ok(!received.text.includes('Heure chez'), 'no second zone where both read the same clocks');
  assert.ok(!received.text.includes('Torstraße'), 'an online service is not at the office, link or no link yet');
  const request1 = invite(received);
  assert.deepEqual([request1.method, request1.status, request1.sequence], ['REQUEST', 'TENTATIVE', 0]);

  const [waiting] = await mailsTo(PROVIDER_EMAIL, /^Request waiting: Louise Martin/);
  assert.equal(waiting.subject, 'Request waiting: Louise Martin, 21 October 2026, 11:00');
  saysBoth(waiting, 'Phone: +33612345678', 'Please confirm or decline before');
  const confirmLink = waiting.text.match(/^Confirm: (\S+)$/m)?.[1];
  const declineLink = waiting.text.match(/^Decline: (\S+)$/m)?.[1];
  assert.ok(confirmLink?.startsWith(`${ORIGIN}/v1/booking-actions/`), waiting.text);
  assert.ok(declineLink?.startsWith(`${ORIGIN}/v1/booking-actions/`), waiting.text);
  assert.notEqual(confirmLink, declineLink);
  assert.ok(waiting.html.includes(`href="${confirmLink}"`), 'the HTML has the same link as a button');

  const confirmed = await request(server.url, 'POST', `/v1/bookings/${id}/confirm`, { headers: admin });
  assert.equal(confirmed.status, 200, confirmed.text);
  const link = confirmed.json.booking.meeting_link;
  const [confirmation] = await mailsTo(louise.email, /^Réservation confirmée/);
  saysBoth(confirmation, 'Praxis Müller a confirmé votre réservation.', `Rendez-vous en ligne : ${link}`);
  assert.ok(!confirmation.text.includes('Torstraße'), 'an online meeting shows its link, not the address');
  const request2 = invite(confirmation);
  assert.deepEqual([request2.method, request2.status, request2.sequence, request2.uid, request2.location, request2.url],
    ['REQUEST', 'CONFIRMED', 1, request1.uid, link, link]);
  await eventsDone(id, 2);
  assert.deepEqual(jobKeys(id), [`mail.send:evt_${id}_0:client`, `mail.send:evt_${id}_0:provider`, `mail.send:evt_${id}_1:client`]);
});

test('declined, cancelled by the provider, and a provider who turned mail off', async () => {
  const a = (await book(server.url, { provider: 'praxis', service: 'video', start: '2026-10-22T09:00:00Z',
    client: { name: 'Ann Lee', email: 'ann@example.com' } })).json.booking;
  assert.equal((await request(server.url, 'POST', `/v1/bookings/${a.id}/decline`, { headers: admin, body: { reason: 'Fully booked' } })).status, 200);
  const [declined] = await mailsTo('ann@example.com', /^Request declined/);
  assert.equal(declined.subject, 'Request declined: Videosprechstunde, 22 October 2026, 11:00');
  saysBoth(declined, 'Praxis Müller cannot accept your request', 'Reason: Fully booked');
  assert.deepEqual([invite(declined).method, invite(declined).status, invite(declined).sequence], ['CANCEL', 'CANCELLED', 1]);

  const b = (await book(server.url, { provider: 'praxis', service: 'consult', start: '2026-10-23T09:00:00Z',
    client: { name: 'Ben Ode', email: 'ben@example.com' }, locale: 'es' })).json.booking;
  assert.equal((await request(server.url, 'POST', `/v1/bookings/${b.id}/cancel`, { headers: admin, body: { reason: 'Enfermedad' } })).status, 200);
  const [cancelled] = await mailsTo('ben@example.com', /^Reserva cancelada/);
  saysBoth(cancelled, 'Praxis Müller ha cancelado tu reserva.', 'Motivo: Enfermedad');
  await eventsDone(b.id, 2);
  await eventsDone(a.id, 2);
  assert.deepEqual(jobKeys(a.id), [`mail.send:evt_${a.id}_0:client`, `mail.send:evt_${a.id}_0:provider`, `mail.send:evt_${a.id}_1:client`]);
  assert.deepEqual(jobKeys(b.id), [`mail.send:evt_${b.id}_0:client`, `mail.send:evt_${b.id}_0:provider`, `mail.send:evt_${b.id}_1:client`]);

  const c = (await book(server.url, { provider: 'quiet', service: 'consult', start: '2026-10-23T09:00:00Z',
    client: { name: 'Cleo Quiet', email: 'cleo@example.com' } })).json.booking;
  await mailsTo('cleo@example.com', /^Booking confirmed/);
  await eventsDone(c.id, 1);
  assert.deepEqual(jobKeys(c.id), [`mail.send:evt_${c.id}_0:client`]);
});

test('the manage page the links open is served', async () => {
  const page = await request(server.url, 'GET', '/manage/?provider=praxis');
  assert.equal(page.status, 200);
  assert.match(page.headers['content-type'], /^text\/html/);
  assert.ok(page.text.includes('src="/manage/manage.js"') && page.text.includes('src="/widget.js"'));
  const script = await request(server.url, 'GET', '/manage/manage.js');
  assert.equal(script.status, 200);
  assert.ok(script.text.includes("get('provider')"));
});

test('a request nobody answers expires; a completed visit sends the client nothing by mail', async () => {
  const d = (await book(server.url, { provider: 'praxis', service: 'video', start: '2026-10-27T09:00:00Z',
    client: { name: 'Dora Late', email: 'dora@example.com' }, locale: 'de' })).json.booking;
  const e = (await book(server.url, { provider: 'praxis', service: 'consult', start: '2026-10-27T10:00:00Z',
    client: { name: 'Emil Done', email: 'emil@example.com' } })).json.booking;
  await eventsDone(d.id, 1);
  await eventsDone(e.id, 1);
  // The server comes back after the request's time: its expiry runs at once.
  await server.stop();
  server = await startServer(db, { now: '2026-10-27T12:00:00Z', args: serverArgs() });
  const [expired] = await mailsTo('dora@example.com', /^Anfrage abgelaufen/);
  saysBoth(expired, 'Praxis Müller hat Ihre Anfrage nicht rechtzeitig beantwortet');
  assert.deepEqual([invite(expired).method, invite(expired).sequence], ['CANCEL', 1]);
  await mailsTo(PROVIDER_EMAIL, /^Request expired: Dora Late/);
  assert.equal((await request(server.url, 'POST', `/v1/bookings/${e.id}/complete`, { headers: admin })).status, 200);
  // (The restart's clock is a week on: the done jobs of the first week are pruned by then.)
  await until('the completed event fanned out', () => db.sql(`SELECT state FROM jobs WHERE key = 'booking.event:${e.id}:1'`)[0]?.[0] === 'done', 20000);
  assert.deepEqual(jobKeys(e.id).filter((k) => k.includes(`evt_${e.id}_1:`)), []);
});
