// The bookings and clients screens' rules in Node (web/app/src/screens/
// bookings/model.js, clients/model.js): tabs, actions, the refund shown
// before acting, the week grid in the provider's zone, the client's zone,
// RFC 4180 CSV with formula-safe cells, the clients' search and order, and
// every language has every string.
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { repo, run } from './lib.mjs'

const screens = join(repo, 'web', 'app', 'src', 'screens')
const m = await import(join(screens, 'bookings', 'model.js'))
const c = await import(join(screens, 'clients', 'model.js'))

const NOW = Date.parse('2026-12-09T12:00:00Z') // a Wednesday
const bk = (id, start, status, extra = {}) => ({
  id, start, end: new Date(Date.parse(start) + 30 * 60000).toISOString().replace('.000Z', 'Z'), status,
  client: { name: `Name ${id}`, email: `${id}@example.com` }, price: { amount: 6000, currency: 'EUR' }, ...extra,
})

await run('dashboard bookings units', async () => {
  // The address holds the state; nonsense falls back to the defaults.
  const q = (s) => m.readQuery(new URLSearchParams(s))
  assert.deepEqual(q(''), { tab: 'upcoming', view: 'list', q: '', week: null })
  assert.deepEqual(q('tab=past&view=week&week=2026-12-07&q=%20ann%20'), { tab: 'past', view: 'week', q: 'ann', week: '2026-12-07' })
  assert.deepEqual(q('tab=nope&view=grid&week=12/07'), { tab: 'upcoming', view: 'list', q: '', week: null })
  assert.equal(m.queryString({ tab: 'pending', view: 'list', q: 'a b' }), '?tab=pending&q=a+b')
  assert.equal(m.queryString({ tab: 'upcoming', view: 'list', q: '' }), '')
  for (const s of ['tab=past&q=x', 'view=week&week=2026-12-07', 'tab=cancelled']) assert.deepEqual(q(m.queryString(q(s)).slice(1)), q(s), s)

  // Ranges the server accepts (at most 366 days), in the provider's dates.
  assert.deepEqual(m.fetchRange(q(''), '2026-12-09'), { from: '2026-12-09', to: '2027-12-09' })
  assert.deepEqual(m.fetchRange(q('tab=past'), '2026-12-09'), { from: '2025-12-09', to: '2026-12-09' })
  assert.deepEqual(m.fetchRange(q('view=week&week=2026-12-10'), '2026-12-09'), { from: '2026-12-07', to: '2026-12-13' })

  const list = [
    bk('a', '2026-12-10T09:00:00Z', 'CONFIRMED'), bk('b', '2026-12-11T09:00:00Z', 'PENDING'),
    bk('c', '2026-12-08T09:00:00Z', 'CONFIRMED'), bk('d', '2026-12-01T09:00:00Z', 'NO_SHOW'),
    bk('e', '2026-12-12T09:00:00Z', 'CANCELLED'), bk('f', '2026-12-02T09:00:00Z', 'EXPIRED'),
    bk('g', '2026-12-09T13:00:00Z', 'HELD', { client: { name: 'Ann Smith', email: 'ann@Example.org' } }),
  ]
  const ids = (tab, query = '') => m.filterBookings(list, { tab, q: query }, NOW).map((x) => x.id)
  assert.deepEqual(ids('upcoming'), ['g', 'a', 'b'])
  assert.deepEqual(ids('pending'), ['b'])
  assert.deepEqual(ids('past'), ['c', 'd'], 'most recent first; a started CONFIRMED awaits its outcome')
  assert.deepEqual(ids('cancelled'), ['e', 'f'])
  assert.deepEqual(ids('upcoming', 'ANN'), ['g'], 'search by name, any case')
  assert.deepEqual(ids('upcoming', 'example.ORG'), ['g'], 'search by email')

  // The transition table's provider actions, by time.
  assert.deepEqual(m.actionsFor(list[1], NOW), ['confirm', 'decline'])
  assert.deepEqual(m.actionsFor(list[0], NOW), ['cancel'])
  assert.deepEqual(m.actionsFor(list[2], NOW), ['complete', 'no_show'])
  assert.deepEqual(m.actionsFor(list[3], NOW), [])
  assert.deepEqual(m.actionsFor(list[4], NOW), [])

  // The refund before acting: the provider's cancel 100 %, a no-show 0 %;
  // no payment taken means no money moves.
  assert.deepEqual(m.refundOutcome(list[0], 'cancel'), { percent: 100, price: list[0].price, paid: false, refund: { amount: 6000, currency: 'EUR' } })
  assert.deepEqual(m.refundOutcome(list[1], 'decline').refund, { amount: 6000, currency: 'EUR' })
  assert.deepEqual(m.refundOutcome(list[2], 'no_show'), { percent: 0, price: list[2].price, paid: false, refund: { amount: 0, currency: 'EUR' } })
  assert.equal(m.refundOutcome(list[1], 'confirm'), null)
  assert.equal(m.refundOutcome(list[2], 'complete'), null)
  assert.equal(m.refundOutcome({ ...list[0], price: { amount: 0, currency: 'EUR' } }, 'cancel').price, null, 'a free booking')

  // The week in the provider's zone: 23:30 UTC on Sunday is Monday in Berlin.
  const late = bk('late', '2026-12-06T23:30:00Z', 'CONFIRMED')
  const week = m.weekDays([late, list[0]], '2026-12-09', 'Europe/Berlin')
  assert.deepEqual(week.map((d) => d.date), ['2026-12-07', '2026-12-08', '2026-12-09', '2026-12-10', '2026-12-11', '2026-12-12', '2026-12-13'])
  assert.deepEqual(week[0].bookings.map((x) => x.id), ['late'])
  assert.deepEqual(week[3].bookings.map((x) => x.id), ['a'])
  assert.equal(m.weekDays([late], '2026-12-06', 'UTC')[6].bookings.length, 1, 'Sunday in UTC')
  assert.equal(m.weekStart('2026-12-13'), '2026-12-07')
  assert.equal(m.weekStart('2026-12-07'), '2026-12-07')

  // The client's zone only when it shows another wall time.
  assert.equal(m.clientZone({ ...late, time_zone: 'America/New_York' }, 'Europe/Berlin'), 'America/New_York')
  assert.equal(m.clientZone({ ...late, time_zone: 'Europe/Berlin' }, 'Europe/Berlin'), null)
  assert.equal(m.clientZone({ ...late, time_zone: 'Europe/Paris' }, 'Europe/Berlin'), null, 'same offset: nothing to add')
  assert.equal(m.clientZone(late, 'Europe/Berlin'), null)

  // CSV: RFC 4180 quoting, CRLF, formula-injection safe cells.
  assert.equal(m.csvField('plain'), 'plain')
  assert.equal(m.csvField('a,b'), '"a,b"')
  assert.equal(m.csvField('say "hi"'), '"say ""hi"""')
  assert.equal(m.csvField('two\nlines'), '"two\nlines"')
  for (const lead of ['=', '+', '-', '@', '\t', '\r']) assert.equal(m.safeCell(`${lead}1+1`), `'${lead}1+1`, JSON.stringify(lead))
  assert.equal(m.csvField('=HYPERLINK("http://x","y")'), '"\'=HYPERLINK(""http://x"",""y"")"')
  assert.equal(m.csvField(null), '')
  assert.equal(m.decimalAmount({ amount: 6000, currency: 'EUR' }), '60.00')
  assert.equal(m.decimalAmount({ amount: 6000, currency: 'JPY' }), '6000')
  const csv = m.bookingsCsv([{ ...late, service: 'consult', time_zone: 'America/New_York', client: { name: '=cmd|x', email: 'e@x.org', phone: '+49 30 1' }, notes: 'a, "b"' }], 'Europe/Berlin')
  const lines = csv.split('\r\n')
  assert.equal(lines[0], m.CSV_COLUMNS.join(','))
  assert.equal(lines[2], '', 'every record ends in CRLF')
  assert.equal(lines[1], "late,2026-12-07 00:30,2026-12-07 01:00,Europe/Berlin,CONFIRMED,consult,'=cmd|x,e@x.org,'+49 30 1,America/New_York,60.00,EUR,,,\"a, \"\"b\"\"\",")

  // Clients: search and order.
  const clients = [
    { name: 'Zoe', email: 'z@example.com', bookings: 1, no_shows: 0, locked_out: false },
    { name: 'Ann', email: 'a@example.com', bookings: 3, no_shows: 1, locked_out: true },
    { name: 'Émile', email: 'e@example.com', bookings: 2, no_shows: 0, locked_out: false },
  ]
  const names = (s) => c.filterClients([...clients], s).map((x) => x.name)
  assert.deepEqual(names({ q: '', sort: 'recent' }), ['Zoe', 'Ann', 'Émile'], 'the server\'s order')
  assert.deepEqual(names({ q: '', sort: 'bookings' }), ['Ann', 'Émile', 'Zoe'])
  assert.deepEqual(names({ q: '', sort: 'no_shows' }).slice(0, 1), ['Ann'])
  assert.deepEqual(names({ q: '', sort: 'name' }), ['Ann', 'Émile', 'Zoe'])
  assert.deepEqual(names({ q: 'E@EXAMPLE', sort: 'recent' }), ['Émile'])
  assert.deepEqual(c.readQuery(new URLSearchParams('sort=bogus&q=x')), { q: 'x', sort: 'recent' })
  assert.equal(c.queryString({ q: 'x', sort: 'recent' }), '?q=x')

  // Payments (issue 16): the state shown on each booking and the refund said before acting.
  const pay = (extra) => ({ mode: 'full', amount: 6000, currency: 'EUR', status: 'succeeded', expires_at: '2026-12-09T12:15:00Z', amount_received: 6000, refunded_amount: 0, refunds: [], ...extra })
  const paid = bk('p', '2026-12-10T09:00:00Z', 'CONFIRMED', { payment: pay() })
  assert.deepEqual(m.paymentState(paid), { key: 'paid', amount: 6000, currency: 'EUR' })
  assert.deepEqual(m.paymentState({ ...paid, payment: pay({ mode: 'deposit', amount: 2000, amount_received: 2000 }) }), { key: 'deposit_paid', amount: 2000, currency: 'EUR' })
  assert.deepEqual(m.paymentState(bk('h', '2026-12-10T09:00:00Z', 'HELD', { payment: pay({ status: 'requires_payment_method', amount_received: 0 }) })),
    { key: 'awaiting', amount: 6000, currency: 'EUR', until: '2026-12-09T12:15:00Z' })
  assert.equal(m.paymentState(bk('x', '2026-12-10T09:00:00Z', 'EXPIRED', { payment: pay({ status: 'canceled', amount_received: 0 }) })).key, 'unpaid')
  const refund = (status, amount = 6000) => ({ id: `r-${status}`, amount, currency: 'EUR', status, reason: 'provider_cancelled', created_at: '2026-12-09T12:00:00Z' })
  assert.deepEqual(m.paymentState({ ...paid, payment: pay({ refunds: [refund('requested')] }) }), { key: 'refund_pending', amount: 6000, currency: 'EUR' })
  assert.equal(m.paymentState({ ...paid, payment: pay({ refunds: [refund('pending')] }) }).key, 'refund_pending')
  assert.deepEqual(m.paymentState({ ...paid, payment: pay({ refunded_amount: 6000, refunds: [refund('succeeded')] }) }), { key: 'refunded', amount: 6000, currency: 'EUR' })
  assert.deepEqual(m.paymentState({ ...paid, payment: pay({ refunded_amount: 3000, refunds: [refund('succeeded', 3000)] }) }), { key: 'partly_refunded', amount: 3000, of: 6000, currency: 'EUR' })
  assert.equal(m.paymentState({ ...paid, payment: pay({ refunds: [refund('failed')] }) }).key, 'refund_failed')
  assert.equal(m.paymentState(bk('n', '2026-12-10T09:00:00Z', 'CONFIRMED')), null, 'no payment, no state')
  // The refund before acting is what was taken, not the price: a deposit of 20 of 60.
  const deposit = { ...paid, payment: pay({ mode: 'deposit', amount: 2000, amount_received: 2000 }) }
  assert.deepEqual(m.refundOutcome(deposit, 'cancel'), { percent: 100, price: paid.price, paid: true, refund: { amount: 2000, currency: 'EUR' }, received: { amount: 2000, currency: 'EUR' } })
  assert.deepEqual(m.refundOutcome(deposit, 'no_show').refund, { amount: 0, currency: 'EUR' })
  // Already refunded or on its way: nothing more to give back.
  assert.equal(m.refundOutcome({ ...paid, payment: pay({ refunds: [refund('pending')] }) }, 'cancel').paid, false)
  assert.equal(m.refundOutcome({ ...paid, payment: pay({ status: 'requires_payment_method', amount_received: 0 }) }, 'decline').paid, false)

  // Every language has every string of both screens.
  for (const file of ['bookings/strings.js', 'clients/strings.js']) {
    const { strings } = await import(join(screens, file))
    const keys = Object.keys(strings.en).sort()
    for (const lang of ['de', 'fr', 'es']) assert.deepEqual(Object.keys(strings[lang]).sort(), keys, `${file} ${lang}`)
  }
})
