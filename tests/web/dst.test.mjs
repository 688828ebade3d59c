// The repeated and the skipped hour, read back from the page: on a fall-back
// day every time carries its UTC offset (a wall time that occurs twice is
// never two identical buttons), the summary and the confirmation say which
// one; on a spring-forward day the skipped times are never shown. Berlin and
// New York (one hour) and Lord Howe (30 minutes), on a desktop and at 375 px.
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { assertClean, createProvider, fillDetails, gotoMonth, hostPage, launch, newPage, repo, run, runAxe, shownTimes, startServer, waitForEvent } from './lib.mjs'

const everyDay = (start, end) => ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((day) => ({ day, start, end }))
const nightOwl = (zone) => ({
  name: `Night clinic ${zone}`, kind: 'doctor', time_zone: zone, active: true,
  schedules: { default: { weekly: everyDay('00:00', '05:00') } },
  services: [{ id: 'night', name: 'Night consult', durations: [30], slot_interval_minutes: 30, min_notice_minutes: 0,
    price: { amount: 5000, currency: 'EUR' }, cancellation_policy: 'flexible', virtual: false, requires_confirmation: false }],
})

// zone, provider id, fall-back day and its month label, the repeated times, spring-forward day and month, the skipped times.
const CASES = [
  { zone: 'Europe/Berlin', id: 'berlin', back: '2027-10-31', backMonth: 'October 2027', repeated: ['2:00 AM', '2:30 AM'], offsets: ['GMT+2', 'GMT+1'],
    fwd: '2027-03-28', fwdMonth: 'March 2027', skipped: ['2:00 AM', '2:30 AM'] },
  { zone: 'America/New_York', id: 'newyork', back: '2027-11-07', backMonth: 'November 2027', repeated: ['1:00 AM', '1:30 AM'], offsets: ['GMT-4', 'GMT-5'],
    fwd: '2027-03-14', fwdMonth: 'March 2027', skipped: ['2:00 AM', '2:30 AM'] },
  { zone: 'Australia/Lord_Howe', id: 'lordhowe', back: '2027-04-04', backMonth: 'April 2027', repeated: ['1:30 AM'], offsets: ['GMT+11', 'GMT+10:30'],
    fwd: '2027-10-03', fwdMonth: 'October 2027', skipped: ['2:00 AM'] },
]

await run('web DST: repeated and skipped hours', async () => {
  const pages = {}
  for (const c of CASES) pages[`${c.id}.html`] = hostPage({ title: c.zone, widgets: [{ provider: c.id, service: 'night', 'time-zone': c.zone }] })
  const server = await startServer({ pages })
  for (const c of CASES) await createProvider(server, c.id, nightOwl(c.zone))
  const browser = await launch()

  for (const viewport of [{ width: 1280, height: 900 }, { width: 375, height: 800 }]) {
    const phone = viewport.width < 500
    for (const c of CASES) {
      const page = await newPage(browser, { timezoneId: c.zone, viewport })
      await page.goto(`${server.url}/${c.id}.html`)
      await waitForEvent(page, 'ready')
      const w = page.locator('slotwise-booking')

      // Fall-back day: the repeated wall times are told apart by their offsets.
      await gotoMonth(w, c.backMonth)
      await w.locator(`[data-date="${c.back}"]`).click()
      const times = await shownTimes(w)
      assert.equal(new Set(times).size, times.length, `${c.zone} ${c.back}: no two identical buttons: ${times.join(' | ')}`)
      for (const t of c.repeated) {
        const both = times.filter((x) => x.startsWith(t + ' ') || x === t)
        assert.deepEqual(both, c.offsets.map((o) => `${t} ${o}`), `${c.zone} ${t} twice, each with its offset: ${times.join(' | ')}`)
      }
      // Every time of a day with two offsets carries its own.
      assert.ok(times.every((t) => / GMT[+-]/.test(t)), times.join(' | '))
      const note = await w.locator('.zone-note').textContent()
      assert.ok(note.includes(`${c.offsets[0]} / ${c.offsets[1]}`), `the zone note names both offsets: ${note}`)
      // A time's text never wraps: each time is one line box.
      const lines = await w.locator('.slot .time').evaluateAll((els) => els.map((e) => e.getClientRects().length))
      assert.ok(lines.every((n) => n === 1), `times wrap: ${lines}`)
      if (c.id === 'berlin') {
        await page.screenshot({ path: join(repo, 'web', 'screenshots', phone ? 'mobile-fall-back.png' : 'desktop-fall-back.png'), fullPage: phone })
        if (!phone) await runAxe(page, 'fall-back day')
      }

      // The summary and the confirmation of the first of the repeated times.
      const first = `${c.repeated[0]} ${c.offsets[0]}`
      await w.getByRole('button', { name: first, exact: true }).click()
      const summary = await w.locator('.summary strong').textContent()
      assert.ok(summary.includes(`${c.repeated[0]} ${c.offsets[0]}–`), `summary ${summary}`)
      if (c.id === 'berlin') {
        await fillDetails(w, 'Night Owl', 'owl@example.org')
        await w.locator('button[type=submit]').click()
        const [booked] = await waitForEvent(page, 'booked')
        const dl = await w.locator('dl').textContent()
        // 02:00 CEST-02:30 CEST: both ends repeat, both carry the offset.
        assert.match(dl, /Sunday, October 31, 2027 at 2:00 AM GMT\+2–2:30 AM GMT\+2/, dl)
        // Freed again for the next viewport's pass.
        assert.equal((await server.api('POST', `/v1/bookings/${booked.bookingId}/cancel`, {})).status, 200)
      } else {
        await w.getByRole('button', { name: 'Back', exact: true }).click()
        await w.locator('.calendar[aria-busy=false]').waitFor()
      }
      await page.goto('about:blank')
      await page.goto(`${server.url}/${c.id}.html`)
      await waitForEvent(page, 'ready')

      // Spring-forward day: the skipped times are never shown; the offsets are.
      await gotoMonth(w, c.fwdMonth)
      await w.locator(`[data-date="${c.fwd}"]`).click()
      const spring = await shownTimes(w)
      for (const t of c.skipped) assert.ok(!spring.some((x) => x.startsWith(t)), `${c.zone} ${c.fwd} skipped ${t}: ${spring.join(' | ')}`)
      assert.ok(spring.every((t) => / GMT[+-]/.test(t)), `a day with two offsets shows each: ${spring.join(' | ')}`)
      await assertClean(page)
      await page.context().close()
    }
  }
}, { timeoutMs: 170000 })
