// Issue 13's defects as a newcomer met them, each on a desktop and at 375 px:
// a failed booking in view, Back from the form, the manage link, a reschedule
// that can be abandoned, problems by code in the visitor's language, the
// confirmation's end, price and address, who cancelled and why, phone edges,
// the placeholder and an unreachable server, an English bio in Arabic. axe on
// every new state.
import assert from 'node:assert/strict'
import { assertClean, berlinProvider, createProvider, fillDetails, hostPage, launch, newPage, run, runAxe, shownTimes, startServer, waitForEvent } from './lib.mjs'

const filler = '<p>Our practice, our team, how to find us.</p>'.repeat(40)

await run('web visitor defects of issue 13', async () => {
  const server = await startServer({
    pages: {
      'book.html': hostPage({ title: 'Book', widgets: [{ provider: 'berlin', service: 'consult' }] }),
      'long.html': hostPage({ title: 'Long page', csp: null, body: filler, widgets: [{ provider: 'berlin', service: 'consult' }] }),
      'de.html': hostPage({ title: 'Buchen', lang: 'de', widgets: [{ provider: 'berlin', service: 'consult', locale: 'de-DE' }] }),
      'ar.html': hostPage({ title: 'حجز', lang: 'ar', widgets: [{ provider: 'berlin', service: 'consult', locale: 'ar' }] }),
    },
  })
  await createProvider(server, 'berlin', berlinProvider({ bio: 'Dermatology in Berlin.', address: 'Friedrichstraße 1, 10117 Berlin' }))
  const browser = await launch()
  const inView = (page, locator) => locator.evaluate((el) => {
    const r = el.getBoundingClientRect()
    return r.top >= 0 && r.bottom <= innerHeight && r.height > 0
  })
  const focusedText = (page) => page.evaluate(() => {
    const host = document.querySelector('slotwise-booking')
    const a = host.shadowRoot.activeElement
    return a ? (a.textContent || '').trim() : null
  })
  const openForm = async (page, w, date, time) => {
    await w.locator(`[data-date="${date}"]`).click()
    await w.getByRole('button', { name: time, exact: true }).click()
  }

  for (const viewport of [{ width: 1280, height: 900 }, { width: 375, height: 700 }]) {
    const phone = viewport.width < 500
    const tag = phone ? '375 px' : 'desktop'

    // 1. A failed booking: the error and Try again are in view and focused.
    {
      const page = await newPage(browser, { viewport })
      await page.goto(`${server.url}/book.html`)
      await waitForEvent(page, 'ready')
      const w = page.locator('slotwise-booking')
      await openForm(page, w, '2027-03-09', '3:00 AM')
      await fillDetails(w, 'Offline Olga', 'olga@example.org')
      await page.route('**/v1/bookings', (route) => route.abort('internetdisconnected'))
      await w.locator('button[type=submit]').click()
      const alert = w.locator('.alert[role=alert]', { hasText: 'could not reach' })
      await alert.waitFor()
      assert.ok(await inView(page, alert), `${tag}: the error is in view`)
      assert.equal(await focusedText(page), 'Try again', `${tag}: Try again has the focus`)
      if (!phone) await runAxe(page, 'booking failed, error focused')
      await page.unroute('**/v1/bookings')

      // 2. Browser Back from the form returns to the times; the typed details are kept.
      const before = page.url()
      await page.goBack()
      await w.locator('.slot').first().waitFor()
      assert.equal(page.url(), before, `${tag}: Back stays on the page`)
      assert.ok((await shownTimes(w)).length > 0)
      await page.goForward()
      await w.locator('#name').waitFor()
      assert.equal(await w.locator('#name').inputValue(), 'Offline Olga', `${tag}: Forward shows the form again with the details`)
      await w.getByRole('button', { name: 'Back', exact: true }).click()
      await w.getByRole('button', { name: '3:30 AM', exact: true }).click()
      assert.equal(await w.locator('#email').inputValue(), 'olga@example.org', `${tag}: the details survive choosing another time`)

      // 3. Server problems by their code in the visitor's language, never the server's English detail.
      await page.route('**/v1/bookings', (route) => route.fulfill({
        status: 422, contentType: 'application/problem+json',
        body: JSON.stringify({ type: '/errors/too-many-pending', title: 'Too many pending', status: 422, code: 'TOO_MANY_PENDING', detail: 'the client has the maximum of open PENDING bookings' }),
      }))
      await w.locator('button[type=submit]').click()
      const problem = w.locator('.alert[role=alert]', { hasText: 'most open requests' })
      await problem.waitFor()
      assert.doesNotMatch(await problem.textContent(), /PENDING|maximum of open/)
      assert.ok(await inView(page, problem), `${tag}: the problem is in view`)
      // 3b. An attribute change other than the theme keeps the state: the
      //     host switches the language while the visitor is on the form.
      await page.unroute('**/v1/bookings')
      await page.evaluate(() => document.querySelector('slotwise-booking').setAttribute('locale', 'de-DE'))
      await w.getByRole('heading', { name: 'Ihre Angaben' }).waitFor()
      assert.equal(await w.locator('#name').inputValue(), 'Offline Olga', `${tag}: the typed name survives a locale change`)
      assert.equal(await w.locator('#email').inputValue(), 'olga@example.org')
      await assertClean(page)
      await page.context().close()
    }
    {
      const page = await newPage(browser, { viewport, locale: 'de-DE', timezoneId: 'Europe/Berlin' })
      await page.goto(`${server.url}/de.html`)
      await waitForEvent(page, 'ready')
      const w = page.locator('slotwise-booking')
      await openForm(page, w, '2027-03-09', '10:00')
      await fillDetails(w, 'Dora', 'dora@example.org')
      await page.route('**/v1/bookings', (route) => route.fulfill({
        status: 400, contentType: 'application/problem+json',
        body: JSON.stringify({ type: '/errors/invalid-request', title: 'Invalid request', status: 400, code: 'INVALID_REQUEST', detail: '/client/email: must be an address' }),
      }))
      await w.locator('button[type=submit]').click()
      const alert = w.locator('.alert[role=alert]', { hasText: 'Bitte prüfen Sie Ihre Angaben' })
      await alert.waitFor()
      assert.doesNotMatch(await alert.textContent(), /must be|client\/email/)
      await page.context().close()
    }

    // 4. The confirmation: end time, price, address (the provider's, from the snapshot).
    //    The manage link: in view on a long page, token out of the address bar,
    //    Book again, a reschedule that shows the current booking and can be abandoned.
    {
      const page = await newPage(browser, { viewport })
      await page.goto(`${server.url}/long.html`)
      await waitForEvent(page, 'ready')
      const w = page.locator('slotwise-booking')
      await openForm(page, w, '2027-03-10', '4:00 AM')
      await fillDetails(w, 'Manny', 'manny@example.org')
      await w.locator('button[type=submit]').click()
      const [booked] = await waitForEvent(page, 'booked')
      const dl = await w.locator('dl').textContent()
      assert.match(dl, /4:00 AM–4:30 AM/, `${tag}: the end time`)
      assert.match(dl, /Price€60\.00/, `${tag}: the price`)
      assert.match(dl, /AddressFriedrichstraße 1, 10117 Berlin/, `${tag}: the address`)
      const manageHref = await w.locator('a.link').getAttribute('href')

      await page.goto('about:blank')
      await page.goto(manageHref)
      await w.getByRole('heading', { name: 'Your booking' }).waitFor()
      assert.ok(await inView(page, w.getByRole('heading', { name: 'Your booking' })), `${tag}: the booking is scrolled into view`)
      assert.ok(!page.url().includes('slotwise-token'), `${tag}: the token left the address bar: ${page.url()}`)
      if (!phone) await runAxe(page, 'manage link opened')
      await w.getByRole('button', { name: 'Change time' }).click()
      await w.locator('.calendar[aria-busy=false]').waitFor()
      const current = w.locator('.current-booking')
      await current.waitFor()
      assert.match(await current.textContent(), /Your current booking: .*4:00 AM–4:30 AM/)
      assert.equal(await w.locator('.day.current').getAttribute('data-date'), '2027-03-10', `${tag}: the calendar marks the current booking's day`)
      if (!phone) await runAxe(page, 'reschedule with the current booking')
      await w.getByRole('button', { name: 'Keep the current time' }).click()
      await w.getByRole('heading', { name: 'Your booking' }).waitFor()
      // Started again and left with the browser's Back.
      await w.getByRole('button', { name: 'Change time' }).click()
      await w.locator('.current-booking').waitFor()
      await page.goBack()
      await w.getByRole('heading', { name: 'Your booking' }).waitFor()
      const unchanged = await server.api('GET', '/v1/providers/berlin/bookings?from=2027-03-01&to=2027-03-31')
      assert.equal((unchanged.json.bookings || unchanged.json).find((b) => b.id === booked.bookingId).start, '2027-03-10T09:00:00Z')
      // Book again, from the manage view.
      await w.getByRole('button', { name: 'Book again' }).click()
      await w.locator('.calendar[aria-busy=false]').waitFor()
      assert.ok((await w.locator('button.day.free').count()) > 0)

      // 5. The provider cancels with a reason: the client sees who and why, and no refund (nothing was paid).
      assert.equal((await server.api('POST', `/v1/bookings/${booked.bookingId}/cancel`, { reason: 'The practice is closed for a training day.' })).status, 200)
      await page.goto('about:blank')
      await page.goto(manageHref)
      await w.getByRole('heading', { name: 'Booking cancelled' }).waitFor()
      const cancelled = await w.locator('dl').textContent()
      assert.match(cancelled, /Cancelled by the provider/)
      assert.match(cancelled, /ReasonThe practice is closed for a training day\./)
      assert.doesNotMatch(cancelled, /Refund/)
      if (!phone) await runAxe(page, 'cancelled by the provider')
      await assertClean(page)
      await page.context().close()
    }

    // 6. The placeholder holds the calendar's space at once; an unreachable
    //    server gets a clear message and Retry, which then works.
    {
      const page = await newPage(browser, { viewport })
      let release
      const held = new Promise((r) => { release = r })
      await page.route('**/slotwise-widget.*.js', async (route) => { await held; await route.continue() })
      await page.route('**/v1/providers/berlin/snapshot*', (route) => route.abort('connectionrefused'))
      await page.goto(`${server.url}/book.html`, { waitUntil: 'domcontentloaded' })
      await page.waitForTimeout(300)
      const early = await page.locator('slotwise-booking').evaluate((el) => el.getBoundingClientRect().height)
      release()
      const fatal = page.locator('slotwise-booking').getByText('cannot be reached right now')
      await fatal.waitFor()
      if (!phone) await runAxe(page, 'server unreachable')
      await page.unroute('**/v1/providers/berlin/snapshot*')
      await page.locator('slotwise-booking').getByRole('button', { name: 'Try again' }).click()
      await waitForEvent(page, 'ready')
      const final = await page.locator('slotwise-booking').evaluate((el) => el.getBoundingClientRect().height)
      assert.ok(Math.abs(final - early) / final < 0.1, `${tag}: placeholder ${early} px against the calendar's ${final} px`)
      await page.context().close()
    }

    // 7. Phone edges match the page's 16 px; an English bio in Arabic keeps its full stop at its end (the right).
    {
      const page = await newPage(browser, { viewport, locale: 'ar', timezoneId: 'Asia/Dubai' })
      await page.goto(`${server.url}/ar.html`)
      await waitForEvent(page, 'ready')
      const w = page.locator('slotwise-booking')
      const bio = w.locator('.bio')
      const [first, stop] = await bio.evaluate((el) => {
        const text = el.firstChild
        const at = (i) => { const r = document.createRange(); r.setStart(text, i); r.setEnd(text, i + 1); return r.getBoundingClientRect().left }
        return [at(0), at(text.length - 1)]
      })
      assert.ok(stop > first, `${tag}: the full stop (${stop}) is right of the D (${first})`)
      if (phone) {
        const h1 = await page.locator('h1').evaluate((el) => el.getBoundingClientRect().right - parseFloat(getComputedStyle(el).paddingRight))
        const calendar = await w.locator('.calendar').evaluate((el) => { const r = el.getBoundingClientRect(); return [r.left, r.right] })
        assert.equal(Math.round(calendar[0]), 16, 'the calendar starts 16 px from the edge')
        assert.equal(Math.round(calendar[1]), Math.round(h1), 'and ends where the page text ends')
      }
      await page.context().close()
    }
  }
}, { timeoutMs: 175000 })
