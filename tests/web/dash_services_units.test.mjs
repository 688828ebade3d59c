// The services screen's rules (web/app/src/screens/services/rules.js) in
// node: money in minor units per currency, the helpers the screen builds
// documents with, every language has every string, and the rule table agrees
// with the real server: for each rule a document breaking it is flagged by
// the module and refused by PUT /v1/providers/{id}, and documents at the
// edges of every range are accepted by both.
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { repo, run, startServer } from './lib.mjs'
import { mailWith } from './dashboard_lib.mjs'

const screens = join(repo, 'web', 'app', 'src', 'screens', 'services')
const R = await import(join(screens, 'rules.js'))
const { strings } = await import(join(screens, 'strings.js'))

function base (overrides = {}) {
  return {
    id: 'consult', name: 'Consultation', schedule: 'default', active: true, durations: [30, 60],
    buffer_before_minutes: 5, buffer_after_minutes: 10, slot_interval_minutes: 15, min_notice_minutes: 120, max_advance_days: 60,
    price: { amount: 6000, currency: 'EUR' }, cancellation_policy: [{ hours_before: 48, percent: 100 }, { hours_before: 24, percent: 50 }],
    virtual: true, requires_confirmation: true, reminders: [{ before_minutes: 1440, channels: ['email', 'sms'] }],
    review_request_after_minutes: 60, ...overrides,
  }
}
const provider = (services) => ({
  name: 'Rules practice', kind: 'consultant', time_zone: 'Europe/Berlin', active: true,
  schedules: { default: { weekly: [{ day: 'mon', start: '09:00', end: '17:00' }] }, evenings: { weekly: [] } }, services,
})
const ctx = (others = [], plan) => ({ services: others, schedules: ['default', 'evenings'], plan })

// One way to break each rule of the table: [the service, the others beside it, the plan].
const breaking = {
  'id.format': [base({ id: 'bad id!' })],
  'id.unique': [base({ name: 'Second' }), [base()]],
  'name.required': [base({ name: '' })],
  'name.length': [base({ name: 'é'.repeat(101) })],
  'name.characters': [base({ name: 'Consult\u202eation' })],
  'durations.count': [base({ durations: [] })],
  'durations.range': [base({ durations: [30, 0] })],
  'durations.distinct': [base({ durations: [30, 30] })],
  'buffer_before.range': [base({ buffer_before_minutes: -1 })],
  'buffer_after.range': [base({ buffer_after_minutes: 1441 })],
  'slot_interval.range': [base({ slot_interval_minutes: 4 })],
  'min_notice.range': [base({ min_notice_minutes: -5 })],
  'max_advance.range': [base({ max_advance_days: 3651 })],
  'price.amount': [base({ price: { amount: -1, currency: 'EUR' } })],
  'price.currency': [base({ price: { amount: 100, currency: 'eur' } })],
  'policy.kind': [base({ cancellation_policy: 'lenient' })],
  'policy.hours': [base({ cancellation_policy: [{ hours_before: 87601, percent: 10 }] })],
  'policy.percent': [base({ cancellation_policy: [{ hours_before: 24, percent: 101 }] })],
  'reminders.count': [base({ reminders: Array.from({ length: 11 }, (_, i) => ({ before_minutes: 60 + i, channels: ['email'] })) })],
  'reminders.minutes': [base({ reminders: [{ before_minutes: 4, channels: ['email'] }] })],
  'reminders.distinct': [base({ reminders: [{ before_minutes: 60, channels: ['email'] }, { before_minutes: 60, channels: ['sms'] }] })],
  'reminders.channels': [base({ reminders: [{ before_minutes: 60, channels: [] }] })],
  'review.range': [base({ review_request_after_minutes: 20161 })],
  'schedule.exists': [base({ schedule: 'weekends' })],
  'active.plan': [base({ id: 'second' }), [base()], 'free'],
}
// More ways to break some rules, each also refused by the server.
const moreBreaking = [
  ['durations.count', base({ durations: [5, 10, 15, 20, 25, 30, 35, 40, 45] })],
  ['durations.range', base({ durations: [1441] })],
  ['price.amount', base({ price: { amount: 1e12 + 1, currency: 'EUR' } })],
  ['price.amount', base({ price: { amount: 12.5, currency: 'EUR' } })],
  ['price.currency', base({ price: { amount: 100, currency: 'EU' } })],
  ['reminders.channels', base({ reminders: [{ before_minutes: 60, channels: ['fax'] }] })],
  ['reminders.channels', base({ reminders: [{ before_minutes: 60, channels: ['email', 'email'] }] })],
  ['reminders.minutes', base({ reminders: [{ before_minutes: 20161, channels: ['push'] }] })],
  ['review.range', base({ review_request_after_minutes: -1 })],
  ['id.format', base({ id: 'x'.repeat(65) })],
  ['min_notice.range', base({ min_notice_minutes: 525601 })],
]
// At the edges of every range: both accept.
const valid = [
  base(),
  base({ durations: [5, 1440, 10, 20, 30, 40, 50, 60], buffer_before_minutes: 0, buffer_after_minutes: 1440, slot_interval_minutes: 5, min_notice_minutes: 525600, max_advance_days: 3650 }),
  base({ slot_interval_minutes: null, max_advance_days: null, review_request_after_minutes: null, reminders: [], cancellation_policy: [] }),
  base({ slot_interval_minutes: 1440, max_advance_days: 0, min_notice_minutes: 0, review_request_after_minutes: 20160, cancellation_policy: 'strict', schedule: 'evenings' }),
  base({ id: 'A_b-9'.padEnd(64, 'z'), name: 'é'.repeat(100), price: { amount: 1e12, currency: 'JPY' }, cancellation_policy: [{ hours_before: 87600, percent: 0 }, { hours_before: 0, percent: 100 }] }),
  base({ reminders: Array.from({ length: 10 }, (_, i) => ({ before_minutes: i ? 20160 - i : 5, channels: ['email', 'sms', 'push'] })), price: { amount: 0, currency: 'KWD' } }),
  base({ active: false, id: 'second' }),
]

// Signs an account in by the mailed code, as the dashboard does; answers a
// PUT as that account (cookie, same Origin) so the free plan applies.
async function accountClient (server, email) {
  const post = (path, body, headers = {}) => fetch(server.url + path, { method: 'POST', headers: { 'content-type': 'application/json', origin: server.url, ...headers }, body: JSON.stringify(body) })
  const { challenge } = await (await post('/v1/auth/email-code', { email })).json()
  const code = (await mailWith(join(server.dir, 'mail'), `challenge=${challenge}&`)).match(/code=([0-9]{8})/)[1]
  const session = await post('/v1/auth/session', { challenge, code })
  assert.ok(session.ok, await session.clone().text())
  const cookie = session.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ')
  return async (id, doc) => {
    const r = await fetch(`${server.url}/v1/providers/${id}`, { method: 'PUT', headers: { 'content-type': 'application/json', origin: server.url, cookie }, body: JSON.stringify(doc) })
    return { status: r.status, json: await r.json().catch(() => null) }
  }
}

await run('dashboard services units', async () => {
  // Money: minor units per currency, on the digits.
  for (const [text, currency, want] of [['60', 'EUR', 6000], ['0.29', 'EUR', 29], ['12,5', 'EUR', 1250], ['1000', 'JPY', 1000], ['1000.5', 'JPY', NaN],
    ['1.234', 'KWD', 1234], ['1.2345', 'KWD', NaN], ['1.234', 'EUR', NaN], ['-1', 'EUR', NaN], ['abc', 'EUR', NaN], ['', 'EUR', NaN], [' 7 ', 'USD', 700]]) {
    assert.ok(Object.is(R.toMinor(text, currency), want), `${text} ${currency} -> ${want}, got ${R.toMinor(text, currency)}`)
  }
  assert.equal(R.fromMinor(6005, 'EUR'), '60.05')
  assert.equal(R.fromMinor(6005, 'EUR', ','), '60,05')
  assert.equal(R.fromMinor(1000, 'JPY'), '1000')
  assert.equal(R.fromMinor(7, 'KWD'), '0.007')
  assert.equal(R.fromMinor(undefined, 'EUR'), '')
  for (const amount of [0, 1, 99, 100, 123456789]) for (const c of ['EUR', 'JPY', 'KWD']) assert.equal(R.toMinor(R.fromMinor(amount, c), c), amount)
  assert.deepEqual([R.numberField('30'), R.numberField(''), R.numberField('', true), R.numberField('3.5'), R.numberField('-2')], [30, '', null, '3.5', -2])

  // Building documents.
  const others = [base(), base({ id: 'consult-copy' })]
  const copy = R.duplicateOf(others[0], others)
  assert.equal(copy.id, 'consult-copy-2')
  assert.equal(copy.active, false)
  assert.notEqual(copy.reminders, others[0].reminders, 'a deep copy')
  const doc = provider(others)
  assert.deepEqual(R.withService(doc, { ...others[0], name: 'X' }, 'consult').services.map((s) => s.name), ['X', 'Consultation'])
  assert.equal(R.withService(doc, base({ id: 'new' }), null).services.length, 3)
  assert.deepEqual(R.withoutService(doc, 'consult').services.map((s) => s.id), ['consult-copy'])
  const fresh = R.newService(doc, 'free')
  assert.equal(fresh.active, false, 'the free plan has its active service already')
  assert.equal(R.newService(provider([]), 'free').active, true)
  assert.equal(R.newService({ ...provider([]), schedules: { afternoons: {}, default: {} } }).schedule, 'default', 'the engine’s default schedule first')
  assert.equal(R.newService({ ...provider([]), schedules: { afternoons: {} } }).schedule, 'afternoons')
  assert.deepEqual(fresh.reminders, [{ before_minutes: 2880, channels: ['email'] }, { before_minutes: 60, channels: ['email'] }])
  assert.deepEqual(R.validate({ ...fresh, id: 'fresh', name: 'Fresh' }, ctx(others, 'free')), [])
  assert.equal(R.problemField({ detail: '/services/2/price/amount must be an integer 0..10^12 (minor units)' }, 2), 'price/amount')
  assert.equal(R.problemField({ detail: 'missing field /services/0/name' }, 0), 'name')
  assert.equal(R.problemField({ detail: 'x at /services/1/durations/0', engine_error: { path: '/services/1/durations/0' } }, 1), 'durations/0')
  assert.equal(R.problemField({ detail: '/services/1/durations/0 bad' }, 0), null, 'another service’s problem is not this one’s')

  // Every language has every string, and every rule's text exists.
  for (const lang of ['de', 'fr', 'es']) assert.deepEqual(Object.keys(strings[lang]).sort(), Object.keys(strings.en).sort(), lang)
  for (const rule of R.rules) assert.ok(strings.en[rule.text], rule.text)
  assert.deepEqual(Object.keys(breaking).sort(), R.rules.map((r) => r.id).sort(), 'a breaking document for every rule')

  // Agreement with the server.
  const server = await startServer({ now: null, args: ['--job-poll', '0.1'] })
  const admin = async (id, services) => server.api('PUT', `/v1/providers/${id}`, provider(services))
  const asAccount = await accountClient(server, 'rules@example.com')
  assert.equal((await asAccount('rules-own', provider([base()]))).status, 201)
  let n = 0
  for (const s of valid) {
    const others = s.id === 'second' ? [base()] : []
    assert.deepEqual(R.validate(s, ctx(others, 'free')), [], JSON.stringify(s))
    const r = await asAccount('rules-own', provider([...others, s]))
    assert.equal(r.status, 200, `${JSON.stringify(s)}: ${JSON.stringify(r.json)}`)
  }
  const cases = [...Object.entries(breaking).map(([id, c]) => [id, ...c]), ...moreBreaking]
  for (const [ruleId, service, others = [], plan] of cases) {
    const found = R.validate(service, ctx(others, plan))
    assert.ok(found.some((e) => e.rule === ruleId), `${ruleId}: the rules flag ${JSON.stringify(service)} (got ${JSON.stringify(found)})`)
    const field = R.rules.find((r) => r.id === ruleId).field
    const r = plan ? await asAccount('rules-own', provider([...others, service])) : await admin(`rules-${++n}`, [...others, service])
    assert.ok(r.status === 400 || r.status === 422, `${ruleId}: the server refuses (${r.status} ${JSON.stringify(r.json)})`)
    // The server's problem finds its way back to the rule's field.
    const at = r.json.code === 'PLAN_LIMIT' ? 'active' : R.problemField(r.json, others.length)
    assert.ok(at === field || at?.startsWith(field + '/'), `${ruleId}: the problem points at ${at}, not ${field}: ${JSON.stringify(r.json)}`)
  }
  // Without the free plan (an operator's provider) two active services are fine.
  assert.deepEqual(R.validate(base({ id: 'second' }), ctx([base()])), [])
  assert.equal((await admin('rules-paid', [base(), base({ id: 'second' })])).status, 201)
})
