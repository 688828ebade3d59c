// The JS API for single-page sites: Slotwise.render(element, options) with
// the options as the element's attributes, safe to call again on the same
// container, several widgets on one page, and destroy().
import assert from 'node:assert/strict'
import { assertClean, createProvider, hostPage, launch, newPage, run, startServer, waitForEvent } from './lib.mjs'

await run('web Slotwise.render and destroy', async () => {
  const server = await startServer({
    pages: { 'spa.html': hostPage({ title: 'SPA', body: '<div id="a"></div><div id="b"></div>', widgets: [{}] }) },
  })
  await createProvider(server, 'berlin')
  const browser = await launch()
  const page = await newPage(browser, { locale: 'en-US', timezoneId: 'America/New_York' })
  await page.goto(`${server.url}/spa.html`)
  await page.waitForFunction(() => window.Slotwise && window.Slotwise.render)
  assert.equal(await page.locator('slotwise-booking').count(), 0, 'a tag without data-provider only loads the API')

  const render = (selector, options) => page.evaluate(([s, o]) => window.Slotwise.render(document.querySelector(s), o).then(() => true), [selector, options])
  await render('#a', { provider: 'berlin', service: 'consult', locale: 'de-DE', timeZone: 'Asia/Tokyo', weekStart: 'sun', hideDetails: true, brandColor: '#0f766e' })
  const [ready] = await waitForEvent(page, 'ready')
  assert.equal(ready.timeZone, 'Asia/Tokyo')
  const a = page.locator('#a slotwise-booking')
  assert.equal(await a.locator('#month-label').textContent(), 'März 2027')
  assert.equal(await a.locator('th').first().getAttribute('abbr'), 'Sonntag')
  assert.equal(await a.locator('.head').count(), 0, 'hide-details hides the header')
  assert.equal(await a.locator('#zone').getAttribute('value'), 'Asia/Tokyo')
  // German 24-hour times in Tokyo: Berlin's Tuesday 16:00-17:00 CET is
  // Wednesday 00:00-01:00 there, and Wednesday 09:00 CET is 17:00.
  await a.locator('[data-date="2027-03-10"]').click()
  const times = (await a.locator('.slot').allTextContents()).map((t) => t.trim())
  assert.deepEqual(times.slice(0, 3), ['00:00', '00:30', '17:00'])

  // Rendering again into the same container replaces the widget.
  await render('#a', { provider: 'berlin', service: 'video', locale: 'fr-FR' })
  await waitForEvent(page, 'ready', 2)
  assert.equal(await page.locator('#a slotwise-booking').count(), 1)
  assert.equal(await page.locator('#a slotwise-booking #month-label').textContent(), 'mars 2027')

  // A second widget on the page, as a popup.
  await render('#b', { provider: 'berlin', service: 'consult', mode: 'popup', buttonLabel: 'Termin' })
  await waitForEvent(page, 'ready', 3)
  assert.equal(await page.locator('slotwise-booking').count(), 2)
  assert.equal((await page.locator('#b slotwise-booking button.open').textContent()).trim(), 'Termin')
  // The popup's button follows a new label, and the language when it has none.
  await page.locator('#b slotwise-booking').evaluate((el) => el.setAttribute('button-label', 'Jetzt buchen'))
  await page.locator('#b slotwise-booking button.open', { hasText: 'Jetzt buchen' }).waitFor()
  await page.locator('#b slotwise-booking').evaluate((el) => { el.removeAttribute('button-label'); el.setAttribute('locale', 'de') })
  await page.locator('#b slotwise-booking button.open', { hasText: 'Termin buchen' }).waitFor()
  assert.equal((await page.evaluate(() => window.__events.filter((e) => e.name === 'ready').length)), 3, 'no new load')

  // Attributes are the API: changing one re-renders the widget, keeping its
  // state (no new load: no second ready event).
  await page.locator('#a slotwise-booking').evaluate((el) => el.setAttribute('locale', 'es-ES'))
  await page.locator('#a slotwise-booking #month-label', { hasText: 'marzo de 2027' }).waitFor()
  assert.equal((await page.evaluate(() => window.__events.filter((e) => e.name === 'ready').length)), 3)

  // A provider whose only hours are months ahead: the first month says so and
  // offers the next month with free times (the widget fetches the grown range).
  await createProvider(server, 'later', {
    name: 'Later', kind: 'other', time_zone: 'Europe/Berlin', active: true,
    schedules: { default: { weekly: [], overrides: [{ date: '2027-07-07', kind: 'add', start: '10:00', end: '12:00' }] } },
    services: [{ id: 's', name: 'Session', durations: [60], price: { amount: 0, currency: 'EUR' } }],
  })
  await render('#a', { provider: 'later', locale: 'en-US' })
  await waitForEvent(page, 'ready', 4)
  const later = page.locator('#a slotwise-booking')
  assert.equal(await later.locator('#month-label').textContent(), 'March 2027')
  await later.getByText('No free times in March 2027.').waitFor()
  await later.getByRole('button', { name: 'Go to the next month with free times' }).click()
  await later.locator('#month-label', { hasText: 'July 2027' }).waitFor()
  assert.deepEqual(await later.locator('button.day.free').evaluateAll((els) => els.map((b) => b.dataset.date)), ['2027-07-07'])

  await page.evaluate(() => window.Slotwise.destroy(document.querySelector('#a')))
  assert.equal(await page.locator('#a slotwise-booking').count(), 0)
  assert.equal(await page.locator('#b slotwise-booking').count(), 1)
  await assertClean(page)
})
