// axe-core finds no WCAG 2.2 AA violations (tags wcag2a, wcag2aa, wcag21a,
// wcag21aa, wcag22aa) in any state: calendar, times, form, form errors, the
// "just taken" error, confirmation, manage view, popup, load failure, and the
// right-to-left, dark and odd-brand-colour variants.
import assert from 'node:assert/strict'
import { assertClean, createProvider, hostPage, launch, newPage, run, runAxe, startServer, submitDetails, waitForEvent } from './lib.mjs'

await run('web axe-core in every state', async () => {
  const server = await startServer({
    pages: {
      'book.html': hostPage({ title: 'Book', widgets: [{ provider: 'berlin' }] }),
      'popup.html': hostPage({ title: 'Popup', widgets: [{ provider: 'berlin', service: 'video', mode: 'popup' }] }),
      'rtl.html': hostPage({ title: 'حجز', lang: 'ar', widgets: [{ provider: 'berlin', service: 'consult', locale: 'ar' }] }),
      'dark.html': hostPage({ title: 'Dark', widgets: [{ provider: 'berlin', service: 'consult', theme: 'dark', 'brand-color': '#ffe14d', locale: 'de-DE' }] }),
      'light-yellow.html': hostPage({ title: 'Yellow', widgets: [{ provider: 'berlin', service: 'consult', 'brand-color': '#ffe14d', locale: 'fr-FR' }] }),
      'missing.html': hostPage({ title: 'Missing', widgets: [{ provider: 'nobody', locale: 'es-ES' }] }),
    },
  })
  await createProvider(server, 'berlin')
  const browser = await launch()
  const checked = []
  const axe = async (page, label) => {
    await runAxe(page, label)
    checked.push(label)
  }

  const page = await newPage(browser)
  await page.goto(`${server.url}/book.html`)
  await waitForEvent(page, 'ready')
  const w = page.locator('slotwise-booking')
  await axe(page, 'calendar with times of the first free day')
  await w.locator('[data-date="2027-03-11"]').click()
  await axe(page, 'times of a chosen day')
  await w.locator('.slot').nth(2).click()
  await axe(page, 'form')
  await w.locator('button[type=submit]').click()
  await w.locator('#name-error').waitFor()
  await axe(page, 'form with errors')
  // Someone else takes the slot first: the "just taken" error.
  const chosen = (await page.evaluate(() => window.__events.filter((e) => e.name === 'slot-selected').at(-1).detail))
  const other = await fetch(`${server.url}/v1/bookings`, {
    method: 'POST', headers: { 'Content-Type': 'application/json', 'Idempotency-Key': 'axe-other' },
    body: JSON.stringify({ provider: 'berlin', service: chosen.service, start: chosen.start, client: { name: 'Other', email: 'other@example.org' } }),
  })
  assert.equal(other.status, 201)
  await submitDetails(w, 'Ada', 'ada@example.org')
  await w.locator('[role=alert]', { hasText: 'just taken' }).waitFor()
  await axe(page, 'slot just taken')
  await w.locator('.slot').first().click()
  await submitDetails(w, 'Ada', 'ada@example.org')
  await w.locator('#done-heading').waitFor()
  await axe(page, 'confirmation')
  const manage = await w.locator('a.link').getAttribute('href')
  await page.goto(manage)
  await page.reload()
  await w.getByRole('heading', { name: 'Your booking' }).waitFor()
  await axe(page, 'manage booking')
  await w.getByRole('button', { name: 'Cancel booking' }).click()
  await axe(page, 'cancel question')
  await w.getByRole('button', { name: 'Yes, cancel it' }).click()
  await w.getByRole('heading', { name: 'Booking cancelled' }).waitFor()
  await axe(page, 'cancelled')
  await assertClean(page)

  const popup = await newPage(browser, { timezoneId: 'Europe/Paris', locale: 'fr-FR' })
  await popup.goto(`${server.url}/popup.html`)
  await waitForEvent(popup, 'ready')
  await axe(popup, 'popup button')
  await popup.locator('slotwise-booking button.open').click()
  await popup.locator('slotwise-booking dialog[open]').waitFor()
  await axe(popup, 'popup dialog open')
  await popup.locator('slotwise-booking dialog .slot').first().click()
  await axe(popup, 'popup form')

  for (const [path, label, opts] of [['rtl.html', 'right-to-left (Arabic)', { locale: 'ar', timezoneId: 'Asia/Dubai' }],
    ['dark.html', 'dark theme, yellow brand, German', { locale: 'de-DE', timezoneId: 'Europe/Berlin' }],
    ['light-yellow.html', 'light theme, yellow brand, French', { locale: 'fr-FR', timezoneId: 'Europe/Paris' }],
    ['missing.html', 'unknown provider error, Spanish', { locale: 'es-ES', timezoneId: 'Europe/Madrid' }]]) {
    const p = await newPage(browser, opts)
    await p.goto(`${server.url}/${path}`)
    if (path === 'missing.html') await waitForEvent(p, 'error')
    else await waitForEvent(p, 'ready')
    await axe(p, label)
    if (path !== 'missing.html') {
      await p.locator('slotwise-booking .slot').first().click()
      await axe(p, `${label}: form`)
    }
    await assertClean(p)
  }
  console.log(`axe: no violations in ${checked.length} states: ${checked.join('; ')}`)
})
