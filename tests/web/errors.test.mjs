// When things go wrong: a lost response is retried with the same
// Idempotency-Key and books once; a network outage shows a retry button that
// reuses the key; a 422 explains itself and refreshes the times; a booking made
// elsewhere disappears when the page regains focus.
import assert from 'node:assert/strict'
import { assertClean, berlinProvider, createProvider, fillDetails, hostPage, launch, newPage, run, shownTimes, startServer, waitForEvent } from './lib.mjs'

await run('web errors, retries and refresh', async () => {
  const server = await startServer({
    pages: { 'book.html': hostPage({ title: 'Book', widgets: [{ provider: 'berlin', service: 'consult' }] }) },
  })
  await createProvider(server, 'berlin')
  const browser = await launch()
  const bookings = async () => {
    const r = await server.api('GET', '/v1/providers/berlin/bookings?from=2027-03-01&to=2027-04-30')
    return r.json.bookings || r.json
  }
  const open = async (date, time) => {
    const page = await newPage(browser)
    await page.goto(`${server.url}/book.html`)
    await waitForEvent(page, 'ready')
    const w = page.locator('slotwise-booking')
    await w.locator(`[data-date="${date}"]`).click()
    await w.locator('.slot', { hasText: time }).click()
    await fillDetails(w, 'Retry Tester', 'retry@example.org')
    return { page, w }
  }

  // 1. The server books, but the response is lost: the widget retries with
  //    the same key, the server replays its first answer, one booking exists.
  {
    const { page, w } = await open('2027-03-09', '3:00 AM')
    const keys = []
    let replayed = null
    await page.route('**/v1/bookings', async (route) => {
      keys.push(route.request().headers()['idempotency-key'])
      const response = await route.fetch()
      if (keys.length === 1) return route.abort('connectionreset')
      replayed = response.headers()['idempotent-replayed']
      return route.fulfill({ response })
    })
    await w.locator('button[type=submit]').click()
    const [booked] = await waitForEvent(page, 'booked')
    assert.equal(keys.length, 2)
    assert.ok(keys[0] && keys[0] === keys[1], 'the retry sends the same Idempotency-Key')
    assert.equal(replayed, 'true')
    const all = await bookings()
    assert.equal(all.length, 1)
    assert.equal(all[0].id, booked.bookingId)
    await assertClean(page)
    await page.context().close()
  }

  // 2. The network is down: after the automatic retries the visitor gets a
  //    message and a button; once back, the button books with the same key.
  {
    const { page, w } = await open('2027-03-09', '4:00 AM')
    const keys = []
    await page.route('**/v1/bookings', (route) => {
      keys.push(route.request().headers()['idempotency-key'])
      return route.abort('internetdisconnected')
    })
    await w.locator('button[type=submit]').click()
    const alert = w.locator('[role=alert]')
    await alert.filter({ hasText: 'could not reach' }).waitFor()
    const [err] = await waitForEvent(page, 'error')
    assert.equal(err.status, 0)
    assert.equal(keys.length, 3, 'one request and two automatic retries')
    await page.unroute('**/v1/bookings')
    let sent = null
    await page.route('**/v1/bookings', (route) => {
      sent = route.request().headers()['idempotency-key']
      return route.continue()
    })
    await alert.getByRole('button', { name: 'Try again' }).click()
    const [booked] = await waitForEvent(page, 'booked')
    assert.equal(sent, keys[0], 'the visitor-triggered retry reuses the key')
    assert.equal(booked.start, '2027-03-09T09:00:00Z')
    assert.equal((await bookings()).length, 2)
    await page.context().close()
  }

  // 3. 422: the provider now needs 30 days' notice; the widget explains and
  //    shows the times as they are now (none that week).
  {
    const { page, w } = await open('2027-03-10', '5:00 AM')
    const stricter = berlinProvider()
    stricter.services[0].min_notice_minutes = 30 * 24 * 60
    await createProvider(server, 'berlin', stricter)
    await w.locator('button[type=submit]').click()
    const alert = w.locator('[role=alert]')
    await alert.filter({ hasText: 'too soon' }).waitFor()
    const [err] = await waitForEvent(page, 'error')
    assert.equal(err.status, 422)
    assert.equal(err.code, 'TOO_SOON')
    assert.equal(await w.locator('[data-date="2027-03-10"]').getAttribute('aria-disabled'), 'true')
    assert.equal(await w.locator('.slot').count(), 0)
    await assertClean(page)
    await createProvider(server, 'berlin')
    await page.context().close()
  }

  // 4. Someone books by another route; when the page regains focus the
  //    widget fetches the snapshot again and the time is gone.
  {
    const page = await newPage(browser)
    await page.goto(`${server.url}/book.html`)
    await waitForEvent(page, 'ready')
    const w = page.locator('slotwise-booking')
    await w.locator('[data-date="2027-03-11"]').click()
    assert.ok((await shownTimes(w)).includes('6:00 AM'))
    const r = await fetch(`${server.url}/v1/bookings`, {
      method: 'POST', headers: { 'Content-Type': 'application/json', 'Idempotency-Key': 'elsewhere-1' },
      body: JSON.stringify({ provider: 'berlin', service: 'consult', start: '2027-03-11T11:00:00Z', client: { name: 'Phone', email: 'phone@example.org' } }),
    })
    assert.equal(r.status, 201)
    await page.waitForTimeout(2100) // the widget refreshes at most every 2 s
    const snapshots = []
    page.on('request', (req) => { if (req.url().includes('/snapshot')) snapshots.push(req.url()) })
    await page.evaluate(() => window.dispatchEvent(new Event('focus')))
    await page.waitForFunction(() => ![...document.querySelector('slotwise-booking').shadowRoot.querySelectorAll('.slot')].some((b) => b.dataset.start === '2027-03-11T11:00:00Z'))
    assert.equal(snapshots.length, 1)
    assert.equal((await shownTimes(w)).length, 15)
    await assertClean(page)
  }
})
