// Calendars in the dashboard (settings, Calendars) against a real Radicale:
// wrong credentials said plainly, a CalDAV account connected, the private
// calendar chosen to block slots (an event there removes those times from
// the public slots once synced) and the work calendar chosen to receive
// bookings (a booking appears there), the last sync shown; the secret feed
// created and served. axe on the panel, at 320 px with a screenshot.
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { assertClean, launch, newPage, repo, run, runAxe } from './lib.mjs'
import { createOwnProvider, signIn, startDashboardServer } from './dashboard_lib.mjs'
import { until } from '../server/harness.mjs'
import { davRequest, startRadicale } from '../server/radicale.mjs'

// A Tuesday at least three days ahead, as YYYY-MM-DD.
function nextTuesday () {
  const d = new Date(Date.now() + 3 * 86400e3)
  while (d.getUTCDay() !== 2) d.setUTCDate(d.getUTCDate() + 1)
  return d.toISOString().slice(0, 10)
}

await run('dashboard calendars', async () => {
  const radicale = await startRadicale({ users: { pat: 'calendar-secret' } })
  const server = await startDashboardServer(['--allow-private-targets'])
  const browser = await launch()
  const page = await newPage(browser)
  await signIn(page, server, 'calendars@example.com')
  await createOwnProvider(page, 'cal-test')
  await radicale.makeCalendar('pat', 'work', { name: 'Work' })
  await radicale.makeCalendar('pat', 'private', { name: 'Private' })
  const day = nextTuesday()
  const compact = day.replaceAll('-', '')
  await radicale.putEvent('pat', 'private', 'dentist.ics', [
    'BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//test//EN', 'BEGIN:VEVENT', 'UID:dentist@test',
    `DTSTAMP:${compact}T000000Z`, `DTSTART:${compact}T090000Z`, `DTEND:${compact}T100000Z`, 'SUMMARY:Dentist', 'END:VEVENT', 'END:VCALENDAR', ''].join('\r\n'))
  const slotsAt9 = async () => {
    const r = await (await fetch(`${server.url}/v1/providers/cal-test/slots?service=consult&from=${day}&to=${day}&time_zone=UTC`)).json()
    return r.slots.filter((s) => s.start < `${day}T10:00:00Z` && s.end > `${day}T09:00:00Z`).length
  }
  assert.ok(await slotsAt9() > 0, 'the hour is free before the calendar is connected')

  await page.goto(`${server.url}/app/settings/calendars`)
  const panel = page.locator('sw-settings-calendars')
  await panel.locator('#cal-url').waitFor()
  await runAxe(page, 'calendars, none connected')
  await panel.locator('#cal-url').fill(radicale.url)
  await panel.locator('#cal-user').fill('pat')
  await panel.locator('#cal-password').fill('wrong')
  await panel.locator('button', { hasText: 'Connect' }).first().click()
  await panel.locator('.error', { hasText: 'CALENDAR_AUTH_FAILED' }).waitFor()
  await panel.locator('#cal-password').fill('calendar-secret')
  await panel.locator('button', { hasText: /^Connect$/ }).click()
  await panel.locator('label', { hasText: 'Private' }).first().waitFor()

  // Private blocks; Work receives bookings.
  await panel.locator('input[name=check]').nth(await checkIndex(panel, 'Private')).check()
  await until('check saved', async () => (await api(page, '/v1/providers/cal-test/calendars')).connections[0].calendars.some((c) => c.name === 'Private' && c.check))
  await panel.locator('fieldset', { hasText: 'New bookings go to' }).locator('label', { hasText: 'Work' }).click()
  await until('write_to saved', async () => (await api(page, '/v1/providers/cal-test/calendars')).connections[0].calendars.some((c) => c.name === 'Work' && c.write_to))
  await panel.locator('button', { hasText: 'Sync now' }).click()
  await panel.locator('.hint', { hasText: 'Last sync' }).waitFor()
  await until('the dentist hour blocked', async () => (await slotsAt9()) === 0)
  await runAxe(page, 'calendars, one connected')

  // A booking lands in the Work calendar.
  const free = (await (await fetch(`${server.url}/v1/providers/cal-test/slots?service=consult&from=${day}&to=${day}&time_zone=UTC`)).json()).slots[0]
  const booked = await fetch(`${server.url}/v1/bookings`, { method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': 'cal-1' },
    body: JSON.stringify({ provider: 'cal-test', service: 'consult', start: free.start, client: { name: 'Cleo Calendar', email: 'cleo@example.com' } }) })
  assert.equal(booked.status, 201)
  await until('the booking in Work', async () => {
    const r = await davRequest(`${radicale.url}pat/work/`, 'PROPFIND', { user: 'pat', password: 'calendar-secret', headers: { Depth: '1' } })
    return /\.ics</.test(r.body)
  })

  // The feed.
  await panel.locator('button', { hasText: 'Create a feed address' }).click()
  const feedInput = panel.locator('input[readonly]')
  await feedInput.waitFor()
  const feed = await fetch(await feedInput.inputValue())
  assert.equal(feed.status, 200)
  assert.match(feed.headers.get('content-type'), /text\/calendar/)
  assert.match(await feed.text(), /Cleo Calendar/)

  await page.setViewportSize({ width: 320, height: 900 })
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 320), 'no sideways scroll at 320 px')
  await runAxe(page, 'calendars at 320 px')
  await page.screenshot({ path: join(repo, 'web', 'screenshots', 'dashboard-calendars-320.png'), fullPage: true })
  await assertClean(page)
  await radicale.stop()
})

async function api (page, path) {
  return page.evaluate(async (p) => (await fetch(p)).json(), path)
}

async function checkIndex (panel, name) {
  const labels = await panel.locator('fieldset', { hasText: 'Busy times block my slots' }).locator('label').allTextContents()
  return labels.findIndex((l) => l.trim() === name)
}
