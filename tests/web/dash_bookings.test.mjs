// The dashboard's bookings and clients screens (web/app/src/screens/
// bookings.js, clients.js) in Chromium against the real server: bookings
// made through the public API appear in the agenda and the week in the
// provider's zone with the client's zone beside them; confirm, decline,
// cancel and no-show through the dashboard, each dialog saying what happens
// to the client's money before anything is done, and the status changing in
// the list; the history shows the transitions; the CSV holds what is shown;
// the clients list counts bookings and a no-show with its lock-out; one
// action done by keyboard alone; axe in every state (dialogs open); 320 px.
//
// Two server processes share one SQLite file: the first at Monday
// 2027-03-08 12:00 UTC, the second at 14:10, when one appointment
// has started (complete and no-show need that). The browser's clock is set
// to the server's, as a provider's computer and the server agree.
import assert from 'node:assert/strict'
import { mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { assertClean, berlinProvider, launch, newPage, repo, run, runAxe, startServer } from './lib.mjs'
import { createOwnProvider, screenHeading, signIn } from './dashboard_lib.mjs'

const T0 = '2027-03-08T12:00:00Z'
const T1 = '2027-03-08T14:10:00Z'
const screen = (page) => page.locator('sw-screen-bookings')
const item = (page, name) => screen(page).locator('li.booking', { hasText: name })
const dialog = (page) => screen(page).locator('dialog[open]')

// The element that has focus, through the shadow roots.
const deepActive = (page) => page.evaluate(() => {
  let el = document.activeElement
  while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement
  return el ? { tag: el.tagName, id: el.id, text: el.textContent.trim().slice(0, 80), action: el.dataset?.action || '', booking: el.closest?.('li.booking')?.id || '' } : null
})

// Focus moves after the screen has re-rendered: poll for it (under load the
// render may come a moment after the change that caused it).
async function expectFocus (page, check, message) {
  let active
  for (const deadline = Date.now() + 10000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 50))) {
    active = await deepActive(page)
    if (active && check(active)) return
  }
  assert.fail(`${message}: focus is on ${JSON.stringify(active)}`)
}

// Presses Tab until `wanted(active)` holds: the keyboard alone gets there.
async function tabTo (page, wanted, max = 80) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab')
    const active = await deepActive(page)
    if (active && wanted(active)) return active
  }
  throw new Error('Tab never reached the element')
}

async function book (server, start, client, extra = {}) {
  const r = await fetch(`${server.url}/v1/bookings`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': `dash-bk-${start}-${client.email}` },
    body: JSON.stringify({ provider: 'dash-bk', service: 'consult', start, client, ...extra }),
  })
  const json = await r.json()
  assert.equal(r.status, 201, JSON.stringify(json))
  return json.booking
}

async function showTab (page, server, query) {
  await page.goto(`${server.url}/app/bookings${query}`)
  await screen(page).locator('h1').waitFor()
  await page.waitForFunction(() => {
    const s = document.querySelector('sw-dashboard')?.shadowRoot?.querySelector('sw-screen-bookings')
    return s && s.bookings && !s.loading
  })
}

// Opens an action's dialog from a booking and returns its text.
async function openAction (page, name, action) {
  await item(page, name).first().locator(`button[data-action=${action}]`).click()
  await dialog(page).waitFor()
  return (await dialog(page).locator('.outcome').textContent()).replace(/\s+/g, ' ').trim()
}

async function statusOf (page, name) {
  return item(page, name).first().getAttribute('data-status')
}

await run('dashboard bookings and clients', async () => {
  const server = await startServer({ now: T0, args: ['--job-poll', '0.1'] })
  const browser = await launch()
  const page = await newPage(browser)
  await page.clock.setFixedTime(new Date(T0))

  await signIn(page, server, 'agenda-owner@example.com')
  const provider = berlinProvider({
    services: [{ ...berlinProvider().services[0], durations: [30], requires_confirmation: true, price: { amount: 6000, currency: 'EUR' } }],
  })
  await createOwnProvider(page, 'dash-bk', provider)

  // Through the public API, as the widget books: requests waiting for the provider.
  const ann = await book(server, '2027-03-09T09:00:00Z', { name: 'Ann Client', email: 'ann@example.com' }, { time_zone: 'America/New_York' })
  await book(server, '2027-03-09T10:00:00Z', { name: 'Bob Brown', email: 'bob@example.com' })
  const cara = await book(server, '2027-03-08T14:00:00Z', { name: 'Cara Dune', email: 'cara@example.com' })
  await book(server, '2027-03-10T09:00:00Z', { name: 'Dan Dare', email: 'dan@example.com', phone: '+49 30 123' })
  const annLater = await book(server, '2027-03-11T09:00:00Z', { name: 'Ann Client', email: 'ann@example.com' }, { time_zone: 'America/New_York' })

  // The agenda at /app/: every request, in Berlin time, Ann's own time beside it.
  await page.goto(`${server.url}/app/`)
  await item(page, 'Bob Brown').waitFor()
  assert.equal((await screenHeading(page)).text, 'Bookings')
  assert.equal(await screen(page).locator('li.booking').count(), 5)
  const annItem = item(page, 'Ann Client').first()
  const annText = (await annItem.textContent()).replace(/\s+/g, ' ')
  assert.match(annText, /Tue, Mar 9, 10:00\sAM\s*[–-]\s*10:30\sAM/, 'Berlin wall time (UTC+1)')
  assert.match(annText, /Client: Tue, Mar 9, 04:00\sAM \(America\/New_York\)/, 'the client\'s wall time and zone')
  assert.doesNotMatch((await item(page, 'Bob Brown').textContent()), /Client:/, 'no client zone given: nothing extra')
  assert.equal(await statusOf(page, 'Bob Brown'), 'PENDING')
  await runAxe(page, 'bookings: upcoming list')

  // Tabs live in the address, so Back returns to the previous one.
  await screen(page).locator('.filters a', { hasText: 'Requests' }).click()
  await page.waitForURL((u) => u.search === '?tab=pending')
  await screen(page).locator('.filters a[aria-current=page]', { hasText: 'Requests' }).waitFor()
  await screen(page).locator('.filters a', { hasText: 'Cancelled' }).click()
  await page.waitForURL((u) => u.search === '?tab=cancelled')
  await screen(page).locator('#empty').waitFor()
  await runAxe(page, 'bookings: empty cancelled tab')
  await page.goBack()
  await page.waitForURL((u) => u.search === '?tab=pending')
  await screen(page).locator('.filters a[aria-current=page]', { hasText: 'Requests' }).waitFor()

  // Search by client, also in the address.
  await screen(page).locator('#q').fill('ANN@')
  await screen(page).locator('form.search button').click()
  await page.waitForURL((u) => u.searchParams.get('q') === 'ANN@')
  await page.waitForFunction(() => document.querySelector('sw-dashboard').shadowRoot.querySelector('sw-screen-bookings').shadowRoot.querySelectorAll('li.booking').length === 2)
  assert.deepEqual(await screen(page).locator('li.booking strong').allTextContents(), ['Ann Client', 'Ann Client'])

  // The week, Monday to Sunday in Berlin.
  await showTab(page, server, '?view=week')
  const day = (date) => screen(page).locator(`li.day[data-date="${date}"]`)
  assert.equal(await day('2027-03-08').locator('li.booking').count(), 1)
  assert.equal(await day('2027-03-09').locator('li.booking').count(), 2)
  assert.match(await day('2027-03-09').locator('li.booking').first().textContent(), /^\s*10:00\sAM\s*[–-]\s*10:30\sAM\s*Ann Client[\s\S]*America\/New_York/)
  assert.match(await day('2027-03-12').textContent(), /Free/)
  await runAxe(page, 'bookings: week')
  await screen(page).locator('.filters a', { hasText: 'Next week' }).click()
  await page.waitForURL((u) => u.searchParams.get('week') === '2027-03-15')
  await screen(page).locator('li.day[data-date="2027-03-15"]').waitFor()

  // Confirm: nothing about money changes, and the dialog says what does.
  await showTab(page, server, '')
  let outcome = await openAction(page, 'Cara Dune', 'confirm')
  assert.match(outcome, /stays reserved/)
  await runAxe(page, 'bookings: confirm dialog open')
  await dialog(page).locator('#act-go').click()
  await dialog(page).waitFor({ state: 'detached' })
  await page.waitForFunction(() => document.querySelector('sw-dashboard').shadowRoot.querySelector('sw-screen-bookings').shadowRoot.querySelector('li.booking[data-status=CONFIRMED]'))
  assert.equal(await statusOf(page, 'Cara Dune'), 'CONFIRMED')
  await expectFocus(page, (a) => a.booking === `b-${cara.id}`, 'focus stays with the booking')
  outcome = await openAction(page, 'Ann Client', 'confirm')
  await dialog(page).locator('#act-go').click()
  await dialog(page).waitFor({ state: 'detached' })
  outcome = await openAction(page, 'Dan Dare', 'confirm')
  await dialog(page).locator('#act-go').click()
  await dialog(page).waitFor({ state: 'detached' })
  await page.waitForFunction(() => document.querySelector('sw-dashboard').shadowRoot.querySelector('sw-screen-bookings').shadowRoot.querySelectorAll('li.booking[data-status=CONFIRMED]').length === 3)

  // Decline by keyboard alone, with a reason; the refund is shown first.
  await screen(page).locator('h1').focus()
  const declineButton = await tabTo(page, (a) => a.action === 'decline' && a.booking && a.tag === 'BUTTON')
  assert.ok(declineButton.booking, 'a decline button of a request')
  await page.keyboard.press('Enter')
  await dialog(page).waitFor()
  outcome = (await dialog(page).locator('.outcome').textContent()).replace(/\s+/g, ' ')
  assert.match(outcome, /No payment was taken for this booking, so no money moves\./)
  assert.match(outcome, /€60\.00 \(100% of €60\.00\)/)
  // Escape leaves without acting; focus goes back to the button.
  await page.keyboard.press('Escape')
  await dialog(page).waitFor({ state: 'detached' })
  await expectFocus(page, (a) => a.action === 'decline', 'focus back on the decline button')
  await page.keyboard.press('Enter')
  await dialog(page).waitFor()
  await expectFocus(page, (a) => a.id === 'reason', 'the dialog opens on its first field')
  await runAxe(page, 'bookings: decline dialog open')
  await page.keyboard.type('Fully booked that day')
  await tabTo(page, (a) => a.id === 'act-go', 5)
  await page.keyboard.press('Enter')
  await dialog(page).waitFor({ state: 'detached' })
  const declinedId = declineButton.booking.slice(2)
  // A declined request leaves the upcoming tab; focus goes to the heading.
  await screen(page).locator(`#b-${declinedId}`).waitFor({ state: 'detached' })
  await expectFocus(page, (a) => a.tag === 'H1', 'focus on the heading once the booking has left the tab')

  // Cancel with a reason: the provider's cancel refunds 100 %, said before.
  outcome = await openAction(page, 'Dan Dare', 'cancel')
  assert.match(outcome, /No payment was taken/)
  assert.match(outcome, /gets everything back: €60\.00 \(100% of €60\.00\)/)
  await runAxe(page, 'bookings: cancel dialog open')
  await dialog(page).locator('#reason').fill('Clinic closed')
  await dialog(page).locator('#act-go').click()
  await dialog(page).waitFor({ state: 'detached' })
  await item(page, 'Dan Dare').waitFor({ state: 'detached' })

  // The cancelled tab shows both, with their statuses.
  await screen(page).locator('.filters a', { hasText: 'Cancelled' }).click()
  await item(page, 'Dan Dare').waitFor()
  assert.equal(await statusOf(page, 'Dan Dare'), 'CANCELLED')
  assert.equal(await screen(page).locator(`#b-${declinedId}`).getAttribute('data-status'), 'DECLINED')

  // One booking: its details and its history, in order.
  await item(page, 'Dan Dare').locator('h2 a').click()
  await page.waitForURL(/\/app\/bookings\/bk_/)
  await screen(page).locator('ol.history li').nth(2).waitFor()
  assert.equal((await screenHeading(page)).text, 'Booking with Dan Dare')
  assert.deepEqual(await screen(page).locator('ol.history li').evaluateAll((els) => els.map((e) => e.dataset.action)), ['create', 'confirm', 'cancel'])
  const historyText = (await screen(page).locator('ol.history').textContent()).replace(/\s+/g, ' ')
  assert.match(historyText, /Booked by the client/)
  assert.match(historyText, /Confirmed by you .*from Request, to Confirmed/)
  assert.match(historyText, /Cancelled by you .*from Confirmed, to Cancelled/)
  assert.match(await screen(page).locator('dl').textContent(), /Clinic closed/)
  await runAxe(page, 'bookings: one booking with history')
  await page.goBack()
  await page.waitForURL((u) => u.search === '?tab=cancelled')

  // CSV of what is shown (the upcoming tab), times in Berlin.
  await showTab(page, server, '')
  const [download] = await Promise.all([page.waitForEvent('download'), screen(page).locator('#csv').click()])
  assert.equal(download.suggestedFilename(), 'bookings-dash-bk-upcoming.csv')
  const csv = readFileSync(await download.path(), 'utf8')
  const rows = csv.split('\r\n')
  assert.equal(rows[0], 'id,start,end,time_zone,status,service,client_name,client_email,client_phone,client_time_zone,price,currency,cancelled_by,cancellation_reason,notes,created_at')
  assert.equal(rows.length, 5, 'a header, three bookings, and the final CRLF')
  assert.equal(rows.at(-1), '')
  const annRow = rows.find((r) => r.startsWith(ann.id))
  assert.match(annRow, /^bk_\w+,2027-03-09 10:00,2027-03-09 10:30,Europe\/Berlin,CONFIRMED,consult,Ann Client,ann@example\.com,,America\/New_York,60\.00,EUR,,,,/)

  // The clients so far.
  await page.goto(`${server.url}/app/clients`)
  const client = (email) => page.locator(`sw-screen-clients li.client[data-email="${email}"]`)
  await client('ann@example.com').waitFor()
  const count = (email, what) => client(email).locator(`dd[data-count=${what}]`).textContent()
  assert.equal(await count('ann@example.com', 'bookings'), '2')
  assert.equal(await count('ann@example.com', 'upcoming'), '2')
  assert.equal(await count('dan@example.com', 'cancelled'), '1')
  assert.equal(await page.locator('sw-screen-clients .locked').count(), 0)
  await runAxe(page, 'clients')

  // At 14:10: Cara's appointment (14:00) has started.
  const later = await startServer({ now: T1, args: ['--job-poll', '0.1', '--db', `sqlite:${join(server.dir, 'slotwise.db')}`] })
  await page.clock.setFixedTime(new Date(T1))
  await showTab(page, later, '?tab=past')
  await item(page, 'Cara Dune').waitFor()
  outcome = await openAction(page, 'Cara Dune', 'no_show')
  assert.match(outcome, /No payment was taken/)
  assert.match(outcome, /a no-show gets nothing back: €0\.00 \(0% of €60\.00\)/)
  assert.match(outcome, /can no longer book same-day appointments/)
  await runAxe(page, 'bookings: no-show dialog open')
  await dialog(page).locator('#act-go').click()
  await dialog(page).waitFor({ state: 'detached' })
  await page.waitForFunction(() => document.querySelector('sw-dashboard').shadowRoot.querySelector('sw-screen-bookings').shadowRoot.querySelector('li.booking[data-status=NO_SHOW]'))
  assert.equal(await item(page, 'Cara Dune').locator('button').count(), 0, 'nothing more to do')

  // In German: the screen's words from the German catalogue, dates by Intl.
  await page.locator('sw-dashboard #language').selectOption('de')
  await screen(page).locator('h1', { hasText: 'Buchungen' }).waitFor()
  assert.equal(await item(page, 'Cara Dune').locator('.status').textContent(), 'Nicht erschienen')
  assert.match(await screen(page).locator('.filters a[aria-current=page]', { hasText: 'Vergangen' }).textContent(), /Vergangen/)
  assert.match(await item(page, 'Cara Dune').locator('h2').textContent(), /Mo\., 8\. März, 15:00/)
  await runAxe(page, 'bookings in German')
  await page.locator('sw-dashboard #language').selectOption('en')
  await screen(page).locator('h1', { hasText: 'Bookings' }).waitFor()

  // The booking's own page. The request is confirmed elsewhere (another tab)
  // while the decline dialog is open: the server's refusal is shown in the
  // dialog, which stays open with focus on its button.
  await page.goto(`${later.url}/app/bookings/${annLater.id}`)
  await screen(page).locator('ol.history li').first().waitFor()
  await screen(page).locator('button[data-action=decline]').click()
  await dialog(page).waitFor()
  const elsewhere = await page.evaluate(async (id) => (await fetch(`/v1/bookings/${id}/confirm`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status, annLater.id)
  assert.equal(elsewhere, 200)
  await dialog(page).locator('#act-go').click()
  await dialog(page).locator('.error[role=alert]', { hasText: 'That did not work' }).waitFor()
  await expectFocus(page, (a) => a.id === 'act-go', 'focus back on the button after the refusal')
  await runAxe(page, 'decline dialog with the server\'s refusal')
  await dialog(page).locator('#act-back').click()
  await dialog(page).waitFor({ state: 'detached' })
  // Read again, the booking is confirmed; cancelling it here grows its history.
  await page.reload()
  await screen(page).locator('button[data-action=cancel]').click()
  await dialog(page).waitFor()
  await runAxe(page, 'cancel dialog on the booking page')
  await dialog(page).locator('#act-go').click()
  await screen(page).locator('ol.history li[data-action=cancel]').waitFor()
  assert.deepEqual(await screen(page).locator('ol.history li').evaluateAll((els) => els.map((e) => e.dataset.action)), ['create', 'confirm', 'cancel'])
  assert.equal(await screen(page).locator('dl .status').textContent(), 'Cancelled')
  await expectFocus(page, (a) => a.id === `b-${annLater.id}`, 'focus on the booking after the action')

  // The clients list counts the no-show and shows the server's lock-out.
  await page.goto(`${later.url}/app/clients?sort=no_shows`)
  await client('cara@example.com').waitFor()
  assert.equal(await page.locator('sw-screen-clients li.client').first().getAttribute('data-email'), 'cara@example.com')
  assert.equal(await count('cara@example.com', 'no_shows'), '1')
  assert.match(await client('cara@example.com').locator('.locked').textContent(), /Same-day booking closed \(no-shows: 1\)/)
  await runAxe(page, 'clients with a lock-out')
  // The lock-out is the server's: Cara cannot book today, Bob can.
  const refused = await fetch(`${later.url}/v1/bookings`, {
    method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': 'dash-bk-locked' },
    body: JSON.stringify({ provider: 'dash-bk', service: 'consult', start: '2027-03-08T15:30:00Z', client: { name: 'Cara Dune', email: 'cara@example.com' } }),
  })
  assert.equal((await refused.json()).code, 'CLIENT_LOCKED_OUT')
  // From a client to their bookings: the agenda searched by their address.
  await client('cara@example.com').locator('a', { hasText: 'Bookings of Cara Dune' }).click()
  await page.waitForURL((u) => u.pathname === '/app/bookings' && u.searchParams.get('q') === 'cara@example.com' && u.searchParams.get('tab') === 'past')
  await item(page, 'Cara Dune').waitFor()
  assert.equal(await screen(page).locator('li.booking').count(), 1)
  assert.equal(await screen(page).locator('#q').inputValue(), 'cara@example.com')
  await page.goBack()
  await client('cara@example.com').waitFor()

  // 320 px: nothing scrolls sideways; dialogs fit; screenshots.
  mkdirSync(join(repo, 'web', 'screenshots'), { recursive: true })
  await page.setViewportSize({ width: 320, height: 720 })
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 320), 'clients: no sideways scroll at 320 px')
  await runAxe(page, 'clients at 320 px')
  await page.screenshot({ path: join(repo, 'web', 'screenshots', 'dashboard-clients-320.png'), fullPage: true })
  await showTab(page, later, '')
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 320), 'bookings: no sideways scroll at 320 px')
  await runAxe(page, 'bookings at 320 px')
  await page.screenshot({ path: join(repo, 'web', 'screenshots', 'dashboard-bookings-320.png'), fullPage: true })
  await openAction(page, 'Ann Client', 'cancel')
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 320), 'the dialog fits at 320 px')
  await runAxe(page, 'cancel dialog at 320 px')
  await dialog(page).locator('#act-back').click()
  await dialog(page).waitFor({ state: 'detached' })
  assert.equal(await statusOf(page, 'Ann Client'), 'CONFIRMED', 'going back changes nothing')

  // Another account's booking is not there: the history answers 404.
  await page.goto(`${later.url}/app/bookings/bk_doesnotexist0`)
  await screen(page).locator('h1', { hasText: 'There is no such booking.' }).waitFor()
  await runAxe(page, 'bookings: no such booking')
  await assertClean(page)
})
