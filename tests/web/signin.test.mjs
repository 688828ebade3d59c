// The sign-in page (web/app/sign-in/) in Chromium against the real server:
// the mail's link opens the page, which shows the code and signs in only on
// a click (a POST from the server's own origin); the session comes back as an
// HttpOnly cookie that the page's later requests carry; sign-out ends it; the
// address and code can be typed by hand. No CSP violation, no page error.
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { launch, newPage, run, startServer } from './lib.mjs'
import { mailWith } from './dashboard_lib.mjs'

const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

// The mail holding `challenge`, from the server's .eml folder.
const mailText = (dir, challenge) => mailWith(dir, `challenge=${challenge}&`, { tries: 200 })

await run('web sign-in page', async () => {
  const server = await startServer({ now: null, args: ['--job-poll', '0.1'] })
  const mailDir = join(server.dir, 'mail')
  const browser = await launch()
  const page = await newPage(browser)
  const me = () => page.evaluate(async () => (await fetch('/v1/me')).status)

  // From the mail's link: nothing happens until the click.
  const asked = await (await fetch(`${server.url}/v1/auth/email-code`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'web@example.com' }) })).json()
  const link = (await mailText(mailDir, asked.challenge)).match(/(http:\/\/\S+\/app\/sign-in#challenge=[a-z0-9_]+&code=[0-9]{8})/)[1]
  await page.goto(link)
  await page.waitForSelector('#from-link:not([hidden])')
  assert.equal(await page.textContent('#link-code'), link.slice(-8))
  assert.equal(await me(), 401, 'opening the link signed nobody in')
  await page.click('#confirm')
  await page.waitForSelector('#signed-in:not([hidden])')
  assert.equal(await page.textContent('#who'), 'web@example.com')
  assert.equal(await page.getAttribute('#dashboard', 'href'), '/app/', 'the page leads on to the dashboard')
  assert.ok(!page.url().includes('code='), 'the spent code left the address bar')
  const cookie = (await page.context().cookies()).find((c) => c.name === 'slotwise_session')
  assert.ok(cookie && cookie.httpOnly && cookie.sameSite === 'Lax', JSON.stringify(cookie))
  assert.equal(await me(), 200, 'the cookie signs the page\'s requests')

  await page.click('#sign-out')
  await page.waitForSelector('#ask:not([hidden])')
  assert.equal(await me(), 401, 'signed out')

  // By hand: the address, then the code from the mail.
  await page.fill('#email', 'Web@Example.com')
  await page.click('#ask button[type=submit]')
  await page.waitForSelector('#enter:not([hidden])')
  // The page's challenge is the one that is not the link's.
  let code = null
  for (let i = 0; i < 100 && !code; i++) {
    for (const f of readdirSync(mailDir).filter((x) => x.endsWith('.eml'))) {
      const t = readFileSync(join(mailDir, f), 'latin1').replace(/=\r?\n/g, '').replace(/=3D/g, '=')
      const m = t.match(/challenge=([a-z0-9_]+)&code=([0-9]{8})/)
      if (m && m[1] !== asked.challenge) code = m[2]
    }
    if (!code) await sleep(100)
  }
  assert.ok(code, 'the second mail')
  await page.fill('#code', code === '00000000' ? '11111111' : '00000000')  // a wrong code first
  await page.click('#enter button[type=submit]')
  await page.waitForFunction(() => document.getElementById('status').className === 'error')
  await page.fill('#code', code)
  await page.click('#enter button[type=submit]')
  await page.waitForSelector('#signed-in:not([hidden])')
  assert.equal(await me(), 200)

  assert.deepEqual(await page.evaluate(() => window.__violations), [])
  assert.deepEqual(page.errors, [])
})
