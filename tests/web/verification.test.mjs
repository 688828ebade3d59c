// A service that verifies the client's email address (issue 11): the widget
// books, the server answers HELD and mails a code (read here from the .eml
// folder beside the SQLite file), the widget asks for it: a wrong code shows
// the error and lets the client retry, the right one shows the usual
// confirmation. A hold that ended sends the client back to the times with a
// clear message. axe-core checks the code step, with and without its error.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { assertClean, berlinProvider, createProvider, fillDetails, hostPage, launch, newPage, run, runAxe, startServer, waitForEvent } from './lib.mjs'

await run('web client email verification', async () => {
  const server = await startServer({
    pages: { 'verify.html': hostPage({ title: 'Verify', widgets: [{ provider: 'berlin', service: 'checked' }] }) },
  })
  const config = berlinProvider()
  config.services.push({ id: 'checked', name: 'Checked consultation', durations: [30], min_notice_minutes: 60, max_advance_days: 180,
    price: { amount: 6000, currency: 'EUR' }, cancellation_policy: 'flexible', virtual: false, requires_confirmation: false,
    verify_client_email: true })
  await createProvider(server, 'berlin', config)
  const mailDir = join(server.dir, 'mail')
  const codeFor = async (email) => {
    for (const deadline = Date.now() + 15000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 100))) {
      const mails = existsSync(mailDir)
        ? readdirSync(mailDir).filter((f) => f.endsWith('.eml')).map((f) => readFileSync(join(mailDir, f), 'utf8')).filter((m) => m.includes(email))
        : []
      if (mails.length) return mails[0].match(/\n {4}(\d{6})\r?\n/)[1]
    }
    throw new Error(`no mail to ${email}`)
  }
  const wrongOf = (code) => String((Number(code) + 1) % 1000000).padStart(6, '0')

  const browser = await launch()
  const page = await newPage(browser, { timezoneId: 'Europe/Berlin', locale: 'en-GB' })
  await page.goto(`${server.url}/verify.html`)
  await waitForEvent(page, 'ready')
  const w = page.locator('slotwise-booking')
  const book = async (date, email) => {
    await w.locator(`[data-date="${date}"]`).click()
    await w.locator('.slot').first().click()
    assert.match(await w.locator('.stack').textContent(), /We will email you a code to confirm this booking/)
    await fillDetails(w, 'Grace Hopper', email)
    await w.locator('button[type=submit]').click()
    await w.locator('#code').waitFor()
  }

  await book('2027-03-10', 'grace@example.org')
  assert.equal(await w.locator('#verify-heading').textContent(), 'Check your email')
  assert.match(await w.locator('#code-help').textContent(), /6-digit code to grace@example\.org/)
  const input = w.locator('#code')
  assert.equal(await input.getAttribute('inputmode'), 'numeric')
  assert.equal(await input.getAttribute('autocomplete'), 'one-time-code')
  assert.equal(await w.locator('label[for=code]').textContent(), 'Code from the email')
  assert.equal(await page.evaluate(() => document.querySelector('slotwise-booking').shadowRoot.activeElement?.id), 'code', 'focus is on the code')
  assert.equal((await page.evaluate(() => window.__events.filter((e) => e.name === 'booked'))).length, 0, 'not booked before the code')
  await runAxe(page, 'code step')

  const code = await codeFor('grace@example.org')
  await input.fill('12')
  await w.locator('#verify-heading ~ form button[type=submit]').click()
  assert.equal(await w.locator('#code-error').textContent(), 'Please enter the 6-digit code from the email.')
  await input.fill(wrongOf(code))
  await w.locator('#verify-heading ~ form button[type=submit]').click()
  await w.locator('#code-error', { hasText: 'Tries left: 4' }).waitFor()
  assert.equal(await input.getAttribute('aria-invalid'), 'true')
  assert.match(await input.getAttribute('aria-describedby'), /code-error/)
  await runAxe(page, 'code step with a wrong code')

  await input.fill(`${code.slice(0, 3)} ${code.slice(3)}`)
  await w.locator('#verify-heading ~ form button[type=submit]').click()
  const [booked] = await waitForEvent(page, 'booked')
  assert.equal(booked.status, 'CONFIRMED')
  await w.locator('#done-heading').waitFor()
  assert.equal(await w.locator('#done-heading').textContent(), 'You are booked')
  assert.match(await w.locator('dl').textContent(), /Confirmed/)
  const list = await server.api('GET', '/v1/providers/berlin/bookings?from=2027-03-01&to=2027-03-31')
  assert.deepEqual(list.json.bookings.map((b) => [b.id, b.status]), [[booked.bookingId, 'CONFIRMED']])

  // A hold that ended before the code came: back to the times, told why.
  await w.locator('button', { hasText: 'Book another time' }).click()
  await book('2027-03-11', 'ada@example.org')
  const late = await codeFor('ada@example.org')
  execFileSync('sqlite3', [join(server.dir, 'slotwise.db'), "UPDATE bookings SET expires_at = expires_at - 7200 WHERE status = 'HELD'"])
  await input.fill(late)
  await w.locator('#verify-heading ~ form button[type=submit]').click()
  await w.locator('.alert', { hasText: 'The time is no longer held for you' }).waitFor()
  await w.locator('.slot').first().waitFor()
  assert.equal(await w.locator('#code').count(), 0)

  await assertClean(page)
  for (const c of [code, late]) assert.doesNotMatch(server.log(), new RegExp(`(^|\\D)${c}(\\D|$)`), 'no code in the server log')
})
