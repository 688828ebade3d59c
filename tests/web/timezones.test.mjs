// Changing the time zone changes every shown time exactly as the engine says,
// including the weeks of the US and EU summer-time changes; a Berlin provider
// seen from Auckland shows the right dates.
import assert from 'node:assert/strict'
import { chooseZone, assertClean, createProvider, hostPage, launch, newPage, nodeEngine, NOW, run, startServer, waitForEvent, shownTimes } from './lib.mjs'

function wall(hhmm, hour12) {
  const [h, m] = hhmm.split(':').map(Number)
  if (!hour12) return hhmm
  return `${((h + 11) % 12) + 1}:${String(m).padStart(2, '0')} ${h < 12 ? 'AM' : 'PM'}`
}

await run('web time zones match the engine', async () => {
  const server = await startServer({
    pages: { 'book.html': hostPage({ title: 'Book', widgets: [{ provider: 'berlin', service: 'consult' }] }) },
  })
  await createProvider(server, 'berlin')
  const engine = await nodeEngine()
  const snapshotRes = await fetch(`${server.url}/v1/providers/berlin/snapshot?from=2027-02-20&to=2027-05-10`)
  const snapshot = await snapshotRes.text()
  const e = new engine.Engine(snapshot)
  const expected = (zone, date, duration = 30) => {
    const answer = JSON.parse(e.slots(JSON.stringify({ service: 'consult', duration_minutes: duration, from: date, to: date, time_zone: zone, now: NOW })))
    assert.ok(!answer.error, JSON.stringify(answer))
    return answer.slots
  }

  const browser = await launch()
  const page = await newPage(browser, { timezoneId: 'America/New_York', locale: 'en-US' })
  await page.goto(`${server.url}/book.html`)
  await waitForEvent(page, 'ready')
  // From here on, day, duration and zone changes are computed in the browser.
  const requests = []
  page.on('request', (r) => requests.push(r.url().replace(server.url, '')))
  const w = page.locator('slotwise-booking')
  const check = async (zone, date, hour12, duration = 30) => {
    await w.locator(`[data-date="${date}"]`).click()
    const want = expected(zone, date, duration).map((s) => wall(s.local_start, hour12))
    const got = await shownTimes(w)
    assert.deepEqual(got, want, `${zone} ${date}`)
    return got
  }

  // New York: EST until Sunday 14 March, EDT after; Berlin CET until the 28th.
  assert.equal((await check('America/New_York', '2027-03-12', true))[0], '3:00 AM')
  assert.equal((await check('America/New_York', '2027-03-15', true))[0], '4:00 AM')
  assert.equal((await check('America/New_York', '2027-03-26', true))[0], '4:00 AM')
  assert.equal((await check('America/New_York', '2027-03-29', true))[0], '3:00 AM')
  // Every free day of March in New York (the US change on the 14th, the EU
  // change on the 28th): every time shown is the engine's.
  const checkMonth = async (zone, from, to, hour12) => {
    // Today is left out: the widget's clock has moved on from NOW by the
    // seconds this test has run, which can remove a slot at the notice edge.
    const today = NOW.slice(0, 10)
    const days = (await w.locator('button.day.free').evaluateAll((els) => els.map((b) => b.dataset.date))).filter((d) => d > today)
    const all = JSON.parse(e.slots(JSON.stringify({ service: 'consult', from, to, time_zone: zone, now: NOW }))).slots
      .filter((x) => x.local_date > today)
    assert.deepEqual(days, [...new Set(all.map((x) => x.local_date))], `${zone} free days`)
    for (const date of days) {
      await w.locator(`[data-date="${date}"]`).click()
      const starts = await w.locator('.slot').evaluateAll((els) => els.map((b) => [b.dataset.start, b.textContent.trim()]))
      assert.deepEqual(starts, all.filter((x) => x.local_date === date).map((x) => [x.start, wall(x.local_start, hour12)]), `${zone} ${date}`)
    }
    return days.length
  }
  assert.equal(await checkMonth('America/New_York', '2027-03-01', '2027-03-31', true), 17)

  // The 60-minute duration recomputes too.
  await w.locator('label', { hasText: '60 min' }).click()
  const hourly = await check('America/New_York', '2027-03-29', true, 60)
  assert.equal(hourly.length, 8)
  await w.locator('label', { hasText: '30 min' }).click()

  // Change the zone with the picker: every time follows the engine.
  await chooseZone(w, 'Kolkata')
  await w.locator('.zone-note', { hasText: 'India' }).waitFor()
  assert.equal((await check('Asia/Kolkata', '2027-03-26', true))[0], '1:30 PM')
  assert.equal((await check('Asia/Kolkata', '2027-03-29', true))[0], '12:30 PM')
  // The selected zone's change is announced in the note, and the date grid
  // still labels the days with their free times.
  const label = await w.locator('[data-date="2027-03-29"]').getAttribute('aria-label')
  assert.equal(label, 'Monday, March 29, 2027, 16 free times')

  // Auckland (NZDT, UTC+13): Berlin's Monday 09:00 is Monday 21:00 there, its
  // Friday afternoon is Saturday morning, and Sundays have nothing.
  await chooseZone(w, 'Auckland')
  const free = async (date) => (await w.locator(`[data-date="${date}"]`).getAttribute('aria-disabled')) !== 'true'
  assert.equal(await free('2027-03-13'), true, 'Saturday 13 March has times in Auckland')
  assert.equal(await free('2027-03-14'), false, 'Sunday 14 March has none')
  const mon = await check('Pacific/Auckland', '2027-03-15', true)
  assert.equal(mon[0], '9:00 PM')
  const sat = await check('Pacific/Auckland', '2027-03-13', true)
  assert.equal(sat[0], '12:00 AM')
  assert.equal(sat.at(-1), '4:30 AM')
  // Across Berlin's change (28 March) and Auckland's (4 April).
  assert.equal((await check('Pacific/Auckland', '2027-03-29', true))[0], '8:00 PM')
  assert.deepEqual(requests, [], 'no network for day, duration and zone changes')
  await w.locator('button[aria-label="Next month"]').click()
  await w.locator('#month-label', { hasText: 'April 2027' }).waitFor()
  // April goes beyond the dates the snapshot covers: one snapshot fetch.
  assert.equal(requests.length, 1, requests.join(', '))
  assert.match(requests[0], /^\/v1\/providers\/berlin\/snapshot\?from=.*&to=2027-05-02$/)
  assert.equal((await check('Pacific/Auckland', '2027-04-05', true))[0], '7:00 PM')

  // All of April in Auckland, across its change back to standard time on the 4th.
  assert.ok(await checkMonth('Pacific/Auckland', '2027-04-01', '2027-04-30', true) >= 20)

  e.delete()
  await assertClean(page)
})
