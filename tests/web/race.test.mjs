// Two visitors, in two browser contexts, book the same slot: one succeeds, the
// other is told it was just taken, and the slot is gone from their times.
import assert from 'node:assert/strict'
import { assertClean, createProvider, hostPage, launch, newPage, run, startServer, waitForEvent, shownTimes } from './lib.mjs'

await run('web two contexts race for one slot', async () => {
  const server = await startServer({
    pages: { 'book.html': hostPage({ title: 'Book', widgets: [{ provider: 'berlin', service: 'consult' }] }) },
  })
  await createProvider(server, 'berlin')
  const browser = await launch()
  const pages = [await newPage(browser, { timezoneId: 'Europe/London', locale: 'en-GB' }),
    await newPage(browser, { timezoneId: 'Europe/London', locale: 'en-GB' })]
  for (const [i, page] of pages.entries()) {
    await page.goto(`${server.url}/book.html`)
    await waitForEvent(page, 'ready')
    const w = page.locator('slotwise-booking')
    await w.locator('[data-date="2027-03-12"]').click()
    // Berlin 11:00 CET is 10:00 in London (24-hour clock for en-GB).
    await w.locator('.slot', { hasText: '10:00' }).first().click()
    await w.locator('#name').fill(`Visitor ${i}`)
    await w.locator('#email').fill(`visitor${i}@example.org`)
  }
  const [first, second] = pages.map((p) => p.locator('slotwise-booking'))
  await first.locator('button[type=submit]').click()
  const [booked] = await waitForEvent(pages[0], 'booked')
  assert.equal(booked.start, '2027-03-12T10:00:00Z')

  // The second visitor still sees the slot (no refresh yet) and submits.
  await second.locator('button[type=submit]').click()
  const [err] = await waitForEvent(pages[1], 'error')
  assert.equal(err.status, 409)
  assert.equal(err.code, 'SLOT_TAKEN')
  const alert = second.locator('[role=alert]')
  await alert.filter({ hasText: 'just taken' }).waitFor()
  assert.match(await alert.textContent(), /Sorry, that time was just taken/)
  // Back on the same day, with the snapshot refreshed: the slot is gone.
  await second.locator('#times-heading', { hasText: 'Friday 12 March' }).waitFor()
  const times = await shownTimes(second)
  assert.equal(times.length, 15)
  assert.ok(!times.includes('10:00'), `10:00 should be gone: ${times}`)
  assert.ok(times.includes('09:30') && times.includes('10:30'), String(times))
  assert.equal(await pages[1].evaluate(() => window.__events.filter((e) => e.name === 'booked').length), 0)

  // Exactly one booking exists.
  const list = await server.api('GET', '/v1/providers/berlin/bookings?from=2027-03-01&to=2027-03-31')
  const bookings = list.json.bookings || list.json
  assert.equal(bookings.length, 1)
  assert.equal(bookings[0].client.email, 'visitor0@example.org')
  for (const p of pages) await assertClean(p)
})
