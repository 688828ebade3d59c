// The widget's pure helpers, table-driven: brand colours reach WCAG AA
// against both themes with readable text on them, calendar arithmetic, and
// every language has every string.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { repo, run } from './lib.mjs'

const src = (f) => import(join(repo, 'web', 'src', f))

await run('web units', async () => {
  const { accessibleBrand, contrast } = await src('colour.js')
  const rgb = (hex) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16))
  const brands = ['#2f5bd3', '#ffffff', '#000000', '#ffe14d', '#00ff00', '#777777', '#e8590c', '#0f766e', '#ff00ff', '#123', '#fafafa', 'not-a-colour']
  for (const bg of ['#ffffff', '#f4f6f9', '#15181d', '#1e232a']) {
    for (const brand of brands) {
      const out = accessibleBrand(brand, bg)
      assert.ok(contrast(rgb(out.brand), rgb(bg)) >= 4.5, `${brand} on ${bg}: ${out.brand}`)
      assert.ok(contrast(rgb(out.onBrand), rgb(out.brand)) >= 4.5, `text on ${brand} (${out.brand}) on ${bg}: ${out.onBrand}`)
    }
  }
  // A colour that already passes is kept as it is.
  assert.equal(accessibleBrand('#2f5bd3', '#ffffff').brand, '#2f5bd3')
  // The widget's brand for each theme reads at 4.5:1 on the page and on the
  // surface of its free days (the default dark brand once measured 4.17 there).
  const { themeBrands, themeSurfaces } = await src('colour.js')
  const styles = readFileSync(join(repo, 'web', 'src', 'styles.css'), 'utf8')
  assert.deepEqual([...styles.matchAll(/--sw-surface: (#[0-9a-f]{6})/g)].map((m) => m[1]), [themeSurfaces.light, themeSurfaces.dark])
  for (const brand of brands) {
    const { light, dark } = themeBrands(brand)
    for (const bg of ['#ffffff', themeSurfaces.light]) assert.ok(contrast(rgb(light.brand), rgb(bg)) >= 4.5, `light ${brand}: ${light.brand} on ${bg}`)
    for (const bg of ['#15181d', themeSurfaces.dark]) assert.ok(contrast(rgb(dark.brand), rgb(bg)) >= 4.5, `dark ${brand}: ${dark.brand} on ${bg}`)
  }

  const d = await src('dates.js')
  const cases = [
    [d.addDays('2027-02-28', 1), '2027-03-01'], [d.addDays('2028-02-28', 1), '2028-02-29'], [d.addDays('2027-01-01', -1), '2026-12-31'],
    [d.lastOfMonth({ y: 2028, m: 2 }), '2028-02-29'], [d.lastOfMonth({ y: 2027, m: 12 }), '2027-12-31'],
    [JSON.stringify(d.addMonths({ y: 2027, m: 12 }, 1)), '{"y":2028,"m":1}'], [JSON.stringify(d.addMonths({ y: 2027, m: 1 }, -1)), '{"y":2026,"m":12}'],
    [d.isoWeekday('2027-03-08'), 1], [d.isoWeekday('2027-03-14'), 7],
    [d.dateInZone(Date.UTC(2027, 2, 8, 23, 30), 'Pacific/Auckland'), '2027-03-09'], [d.dateInZone(Date.UTC(2027, 2, 8, 3), 'America/Los_Angeles'), '2027-03-07'],
    [d.instantString(Date.UTC(2027, 2, 8, 12, 34, 56, 789)), '2027-03-08T12:34:00Z'],
    [d.formatWallTime('en-US', '13:05'), '1:05 PM'], [d.formatWallTime('de-DE', '08:05'), '08:05'], [d.formatWallTime('en-GB', '08:05', 'h12'), '8:05 am'],
  ]
  for (const [got, want] of cases) assert.equal(got, want)

  const { initialRange } = await src('range.js')
  // Two days of margin around the viewer's current and next month.
  assert.deepEqual(initialRange(new Date(2027, 2, 8, 12).getTime()), { from: '2027-02-27', to: '2027-05-02' })
  assert.deepEqual(initialRange(new Date(2027, 11, 31, 12).getTime()), { from: '2027-11-29', to: '2028-02-02' })

  const { translator, directionOf, supportedLanguages, loadStrings } = await src('i18n.js')
  const catalogue = async (lang) => (await src(`strings/${lang}.js`)).default
  const en = await catalogue('en')
  for (const lang of supportedLanguages) {
    const strings = await catalogue(lang)
    assert.deepEqual(Object.keys(strings).sort(), Object.keys(en).sort(), `strings of ${lang}`)
    // Placeholders survive translation.
    for (const [k, v] of Object.entries(en)) {
      assert.deepEqual([...strings[k].matchAll(/\{\w+\}/g)].map(String).sort(), [...v.matchAll(/\{\w+\}/g)].map(String).sort(), `${lang}.${k}`)
    }
  }
  // Node has no catalogue files (SLOTWISE_CATALOGUES): the widget stays English.
  assert.equal(translator('de-AT')('book'), 'Confirm booking')
  globalThis.fetch = async (url) => ({ ok: true, json: async () => (await catalogue(String(url).match(/strings-(\w+)/)[1])) })
  const i18n = await src('i18n.js')
  Object.assign(i18n.catalogueFiles, { de: 'slotwise-strings-de.x.json', fr: 'slotwise-strings-fr.x.json' })
  await loadStrings('de-AT', 'https://slotwise.example/')
  await loadStrings('fr', 'https://slotwise.example/')
  assert.equal(translator('de-AT')('book'), 'Verbindlich buchen')
  assert.equal(translator('pt-BR')('book'), 'Confirm booking', 'unknown languages fall back to English')
  assert.equal(translator('fr')('freeTimesOther', { n: 3 }), '3 créneaux libres')
  assert.equal(directionOf('ar'), 'rtl')
  assert.equal(directionOf('he-IL'), 'rtl')
  assert.equal(directionOf('de'), 'ltr')

  // The booking flow without a DOM: moves, history, retries, problem codes.
  const flow = await src('flow.js')
  for (const [from, to, ok] of [
    ['loading', 'calendar', true], ['loading', 'done', true], ['loading', 'form', false], ['calendar', 'form', true], ['form', 'calendar', true],
    ['form', 'verify', true], ['verify', 'form', false], ['verify', 'done', true], ['done', 'calendar', true], ['done', 'verify', false],
    ['error', 'form', false], ['verify', 'error', true], ['calendar', 'verify', false],
  ]) assert.equal(flow.canMove(from, to), ok, `${from} -> ${to}`)
  assert.deepEqual(flow.screenFromHistory(flow.historyState('w1', 'form'), 'w1'), { widget: 'w1', screen: 'form' })
  assert.equal(flow.screenFromHistory(flow.historyState('w1', 'form'), 'w2'), null)
  for (const [err, want] of [
    [{ status: 0 }, 'stay network retry'], [{ status: 503 }, 'stay network retry'], [{ status: 409, code: 'IDEMPOTENCY_KEY_IN_FLIGHT' }, 'stay network retry'],
    [{ status: 409, code: 'SLOT_TAKEN' }, 'back taken'], [{ status: 422, code: 'TOO_SOON' }, 'back tooSoon'], [{ status: 422, code: 'OFF_GRID' }, 'back unavailable'],
    [{ status: 422, code: 'CLIENT_LOCKED_OUT' }, 'stay lockedOut'], [{ status: 422, code: 'TOO_MANY_PENDING' }, 'stay tooManyOpen'],
    [{ status: 422, code: 'TOO_MANY_OPEN_BOOKINGS' }, 'stay tooManyOpen'], [{ status: 429, code: 'RATE_LIMITED' }, 'stay rateLimited'],
    [{ status: 400, code: 'INVALID_REQUEST' }, 'stay invalid'], [{ status: 403, code: 'INVALID_TOKEN' }, 'stay linkInvalid'],
  ]) {
    const got = flow.bookingFailure(err)
    assert.equal([got.action, got.key, got.retry ? 'retry' : ''].join(' ').trim(), want, JSON.stringify(err))
    assert.ok(en[got.key], `a string for ${got.key}`)
  }
  {
    let calls = 0
    const waits = []
    const answer = await flow.withRetries(async () => { if (++calls < 3) throw { status: 0 }; return 'ok' }, { sleep: async (ms) => waits.push(ms) })
    assert.equal(answer, 'ok')
    assert.deepEqual(waits, flow.RETRY_DELAYS_MS)
    calls = 0
    await assert.rejects(flow.withRetries(async () => { calls++; throw { status: 422 } }, { sleep: async () => {} }))
    assert.equal(calls, 1, 'a 4xx is not retried')
  }
  for (const [err, want] of [
    [{ code: 'CHALLENGE_EXPIRED', status: 422 }, 'expired'], [{ code: 'INVALID_CODE', status: 422, problem: { attempts_left: 0 } }, 'expired'],
    [{ code: 'INVALID_CODE', status: 422, problem: { attempts_left: 2 } }, 'field codeWrong'], [{ code: 'INVALID_REQUEST', status: 400 }, 'field codeInvalid'],
    [{ code: 'INVALID_TRANSITION', status: 409 }, 'expired'], [{ status: 0 }, 'other'],
  ]) {
    const got = flow.verifyFailure(err)
    assert.equal([got.action, got.key].filter(Boolean).join(' '), want, JSON.stringify(err))
  }
  assert.equal(flow.refundToShow({ refund: { amount: 5000, currency: 'EUR' } }), null, 'no payment, no refund')
  assert.equal(flow.refundToShow({ refund: { amount: 0, currency: 'EUR', paid: false } }), null, "the server's shape of nothing paid")
  assert.equal(flow.refundToShow({ refund: { amount: 0, currency: 'EUR' }, payment: { amount: 5000, amount_received: 0, refunds: [] } }), null, 'a hold cancelled before the card was charged')
  assert.deepEqual(flow.refundToShow({ refund: { amount: 5000, currency: 'EUR' }, payment: { amount: 5000, amount_received: 5000 } }), { amount: 5000, currency: 'EUR' })
  assert.deepEqual(flow.refundToShow({ refund: { amount: 0, currency: 'EUR', paid: true } }), { amount: 0, currency: 'EUR', paid: true }, 'paid, and the policy gives nothing back')
  assert.deepEqual(flow.refundToShow({ refund: { amount: 2500, currency: 'EUR', paid: true }, payment: { amount_received: 5000, refunds: [{ id: 'rf_1', amount: 2500, status: 'pending' }] } }),
    { amount: 2500, currency: 'EUR', paid: true, status: 'pending' })
  assert.deepEqual(['requested', 'pending', 'succeeded', 'failed', 'canceled', undefined].map(flow.refundStatusKey),
    ['refundOnItsWay', 'refundOnItsWay', 'refundDone', 'refundFailed', 'refundFailed', null])
  assert.equal(flow.cancelledByKey('provider'), 'cancelledByProvider')

  // Wall times that need their offset: repeated on a fall-back day, none on an ordinary day.
  const w = await src('wallclock.js')
  const at = (iso) => Date.parse(iso)
  for (const [zone, iso, repeats] of [
    ['Europe/Berlin', '2026-10-25T00:30:00Z', true], ['Europe/Berlin', '2026-10-25T01:30:00Z', true], ['Europe/Berlin', '2026-10-25T02:30:00Z', false],
    ['Europe/Berlin', '2026-03-29T01:30:00Z', false], ['America/New_York', '2026-11-01T05:30:00Z', true], ['America/New_York', '2026-11-01T06:30:00Z', true],
    ['America/New_York', '2026-11-01T07:30:00Z', false], ['Australia/Lord_Howe', '2026-04-04T14:45:00Z', true], ['Australia/Lord_Howe', '2026-04-04T15:15:00Z', true],
    ['Australia/Lord_Howe', '2026-04-04T14:15:00Z', false], ['UTC', '2026-10-25T01:30:00Z', false],
  ]) assert.equal(w.wallTimeRepeats(zone, at(iso)), repeats, `${zone} ${iso}`)
  assert.deepEqual(w.slotOffsetLabels('en-US', 'Europe/Berlin', [{ start: '2026-10-25T00:00:00Z' }, { start: '2026-10-25T01:00:00Z' }]), ['GMT+2', 'GMT+1'])
  assert.deepEqual(w.slotOffsetLabels('en-US', 'Europe/Berlin', [{ start: '2026-10-26T08:00:00Z' }]), [null])
  assert.equal(w.offsetText('en-US', 'Australia/Lord_Howe', at('2026-04-04T15:15:00Z')), 'GMT+10:30')

  // The date grid's keys (a11y.js), left to right and right to left, weeks from Monday or Sunday.
  const { gridKeyTarget } = await src('a11y.js')
  for (const [key, date, opts, want] of [
    ['ArrowRight', '2027-03-10', {}, '2027-03-11'], ['ArrowRight', '2027-03-10', { rtl: true }, '2027-03-09'],
    ['ArrowLeft', '2027-03-01', {}, '2027-02-28'], ['ArrowDown', '2027-03-28', {}, '2027-04-04'], ['ArrowUp', '2027-03-03', {}, '2027-02-24'],
    ['Home', '2027-03-10', { weekStart: 1 }, '2027-03-08'], ['Home', '2027-03-10', { weekStart: 7 }, '2027-03-07'],
    ['End', '2027-03-10', { weekStart: 1 }, '2027-03-14'], ['PageDown', '2027-01-31', {}, '2027-02-28'],
    ['PageUp', '2028-02-29', { shiftKey: true }, '2027-02-28'], ['Enter', '2027-03-10', {}, 'select'], [' ', '2027-03-10', {}, 'select'], ['a', '2027-03-10', {}, null],
  ]) assert.equal(gridKeyTarget(key, date, opts), want, `${key} from ${date} ${JSON.stringify(opts)}`)

  // The confirmation's rows (views/confirmation.js): end time, price, place, who cancelled and why, no refund without payment.
  const { confirmationRows } = await src('views/confirmation.js')
  const t = translator('en')
  const snapshot = { provider: { time_zone: 'Europe/Berlin', address: 'Friedrichstraße 1' }, services: [{ id: 'c', name: 'Consult', price: { amount: 6000, currency: 'EUR' }, virtual: false }] }
  const rows = Object.fromEntries(confirmationRows({ t, locale: 'en-US', zone: 'Europe/Berlin', snapshot }, {
    service: 'c', start: '2027-10-31T00:00:00Z', end: '2027-10-31T00:30:00Z', status: 'CANCELLED', cancelled_by: 'provider',
    cancellation_reason: 'Closed', refund: { amount: 6000, currency: 'EUR' },
  }))
  assert.equal(rows['Your time'], 'Sunday, October 31, 2027 at 2:00 AM GMT+2–2:30 AM GMT+2')
  assert.equal(rows.Price, '€60.00')
  assert.equal(rows.Address, 'Friedrichstraße 1')
  assert.equal(rows['Who cancelled'], 'Cancelled by the provider')
  assert.equal(rows.Reason, 'Closed')
  assert.ok(!Object.keys(rows).some((k) => /Refund/.test(k)), 'no refund without a payment')
  const cancelled = { service: 'c', start: '2027-10-31T00:00:00Z', end: '2027-10-31T00:30:00Z', status: 'CANCELLED', cancelled_by: 'client' }
  const unpaid = Object.fromEntries(confirmationRows({ t, locale: 'en-US', zone: 'Europe/Berlin', snapshot }, { ...cancelled, refund: { amount: 0, currency: 'EUR', paid: false } }))
  assert.ok(!Object.keys(unpaid).some((k) => /Refund/.test(k)), "the server's unpaid shape shows no refund")
  const refunded = Object.fromEntries(confirmationRows({ t, locale: 'en-US', zone: 'Europe/Berlin', snapshot }, {
    ...cancelled, refund: { amount: 3000, currency: 'EUR', paid: true }, payment: { amount_received: 6000, refunds: [{ id: 'rf_1', amount: 3000, status: 'succeeded' }] } }))
  assert.equal(refunded.Refund, '€30.00 · refunded')
  const plain = Object.fromEntries(confirmationRows({ t, locale: 'en-US', zone: 'America/New_York', snapshot }, { service: 'c', start: '2027-03-10T09:00:00Z', end: '2027-03-10T09:30:00Z', status: 'CONFIRMED' }))
  assert.equal(plain['Your time'], 'Wednesday, March 10, 2027 at 4:00 AM–4:30 AM (Eastern Time)')
  assert.match(plain['Provider’s time'], /10:00 AM–10:30 AM \(Central European Time\)/)

  // The time buttons' text (views/times.js) on Lord Howe's fall-back day: 1:30 twice, 30 minutes apart in offset.
  const { timeLabels } = await src('views/times.js')
  const lh = [['2027-04-03T14:00:00Z', '01:00'], ['2027-04-03T14:30:00Z', '01:30'], ['2027-04-03T15:00:00Z', '01:30'], ['2027-04-03T15:30:00Z', '02:00']]
    .map(([start, local_start]) => ({ start, local_start }))
  assert.deepEqual(timeLabels({ locale: 'en-US', zone: 'Australia/Lord_Howe' }, lh).map((l) => `${l.time} ${l.offset}`),
    ['1:00 AM GMT+11', '1:30 AM GMT+11', '1:30 AM GMT+10:30', '2:00 AM GMT+10:30'])
  assert.deepEqual(timeLabels({ locale: 'de', zone: 'Europe/Berlin' }, [{ start: '2027-03-10T09:00:00Z', local_start: '10:00' }]), [{ start: '2027-03-10T09:00:00Z', time: '10:00', offset: null }])

  // The run's state (booking_state.js): one shape, changed only by its transitions.
  const st = await src('booking_state.js')
  const snap = {
    generated_at: '2027-03-08T12:00:00Z', provider: { id: 'p', active: true },
    services: [{ id: 'a', durations: [30, 60] }, { id: 'off', active: false, durations: [15] }, { id: 'b', durations: [45], max_advance_days: 10 }],
  }
  const fresh = (cfg = {}) => {
    const s = st.createState({ cfg: { provider: 'p', service: '', duration: null, locale: 'en-US', ...cfg }, t, dir: 'ltr', api: null, keys: null, hourCycle: undefined })
    // Sent 1 s before and received 1 s after the server's 12:00:00 (plus the half second generated_at lost).
    st.applySnapshot(s, { json: snap, text: JSON.stringify(snap), sent: Date.parse('2027-03-08T11:59:59Z') - 3600000, received: Date.parse('2027-03-08T12:00:01Z') - 3600000 }, { from: '2027-02-27', to: '2027-05-02' })
    return s
  }
  let s = fresh()
  assert.equal(s.view, 'loading')
  assert.equal(s.clockOffsetMs, 3600000 + 500, 'the server clock, an hour ahead, from the middle of the round trip')
  assert.deepEqual(s.range, { from: '2027-02-27', to: '2027-05-02' })
  assert.equal(Object.keys(st.createState({})).length, Object.keys(s).length, 'the snapshot adds no fields')
  for (const [from, to, allowed] of [['loading', 'calendar', true], ['loading', 'form', false], ['calendar', 'form', true], ['form', 'verify', true],
    ['verify', 'form', false], ['done', 'calendar', true], ['error', 'calendar', false], ['form', 'error', true]]) {
    s.view = from
    assert.equal(st.enter(s, to), allowed, `${from} -> ${to}`)
    assert.equal(s.view, to, 'the screen changes even on a move the table does not allow')
  }
  // Which service and duration: [attributes, reschedule, want service, want duration].
  for (const [cfg, reschedule, service, duration] of [
    [{}, null, 'a', 30], [{ service: 'b' }, null, 'b', 45], [{ service: 'a', duration: 60 }, null, 'a', 60], [{ service: 'a', duration: 25 }, null, 'a', 30],
    [{ service: 'off' }, null, null, null], [{ service: 'nope' }, null, null, null],
    [{ service: 'b' }, { booking: { service: 'a' }, duration: 60 }, 'a', 60],
  ]) {
    s = fresh(cfg)
    s.reschedule = reschedule
    assert.equal(st.chooseService(s), service !== null, JSON.stringify(cfg))
    assert.equal(s.service?.id ?? null, service)
    if (duration) assert.equal(s.duration, duration)
  }
  s = fresh()
  s.snapshot = { ...snap, provider: { active: false } }
  assert.equal(st.chooseService(s), false, 'an inactive provider has nothing to book')
  // Months: today by the server's clock in the visitor's zone, as far ahead as the service allows.
  const nowMs = Date.parse('2027-03-31T22:30:00Z') - 3600500
  for (const [service, zone, min, max] of [['a', 'UTC', '2027-3', '2029-3'], ['a', 'Europe/Berlin', '2027-4', '2029-4'], ['b', 'UTC', '2027-3', '2027-4']]) {
    s = fresh({ service })
    st.chooseService(s)
    st.engineReady(s, undefined, zone)
    st.openCalendarMonth(s, nowMs)
    assert.equal(`${s.minMonth.y}-${s.minMonth.m}`, min, `${service} ${zone} from`)
    assert.equal(`${s.maxMonth.y}-${s.maxMonth.m}`, max, `${service} ${zone} to`)
    assert.deepEqual(s.month, s.minMonth)
  }
  assert.equal(st.goMonth(s, -1), false, 'no month before today')
  s.date = '2027-03-31'
  s.slot = {}
  assert.equal(st.goMonth(s, 1), true)
  assert.deepEqual([s.month, s.date, s.slot], [{ y: 2027, m: 4 }, null, null])
  assert.equal(st.goMonth(s, 1), false, 'no month past max_advance_days')
  // A month's slots, the day kept or chosen, and a day selected.
  const slot = (local_date, start) => ({ local_date, start })
  st.setMonthSlots(s, { y: 2027, m: 4 }, [slot('2027-04-02', '2027-04-02T09:00:00Z'), slot('2027-04-02', '2027-04-02T10:00:00Z'), slot('2027-04-05', '2027-04-05T09:00:00Z')])
  assert.deepEqual([...s.byDate.keys()], ['2027-04-02', '2027-04-05'])
  for (const [before, opts, want] of [[null, { initial: true, keepDate: false }, '2027-04-02'], ['2027-04-05', { initial: false, keepDate: true }, '2027-04-05'],
    ['2027-03-31', { initial: false, keepDate: true }, null], ['2027-04-05', { initial: false, keepDate: false }, null], ['2027-04-09', { initial: true, keepDate: true }, '2027-04-09']]) {
    s.date = before
    st.settleDate(s, opts)
    assert.equal(s.date, want, `${before} ${JSON.stringify(opts)}`)
  }
  s.slot = {}
  assert.equal(st.selectDate(s, '2027-04-03'), 0, 'a day without times is not selected')
  assert.equal(st.selectDate(s, '2027-04-02'), 2)
  assert.deepEqual([s.date, s.slot], ['2027-04-02', null])
  st.chooseSlot(s, s.byDate.get('2027-04-02')[1])
  st.changeZone(s, 'Asia/Tokyo', nowMs)
  assert.deepEqual([s.zone, s.date, s.slot], ['Asia/Tokyo', '2027-04-02', null], 'a new zone keeps the day, not the time')
  assert.equal(st.fallBackToUtc(s), true)
  assert.equal(st.fallBackToUtc(s), false, 'already UTC')
  // `now` for the engine: the server's clock, rounded up to the minute.
  assert.equal(st.nowInstant(s, Date.parse('2027-03-08T10:59:00Z')), '2027-03-08T12:00:00Z')
  assert.deepEqual(st.slotQuery(s, { y: 2027, m: 2 }, Date.parse('2027-03-08T10:58:30.000Z')),
    { service: 'b', duration_minutes: 45, from: '2027-02-01', to: '2027-02-28', time_zone: 'UTC', now: '2027-03-08T11:59:00Z' })
  // Booking, verifying, managing.
  st.chooseSlot(s, { start: '2027-04-02T09:00:00Z' })
  assert.deepEqual(st.bookingRequest(s, { name: 'Ann', email: 'a@x.test' }),
    { provider: 'p', service: 'b', start: '2027-04-02T09:00:00Z', duration_minutes: 45, client: { name: 'Ann', email: 'a@x.test' }, time_zone: 'UTC', locale: 'en-US' })
  assert.deepEqual(st.bookingRequest(s, { name: 'Ann', email: 'a@x.test', phone: '+1', notes: 'n' }).client, { name: 'Ann', email: 'a@x.test', phone: '+1' })
  assert.equal(st.startSubmit(s), true)
  assert.equal(st.startSubmit(s), false, 'one booking request at a time')
  st.endSubmit(s)
  st.draftOf(s).name = 'Ann'
  st.booked(s, { id: 'h', status: 'HELD', manage_token: 'tok' })
  assert.equal(s.draft, null, 'the typed details go once booked')
  st.verified(s, s.booking, { id: 'h', status: 'CONFIRMED' })
  assert.deepEqual(s.booking, { id: 'h', status: 'CONFIRMED', manage_token: 'tok' }, 'the manage token is kept from the hold')
  const held = { id: 'm', service: 'a', start: '2027-04-02T09:00:00Z', end: '2027-04-02T10:30:00Z' }
  st.openManage(s, { id: 'm', token: 'tok' }, held)
  st.startReschedule(s, held)
  assert.equal(s.reschedule.duration, 90)
  st.rescheduled(s, { start: '2027-04-05T09:00:00Z' })
  assert.deepEqual([s.reschedule, s.manage.booking.start, s.manage.booking.id], [null, '2027-04-05T09:00:00Z', 'm'])
  st.cancelled(s, s.manage.booking, {})
  assert.equal(s.manage.booking.status, 'CANCELLED')
  st.restart(s)
  assert.deepEqual([s.booking, s.manage, s.reschedule, s.slot, s.date, s.month], [null, null, null, null, null, null])
  assert.equal(st.readyOnce(s), true)
  assert.equal(st.readyOnce(s), false, 'ready is sent once per run')

  // One list of options, and the loader and render() use it.
  const { OPTIONS, ATTRIBUTES } = await src('options.js')
  assert.equal(new Set(ATTRIBUTES).size, ATTRIBUTES.length)
  assert.ok(OPTIONS.every((o) => o.prop && ['data', 'view', 'theme'].includes(o.live)))
  const readme = readFileSync(join(repo, 'web', 'README.md'), 'utf8')
  for (const a of ATTRIBUTES) assert.ok(readme.includes(`\`${a}\``), `web/README.md documents ${a}`)
  for (const f of ['loader.js', 'index.js']) assert.match(readFileSync(join(repo, 'web', 'src', f), 'utf8'), /from '\.\/options\.js'/, `${f} takes the options from options.js`)
})
