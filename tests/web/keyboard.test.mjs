// Keyboard only: a full booking without the mouse through the WAI-ARIA date
// grid, then the popup as a real modal dialog (focus trapped, Esc closes,
// focus returns to the button).
import assert from 'node:assert/strict'
import { assertClean, createProvider, hostPage, launch, newPage, run, startServer, waitForEvent } from './lib.mjs'

const focused = (page, index = 0) => page.evaluate((i) => {
  const host = document.querySelectorAll('slotwise-booking')[i]
  const el = host.shadowRoot.activeElement
  if (!el) return { where: document.activeElement?.localName }
  return { tag: el.localName, text: el.textContent.trim(), date: el.dataset.date || null, cls: el.className, label: el.getAttribute('aria-label'), id: el.id, inDialog: !!el.closest('dialog') }
}, index)

await run('web keyboard-only booking and modal dialog', async () => {
  const server = await startServer({
    pages: {
      'book.html': hostPage({ title: 'Book', widgets: [{ provider: 'berlin', service: 'consult' }] }),
      'popup.html': hostPage({ title: 'Popup', body: '<p><a href="#x">Before</a></p>', widgets: [{ provider: 'berlin', service: 'consult', mode: 'popup' }] }),
    },
  })
  await createProvider(server, 'berlin')
  const browser = await launch()
  const page = await newPage(browser)
  await page.goto(`${server.url}/book.html`)
  await waitForEvent(page, 'ready')

  // Tab into the grid: it is one tab stop, on the selected (first free) day.
  let f
  for (let i = 0; i < 12; i++) {
    await page.keyboard.press('Tab')
    f = await focused(page)
    if (f.cls && f.cls.includes('day')) break
  }
  assert.equal(f.date, '2027-03-08', 'the grid tab stop is the first day with free times')
  const key = async (k, date) => {
    await page.keyboard.press(k)
    await page.waitForFunction((d) => document.querySelector('slotwise-booking').shadowRoot.activeElement?.dataset.date === d, date, { timeout: 5000 })
  }
  await key('ArrowRight', '2027-03-09')
  await key('ArrowDown', '2027-03-16')
  await key('ArrowUp', '2027-03-09')
  await key('ArrowLeft', '2027-03-08')
  await key('End', '2027-03-13') // en-US weeks run Sunday..Saturday
  await key('Home', '2027-03-07')
  await key('PageDown', '2027-04-07')
  assert.equal(await page.locator('slotwise-booking #month-label').textContent(), 'April 2027')
  await key('PageUp', '2027-03-07')
  await key('ArrowRight', '2027-03-08')
  await key('ArrowRight', '2027-03-09')
  await key('ArrowRight', '2027-03-10')
  f = await focused(page)
  assert.equal(f.label, 'Wednesday, March 10, 2027, 16 free times')
  // Only one day is in the tab order.
  assert.equal(await page.locator('slotwise-booking button.day[tabindex="0"]').count(), 1)

  await page.keyboard.press('Enter')
  await page.waitForFunction(() => document.querySelector('slotwise-booking').shadowRoot.activeElement?.classList.contains('slot'))
  f = await focused(page)
  assert.equal(f.text, '3:00 AM', 'focus moves to the first time')
  // The count is announced in the live region.
  await page.waitForFunction(() => document.querySelector('slotwise-booking').shadowRoot.querySelector('[aria-live=polite].sr-only').textContent.includes('16 free times'))
  await page.keyboard.press('Tab')
  f = await focused(page)
  assert.equal(f.text, '3:30 AM')
  await page.keyboard.press('Enter')
  await page.waitForFunction(() => document.querySelector('slotwise-booking').shadowRoot.activeElement?.id === 'name')
  await page.keyboard.type('Grace Hopper')
  await page.keyboard.press('Tab')
  f = await focused(page)
  assert.equal(f.id, 'email')
  // Submitting with a bad email: the error is shown and focus goes to the field.
  await page.keyboard.type('grace-at-example')
  await page.keyboard.press('Enter')
  await page.locator('slotwise-booking #email-error').filter({ hasText: 'valid email' }).waitFor()
  f = await focused(page)
  assert.equal(f.id, 'email')
  await page.keyboard.press('Control+A')
  await page.keyboard.type('grace@example.org')
  await page.keyboard.press('Enter')
  const [booked] = await waitForEvent(page, 'booked')
  assert.equal(booked.start, '2027-03-10T08:30:00Z')
  await page.waitForFunction(() => document.querySelector('slotwise-booking').shadowRoot.activeElement?.id === 'done-heading')
  const list = await server.api('GET', '/v1/providers/berlin/bookings?from=2027-03-01&to=2027-03-31')
  assert.equal((list.json.bookings || list.json)[0].start, '2027-03-10T08:30:00Z')
  await assertClean(page)

  // The popup: a modal dialog.
  const popup = await newPage(browser)
  await popup.goto(`${server.url}/popup.html`)
  await waitForEvent(popup, 'ready')
  await popup.keyboard.press('Tab') // the page's own link
  await popup.keyboard.press('Tab')
  f = await focused(popup)
  assert.equal(f.text, 'Book an appointment')
  await popup.keyboard.press('Enter')
  assert.equal(await popup.locator('slotwise-booking dialog').evaluate((d) => d.open && d.matches(':modal')), true)
  f = await focused(popup)
  assert.equal(f.inDialog, true)
  assert.equal(f.date, '2027-03-08', 'focus starts on the date grid')
  // Focus stays inside the dialog however far one tabs.
  for (let i = 0; i < 40; i++) {
    await popup.keyboard.press('Tab')
    const g = await focused(popup)
    assert.equal(g.inDialog, true, `tab ${i} left the dialog: ${JSON.stringify(g)}`)
  }
  await popup.keyboard.press('Escape')
  await popup.waitForFunction(() => !document.querySelector('slotwise-booking').shadowRoot.querySelector('dialog').open)
  f = await focused(popup)
  assert.equal(f.text, 'Book an appointment', 'focus returns to the button')
  await assertClean(popup)
})
