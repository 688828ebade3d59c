// The dashboard's availability screen (web/app/src/screens/availability.js)
// in Chromium against the real server: named schedules, a weekly window
// edited by keyboard alone with engine.md's rules said at the field, a
// vacation range that the widget on a host page shows as closed at once, the
// preview (the WebAssembly engine on the unsaved edits) equal to the
// server's /slots for the saved document in two zones, the warning that
// lists a booking a change would orphan, axe in every state, 320 px.
import assert from 'node:assert/strict'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { assertClean, hostPage, launch, newPage, repo, run, runAxe, startServer } from './lib.mjs'
import { createOwnProvider, screenHeading, signIn } from './dashboard_lib.mjs'

const dates = await import(join(repo, 'web', 'src', 'dates.js'))
const ID = 'avail-test'
const screen = 'sw-dashboard sw-screen-availability'

// The id of the element focused inside the screen's shadow root.
const focusedId = (page) => page.evaluate(() => {
  const s = document.querySelector('sw-dashboard').shadowRoot.querySelector('sw-screen-availability')
  return s.shadowRoot.activeElement?.id || s.shadowRoot.activeElement?.localName || null
})

// Presses Tab until the field `id` of the screen has focus (keyboard only).
async function tabTo (page, id, { max = 80 } = {}) {
  for (let i = 0; i < max; i++) {
    if (await focusedId(page) === id) return
    await page.keyboard.press('Tab')
  }
  throw new Error(`Tab never reached #${id}`)
}

// The preview's slots as the instants they start at, for one zone's list.
const previewStarts = (page, list) => page.locator(`${screen} #preview ul[aria-labelledby=${list}] .times`).evaluateAll((ts) => ts.flatMap((t) => t.dataset.starts.split(' ')))

const t0 = Date.now()
const mark = (what) => { if (process.env.SLOTWISE_TEST_TIMING) console.log(`${((Date.now() - t0) / 1000).toFixed(1)} s ${what}`) }

await run('dashboard availability', async () => {
  const server = await startServer({
    now: null,
    args: ['--job-poll', '0.1'],
    pages: { 'book.html': hostPage({ title: 'Book', widgets: [{ provider: ID, service: 'consult' }] }) },
  })
  const browser = await launch()
  const page = await newPage(browser, { timezoneId: 'Europe/Berlin' })
  mark("await signIn(page, server, 'ho")
  await signIn(page, server, 'hours@example.com')
  await createOwnProvider(page, ID)

  // A Monday a week or more ahead: the vacation is Monday to Wednesday, a
  // client books Thursday 10:00 through the public API.
  const today = dates.dateInZone(Date.now(), 'Europe/Berlin')
  let monday = dates.addDays(today, 8)
  while (dates.isoWeekday(monday) !== 1) monday = dates.addDays(monday, 1)
  const vacation = [0, 1, 2].map((n) => dates.addDays(monday, n))
  const thursday = dates.addDays(monday, 3)
  const slotsOf = async (from, to, zone) => {
    const r = await fetch(`${server.url}/v1/providers/${ID}/slots?service=consult&from=${from}&to=${to}&time_zone=${encodeURIComponent(zone)}`)
    assert.equal(r.status, 200)
    return (await r.json()).slots
  }
  const ten = (await slotsOf(thursday, thursday, 'Europe/Berlin')).find((s) => s.local_start === '10:00')
  const booked = await fetch(`${server.url}/v1/bookings`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': 'avail-test-1' },
    body: JSON.stringify({ provider: ID, service: 'consult', start: ten.start, client: { name: 'Orla Orphan', email: 'orla@example.com' } }),
  })
  assert.equal(booked.status, 201, await booked.clone().text())
  const booking = (await booked.json()).booking

  await page.goto(`${server.url}/app/`)
  await page.locator('sw-dashboard nav a', { hasText: 'Availability' }).click()
  await page.waitForURL((u) => u.pathname === '/app/availability')
  await page.locator(`${screen} #preview .times`).first().waitFor()
  assert.deepEqual(await screenHeading(page), { text: 'Availability', focused: true })
  mark("await runAxe(page, 'availabili")
  await runAxe(page, 'availability as loaded')

  // Named schedules: the one a service uses cannot be deleted; a new one
  // can be renamed and deleted.
  assert.equal(await page.locator(`${screen} #delete-schedule`).isDisabled(), true)
  await page.locator(`${screen} button`, { hasText: 'New schedule' }).click()
  await page.locator(`${screen} #schedule-name`).fill('default')
  await page.locator(`${screen} button`, { hasText: 'Create' }).click()
  await page.locator(`${screen} #schedule-name-error`, { hasText: 'exists' }).waitFor()
  await runAxe(page, 'schedule name taken')
  await page.locator(`${screen} #schedule-name`).fill('Evenings')
  await page.locator(`${screen} button`, { hasText: 'Create' }).click()
  assert.equal(await page.locator(`${screen} #schedule`).inputValue(), 'Evenings')
  await page.locator(`${screen} button`, { hasText: 'Rename' }).click()
  await page.locator(`${screen} #schedule-name`).fill('Late')
  await page.locator(`${screen} form button[type=submit]`, { hasText: 'Rename' }).click()
  assert.deepEqual(await page.locator(`${screen} #schedule option`).allTextContents(), ['default', 'Late'])
  await page.locator(`${screen} #delete-schedule`).click()
  assert.deepEqual(await page.locator(`${screen} #schedule option`).allTextContents(), ['default'])

  mark('// Keyboard alone:')
  // Keyboard alone: Monday ends at 12:00, a second window 13:00-17:00 is
  // added; a wrong time is said at its field first.
  await page.locator(`${screen} h1`).focus()
  await tabTo(page, 'w-0-end')
  await page.keyboard.press('Control+A')
  await page.keyboard.type('25:00')
  await page.keyboard.press('Tab')
  await page.locator(`${screen} #w-0-end-error`, { hasText: 'HH:MM' }).waitFor()
  assert.equal(await page.locator(`${screen} #w-0-end`).getAttribute('aria-invalid'), 'true')
  await runAxe(page, 'a time in error')
  await page.keyboard.press('Shift+Tab')
  assert.equal(await focusedId(page), 'w-0-end')
  await page.keyboard.press('Control+A')
  await page.keyboard.type('12:00')
  await tabTo(page, 'add-mon')
  await page.keyboard.press('Enter')
  await page.waitForFunction(() => document.querySelector('sw-dashboard').shadowRoot.querySelector('sw-screen-availability').shadowRoot.activeElement?.id === 'w-1-start')
  assert.equal(await page.locator(`${screen} #w-1-start`).inputValue(), '13:00', 'a new window follows the last one')
  await page.keyboard.press('Tab')
  await page.keyboard.press('Control+A')
  await page.keyboard.type('17:00')
  await page.keyboard.press('Tab')
  assert.equal(await page.locator(`${screen} [aria-invalid=true]`).count(), 0)

  // Copy Monday's two windows to Saturday through the dialog.
  await page.locator(`${screen} #copy-mon`).click()
  await page.locator(`${screen} #copy-dialog[open]`).waitFor()
  await runAxe(page, 'copy dialog open')
  await page.locator(`${screen} #copy-to-sat`).check()
  await page.locator(`${screen} #copy-dialog button[type=submit]`).click()
  assert.deepEqual(await page.locator(`${screen} fieldset:has(#add-sat) input`).evaluateAll((is) => is.map((i) => i.value)), ['09:00', '12:00', '13:00', '17:00'])
  assert.equal(await focusedId(page), 'copy-mon', 'focus returns to the button that opened the dialog')

  mark('// The vacation range:')
  // The vacation range: one action, three overrides.
  await page.locator(`${screen} #ov-kind`).selectOption('block-range')
  await page.locator(`${screen} #ov-from`).fill(vacation[2])
  await page.locator(`${screen} #ov-to`).fill(vacation[0])
  await page.locator(`${screen} #ov-add`).click()
  await page.locator(`${screen} #ov-to-error`, { hasText: 'before' }).waitFor()
  await runAxe(page, 'override form in error')
  await page.locator(`${screen} #ov-from`).fill(vacation[0])
  await page.locator(`${screen} #ov-to`).fill(vacation[2])
  await page.locator(`${screen} #ov-add`).click()
  await page.locator(`${screen} #override-list li`).nth(2).waitFor()
  assert.deepEqual(await page.locator(`${screen} #override-list li`).evaluateAll((lis) => lis.map((li) => li.dataset.date)), vacation)
  assert.equal(await page.locator(`${screen} #status`).textContent(), '3 date overrides added.')

  // Hours added on a day off (the Sunday before the vacation).
  const sunday = dates.addDays(monday, -1)
  await page.locator(`${screen} #ov-kind`).selectOption('add')
  await page.locator(`${screen} #ov-from`).fill(sunday)
  await page.locator(`${screen} #ov-start`).fill('10:00')
  await page.locator(`${screen} #ov-end`).fill('12:00')
  await page.locator(`${screen} #ov-add`).click()
  await page.locator(`${screen} #override-list li[data-date="${sunday}"]`, { hasText: 'Extra hours' }).waitFor()
  assert.equal(await page.locator(`${screen} ul[aria-labelledby=pv-own] li[data-date="${sunday}"] .times`).textContent(), '10:00 AM, 10:30 AM, 11:00 AM, 11:30 AM')

  // The preview of the unsaved edits: no times on the vacation days, none
  // on Mondays between 12:00 and 13:00, in a visitor zone too.
  const zone = page.locator(`${screen} slotwise-zone-picker input[role=combobox]`)
  await zone.fill('Tokyo')
  await zone.press('Enter')
  await page.locator(`${screen} #pv-visitor`, { hasText: 'Asia/Tokyo' }).waitFor()
  const own = await previewStarts(page, 'pv-own')
  const visitor = await previewStarts(page, 'pv-visitor')
  const ownDays = await page.locator(`${screen} ul[aria-labelledby=pv-own] li`).evaluateAll((lis) => lis.map((li) => li.dataset.date))
  for (const d of vacation) assert.ok(!ownDays.includes(d), `${d} is blocked in the preview`)
  assert.ok(ownDays.includes(thursday), `${thursday} in ${ownDays}`)
  const mondayTimes = (await page.locator(`${screen} ul[aria-labelledby=pv-own] li[data-date="${dates.addDays(monday, -7)}"] .times`).textContent()).split(', ')
  assert.ok(mondayTimes.includes('11:30 AM') && !mondayTimes.includes('12:00 PM') && mondayTimes.includes('1:00 PM'), mondayTimes.join())
  await runAxe(page, 'edited, preview in Tokyo')

  mark('// Save: the Thursday')
  // Unsaved edits: closing the tab would ask first.
  const leaving = () => page.evaluate(() => { const e = new Event('beforeunload', { cancelable: true }); dispatchEvent(e); return e.defaultPrevented })
  assert.equal(await leaving(), true)

  // Save: the Thursday booking is not touched yet, so no warning.
  await page.locator(`${screen} #save`).click()
  await page.locator(`${screen} #status`, { hasText: 'Availability saved.' }).waitFor()
  assert.equal(await page.locator(`${screen} #orphans-dialog`).evaluate((d) => d.open), false)
  assert.equal(await leaving(), false, 'nothing to lose once saved')

  // The preview equals what the server now answers for the saved document
  // (slots less than two hours ahead left out: `now` moves on between the two).
  const horizon = Date.now() + 2 * 3600000
  const ahead = (starts) => starts.filter((s) => Date.parse(s) > horizon)
  const from = dates.dateInZone(Date.now(), 'Europe/Berlin')
  assert.deepEqual(ahead(own), ahead((await slotsOf(from, dates.addDays(from, 20), 'Europe/Berlin')).map((s) => s.start)))
  const tokyoFrom = dates.dateInZone(Date.now(), 'Asia/Tokyo')
  assert.deepEqual(ahead(visitor), ahead((await slotsOf(tokyoFrom, dates.addDays(tokyoFrom, 20), 'Asia/Tokyo')).map((s) => s.start)))
  assert.ok(ahead(own).length > 50)

  mark('// The widget on a host page')
  // The widget on a host page shows the vacation at once.
  const visitorPage = await newPage(browser, { timezoneId: 'Europe/Berlin' })
  await visitorPage.goto(`${server.url}/book.html`)
  const widget = visitorPage.locator('slotwise-booking')
  await widget.locator('.calendar[aria-busy=false]').waitFor()
  const monthLabel = dates.formatMonth('en-US', dates.monthOf(monday))
  for (let i = 0; i < 3 && (await widget.locator('#month-label').textContent()).trim() !== monthLabel; i++) {
    await widget.locator('button[aria-label="Next month"]').click()
    await widget.locator('.calendar[aria-busy=false]').waitFor()
  }
  for (const d of vacation) assert.equal(await widget.locator(`button.day[data-date="${d}"]`).getAttribute('aria-disabled'), 'true', `${d} closed in the widget`)
  assert.equal(await widget.locator(`button.day[data-date="${thursday}"]`).getAttribute('aria-disabled'), null, 'Thursday is open')
  await assertClean(visitorPage)

  mark('// Blocking Thursday')
  // Blocking Thursday would orphan Orla's booking: the warning lists it.
  await page.locator(`${screen} #ov-kind`).selectOption('block-day')
  await page.locator(`${screen} #ov-from`).fill(thursday)
  await page.locator(`${screen} #ov-add`).click()
  await page.locator(`${screen} #override-list li[data-date="${thursday}"]`).waitFor()
  await page.locator(`${screen} #save`).click()
  const dialog = page.locator(`${screen} #orphans-dialog[open]`)
  await dialog.waitFor()
  assert.deepEqual(await dialog.locator('li').evaluateAll((lis) => lis.map((li) => li.dataset.booking)), [booking.id])
  assert.match(await dialog.locator('li').textContent(), /Orla Orphan/)
  assert.match(await dialog.locator('li').textContent(), /10:00 AM/)
  assert.equal(await focusedId(page), 'orphans-back')
  await runAxe(page, 'orphan warning open')
  await page.keyboard.press('Enter') // go back
  await page.waitForFunction(() => !document.querySelector('sw-dashboard').shadowRoot.querySelector('sw-screen-availability').shadowRoot.querySelector('#orphans-dialog').open)
  assert.equal(await focusedId(page), 'save')
  assert.equal((await slotsOf(thursday, thursday, 'Europe/Berlin')).length > 0, true, 'going back saved nothing')

  // Save anyway, then take it back: the booking's day opens again.
  await page.locator(`${screen} #save`).click()
  await dialog.waitFor()
  await dialog.locator('#orphans-save').click()
  await page.locator(`${screen} #status`, { hasText: 'Availability saved.' }).waitFor()
  assert.deepEqual(await slotsOf(thursday, thursday, 'Europe/Berlin'), [])
  await page.locator(`${screen} #override-list li[data-date="${thursday}"] button`).click()
  await page.locator(`${screen} #save`).click()
  await page.locator(`${screen} #status`, { hasText: 'Availability saved.' }).waitFor()
  assert.ok((await slotsOf(thursday, thursday, 'Europe/Berlin')).length > 0)

  mark("// The server's own problem")
  // The server's own problem lands at the field it names: the saved
  // document is sent with Monday's first window reversed on its way (the
  // screen's checks would not let it go), the real server refuses it.
  await page.route('**/v1/providers/*', async (route) => {
    if (route.request().method() !== 'PUT') return route.fallback()
    const doc = route.request().postDataJSON()
    doc.schedules.default.weekly[0].end = '08:00'
    await route.fulfill({ response: await route.fetch({ postData: JSON.stringify(doc) }) })
  })
  await page.locator(`${screen} #save`).click()
  await page.locator(`${screen} #w-0-end-error`, { hasText: 'end must be after its start' }).waitFor()
  assert.equal(await focusedId(page), 'w-0-end', 'focus goes to the field the server named')
  assert.match(await page.locator(`${screen} #status`).textContent(), /Not saved/)
  await runAxe(page, 'a server problem at its field')
  await page.unroute('**/v1/providers/*')
  await page.locator(`${screen} #save`).click()
  await page.locator(`${screen} #status`, { hasText: 'Availability saved.' }).waitFor()
  assert.equal(await page.locator(`${screen} [aria-invalid=true]`).count(), 0, 'a successful save clears the problem')

  // Another language: the screen and its last message follow.
  await page.locator('sw-dashboard #language').selectOption('de')
  await page.locator(`${screen} h1`, { hasText: 'Verfügbarkeit' }).waitFor()
  assert.equal((await page.locator(`${screen} #status`).textContent()).trim(), 'Verfügbarkeit gespeichert.')
  await runAxe(page, 'availability in German')
  await page.locator('sw-dashboard #language').selectOption('en')
  await page.locator(`${screen} h1`, { hasText: 'Availability' }).waitFor()

  mark('// 320 px:')
  // 320 px: nothing scrolls sideways; the screenshot for the README.
  await page.setViewportSize({ width: 320, height: 900 })
  await page.locator(`${screen} h1`).scrollIntoViewIfNeeded()
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 320), 'no sideways scroll at 320 px')
  await runAxe(page, 'availability at 320 px')
  mkdirSync(join(repo, 'web', 'screenshots'), { recursive: true })
  await page.screenshot({ path: join(repo, 'web', 'screenshots', 'dashboard-availability-320.png') })
  await assertClean(page)
})
