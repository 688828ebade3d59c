// Helpers for the dashboard's tests (web/app/): a server whose mail lands in
// its .eml folder, and signing a new provider in the way a person does, the
// code read from that folder.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { berlinProvider, startServer } from './lib.mjs'

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

// A server at the real clock (sign-in codes expire in real time), jobs polled
// often so mail is written at once.
export function startDashboardServer (args = []) {
  return startServer({ now: null, args: ['--job-poll', '0.1', ...args] })
}

// The decoded text (quoted-printable undone) of the first mail in the
// server's .eml folder that holds `needle`.
export async function mailWith (mailDir, needle, { tries = 300 } = {}) {
  for (let i = 0; i < tries; i++) {
    const files = existsSync(mailDir) ? readdirSync(mailDir).filter((f) => f.endsWith('.eml')) : []
    for (const f of files) {
      const text = readFileSync(join(mailDir, f), 'latin1').replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16)))
      if (text.includes(needle)) return text
    }
    await sleep(100)
  }
  throw new Error(`no mail holding ${needle} in ${mailDir}`)
}

// Opens /app/, asks for a code for `email`, reads it from the mail and enters
// it. Resolves once the dashboard shows a signed-in screen.
export async function signIn (page, server, email) {
  await page.goto(`${server.url}/app/`)
  await page.locator('sw-sign-in #email').fill(email)
  const asked = page.waitForResponse((r) => r.url().endsWith('/v1/auth/email-code'))
  await page.locator('sw-sign-in button:not(.secondary)').click()
  const { challenge } = await (await asked).json()
  const code = (await mailWith(join(server.dir, 'mail'), `challenge=${challenge}&`)).match(/code=([0-9]{8})/)[1]
  await page.locator('sw-sign-in #code').fill(code)
  await page.locator('sw-sign-in button:not(.secondary)').click()
  await page.locator('sw-sign-in').waitFor({ state: 'detached' })
}

// A provider owned by the signed-in account, made through the API with the
// page's cookie (a same-origin request carries the Origin the server wants).
// One active service by default: the free plan's limit.
export async function createOwnProvider (page, id, doc = berlinProvider({ services: berlinProvider().services.slice(0, 1) })) {
  const { status, text } = await page.evaluate(async ([id, doc]) => {
    const r = await fetch(`/v1/providers/${id}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(doc) })
    return { status: r.status, text: await r.text() }
  }, [id, doc])
  if (status !== 201 && status !== 200) throw new Error(`PUT provider: ${status} ${text}`)
}

// The h1 of the screen the dashboard shows, and whether it has focus.
export async function screenHeading (page) {
  return page.evaluate(() => {
    const shell = document.querySelector('sw-dashboard')
    const screen = shell.shadowRoot.querySelector('main > *')
    const h1 = screen?.shadowRoot?.querySelector('h1')
    return { text: h1?.textContent.trim(), focused: !!h1 && screen.shadowRoot.activeElement === h1 && shell.shadowRoot.activeElement === screen }
  })
}
