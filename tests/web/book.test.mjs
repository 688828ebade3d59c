// A visitor in New York books a Berlin provider end to end; the booking is then
// in the provider's API at the right instant. Then the confirmation's .ics and
// manage links, rescheduling and cancelling through the widget.
import assert from 'node:assert/strict'
import { assertClean, berlinProvider, createProvider, events, fillDetails, hostPage, launch, newPage, run, shownTimes, startServer, submitDetails, waitForEvent } from './lib.mjs'

await run('web book end to end', async () => {
  const server = await startServer({
    pages: {
      'book.html': hostPage({ title: 'Book', widgets: [{ provider: 'berlin', service: 'consult' }] }),
      'popup.html': hostPage({ title: 'Popup', widgets: [{ provider: 'berlin', service: 'consult', mode: 'popup' }] }),
      'video.html': hostPage({ title: 'Vídeo', lang: 'es', widgets: [{ provider: 'berlin', service: 'video' }] }),
      'online.html': hostPage({ title: 'Online', lang: 'es', widgets: [{ provider: 'online', service: 'call' }] }),
    },
  })
  await createProvider(server, 'berlin')
  const browser = await launch()
  const page = await newPage(browser, { timezoneId: 'America/New_York', locale: 'en-US' })
  await page.goto(`${server.url}/book.html`)
  const [ready] = await waitForEvent(page, 'ready')
  assert.equal(ready.engine, 'wasm', 'the engine runs in WebAssembly under the strict CSP')
  assert.equal(ready.timeZone, 'America/New_York', 'the visitor zone is detected with Intl')
  const w = page.locator('slotwise-booking')
  assert.equal(await w.locator('#month-label').textContent(), 'March 2027')
  assert.equal(await w.locator('#zone').getAttribute('value'), 'America/New_York')

  // Wednesday 10 March 2027: Berlin 09:00 CET is 08:00Z, 03:00 in New York (EST).
  await w.locator('[data-date="2027-03-10"]').click()
  const dateEvents = await waitForEvent(page, 'date-selected')
  assert.deepEqual(dateEvents.at(-1), { date: '2027-03-10', timeZone: 'America/New_York', count: 16 })
  const times = await shownTimes(w)
  assert.equal(times.length, 16)
  assert.equal(times[0], '3:00 AM')
  assert.equal(times.at(-1), '10:30 AM')
  assert.equal(await w.locator('#times-heading').textContent(), 'Free times on Wednesday, March 10')
  // Focus moved to the times.
  assert.equal(await page.evaluate(() => document.querySelector('slotwise-booking').shadowRoot.activeElement.textContent), '3:00 AM')

  await w.locator('.slot', { hasText: '4:00 AM' }).click()
  const [slotSel] = await waitForEvent(page, 'slot-selected')
  assert.equal(slotSel.start, '2027-03-10T09:00:00Z')
  await fillDetails(w, 'Ada Lovelace', 'ada@example.org')
  await w.locator('#phone').fill('+1 212 555 0100')
  await w.locator('#notes').fill('First visit')
  await w.locator('button[type=submit]').click()
  const [booked] = await waitForEvent(page, 'booked')
  assert.equal(booked.start, '2027-03-10T09:00:00Z')
  assert.equal(booked.end, '2027-03-10T09:30:00Z')
  assert.equal(booked.timeZone, 'America/New_York')
  assert.equal(booked.status, 'CONFIRMED')
  assert.ok(booked.bookingId)
  assert.ok(!JSON.stringify(booked).includes('ada@example.org') && !JSON.stringify(booked).includes('Ada'), 'no personal data in events')

  // The confirmation, in both zones.
  await w.locator('#done-heading').waitFor()
  assert.equal(await w.locator('#done-heading').textContent(), 'You are booked')
  const dl = await w.locator('dl').textContent()
  // The end time and the price too (issue 13).
  assert.match(dl, /Wednesday, March 10, 2027 at 4:00 AM–4:30 AM \(Eastern/)
  assert.match(dl, /Price€60.00/)
  assert.match(dl, /Provider’s time.*Wednesday, March 10, 2027 at 10:00 AM–10:30 AM \(Central European/)
  assert.match(dl, /Confirmed/)

  // The booking is in the provider's API at the right instant.
  const list = await server.api('GET', '/v1/providers/berlin/bookings?from=2027-03-01&to=2027-03-31')
  assert.equal(list.status, 200, list.text)
  const bookings = list.json.bookings || list.json
  assert.equal(bookings.length, 1)
  assert.equal(bookings[0].start, '2027-03-10T09:00:00Z')
  assert.equal(bookings[0].end, '2027-03-10T09:30:00Z')
  assert.equal(bookings[0].client.email, 'ada@example.org')
  assert.equal(bookings[0].client.phone, '+1 212 555 0100')
  assert.equal(bookings[0].notes, 'First visit')
  assert.equal(bookings[0].time_zone, 'America/New_York')
  assert.equal(bookings[0].id, booked.bookingId)

  // The .ics link works.
  const icsHref = await w.locator('a[download]').getAttribute('href')
  const ics = await page.request.get(icsHref)
  assert.equal(ics.status(), 200)
  assert.match(await ics.text(), /DTSTART:20270310T090000Z/)

  // "Book another time": the booked slot is gone.
  const manageHref = await w.locator('a.link').getAttribute('href')
  await w.getByRole('button', { name: 'Book another time' }).click()
  await w.locator('[data-date="2027-03-10"]').click()
  const after = await shownTimes(w)
  assert.equal(after.length, 15)
  assert.ok(!after.includes('4:00 AM'))

  // The manage link opens the booking in the widget: reschedule, then cancel.
  assert.match(manageHref, /#slotwise-booking=.+&slotwise-token=.+/)
  await page.goto(manageHref)
  await page.reload()
  await waitForEvent(page, 'ready')
  await w.getByRole('heading', { name: 'Your booking' }).waitFor()
  assert.match(await w.locator('dl').textContent(), /March 10, 2027 at 4:00 AM/)
  await w.getByRole('button', { name: 'Change time' }).click()
  // The booking being moved does not block its own time.
  await w.locator('[data-date="2027-03-10"]').click()
  assert.equal((await shownTimes(w)).length, 16)
  await w.locator('[data-date="2027-03-11"]').click()
  await w.locator('.slot', { hasText: '5:00 AM' }).click()
  await w.getByRole('button', { name: 'Move booking to this time' }).click()
  await w.getByText('Your booking has been moved.').waitFor()
  let one = await server.api('GET', `/v1/providers/berlin/bookings?from=2027-03-01&to=2027-03-31`)
  let b = (one.json.bookings || one.json).find((x) => x.id === booked.bookingId)
  assert.equal(b.start, '2027-03-11T10:00:00Z')

  // A page with only a popup widget opens it for the manage link.
  const popupPage = await newPage(browser)
  await popupPage.goto(`${server.url}/popup.html${manageHref.slice(manageHref.indexOf('#'))}`)
  await popupPage.locator('slotwise-booking dialog[open]').getByRole('heading', { name: 'Your booking' }).waitFor()
  assert.match(await popupPage.locator('slotwise-booking dialog dl').textContent(), /March 11, 2027 at 5:00 AM/)
  await popupPage.close()

  // The manage link's token left the address bar (history.replaceState): the link is opened again.
  assert.ok(!page.url().includes('slotwise-token'), page.url())
  await page.goto('about:blank')
  await page.goto(manageHref)
  await w.getByRole('heading', { name: 'Your booking' }).waitFor()
  await w.getByRole('button', { name: 'Cancel booking' }).click()
  await w.getByRole('button', { name: 'Yes, cancel it' }).click()
  await w.getByRole('heading', { name: 'Booking cancelled' }).waitFor()
  one = await server.api('GET', `/v1/providers/berlin/bookings?from=2027-03-01&to=2027-03-31`)
  b = (one.json.bookings || one.json).find((x) => x.id === booked.bookingId)
  assert.equal(b.status, 'CANCELLED')
  // Flexible policy, cancelled more than 24 h ahead, but nothing was paid: no refund is promised (issue 13).
  assert.doesNotMatch(await w.locator('dl').textContent(), /Refund/)

  // A service that needs the provider's confirmation: "Request sent", pending.
  const pending = await newPage(browser, { timezoneId: 'Europe/Madrid', locale: 'es-ES' })
  await pending.goto(`${server.url}/video.html`)
  await waitForEvent(pending, 'ready')
  const v = pending.locator('slotwise-booking')
  await v.locator('[data-date="2027-03-12"]').click()
  await v.locator('.slot').first().click()
  await submitDetails(v, 'Juana', 'juana@example.org')
  const [pendingBooked] = await waitForEvent(pending, 'booked')
  assert.equal(pendingBooked.status, 'PENDING')
  assert.equal(await v.locator('#done-heading').textContent(), 'Solicitud enviada')
  assert.match(await v.locator('dl').textContent(), /Pendiente/)
  assert.equal(await v.locator('a', { hasText: 'reunión' }).count(), 0, 'no meeting link before confirmation')
  // A virtual service confirmed at once: the meeting link is shown.
  await createProvider(server, 'online', berlinProvider({
    services: [{ id: 'call', name: 'Call', durations: [20], price: { amount: 0, currency: 'EUR' }, virtual: true, requires_confirmation: false }],
  }))
  await pending.goto(`${server.url}/online.html`)
  await waitForEvent(pending, 'ready')
  await v.locator('[data-date="2027-03-12"]').click()
  await v.locator('.slot').first().click()
  await submitDetails(v, 'Juana', 'juana@example.org')
  await v.locator('#done-heading', { hasText: 'Su cita está reservada' }).waitFor()
  const meeting = await v.getByRole('link', { name: 'Unirse a la reunión en línea' }).getAttribute('href')
  assert.match(meeting, /^https:\/\//)
  await assertClean(pending)

  const all = await events(page)
  assert.ok(all.every((e) => e.target === 'slotwise-booking'), 'events bubble out of the Shadow root')
  await assertClean(page)
})
