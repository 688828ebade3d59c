// Reminders and review requests (api.md "Reminders";
// server-stub/src/notifications/reminder_channel.h): the service fields, and
// the jobs that send them, with the server's clock started just before they
// are due (SLOTWISE_NOW) and mail delivered to a real SMTP server (aiosmtpd).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { admin, cleanupAll, freshDatabase, problem, providerConfig, putProvider, request, startServer } from './harness.mjs';

after(cleanupAll);

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
