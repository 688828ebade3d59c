// The product case: the provider's site and the Slotwise server are different
// origins. The host page comes from http://localhost:PORT, the widget and API
// from http://127.0.0.1:PORT, under a CSP that names only that second origin.
// Module scripts and fetched .wasm are CORS requests, so this needs
// Access-Control-Allow-Origin on the server's static files; while the server
// does not send it, the test reports itself skipped (exit 77) with the reason.
import assert from 'node:assert/strict'
import { assertClean, createProvider, launch, newPage, run, SKIP, startServer, submitDetails, waitForEvent } from './lib.mjs'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

await run('web cross-origin embedding', async () => {
  const server = await startServer({ pages: {} })
  await createProvider(server, 'berlin')
  const port = new URL(server.url).port
  const slotwise = `http://127.0.0.1:${port}`
  const info = JSON.parse(readFileSync(join(server.webRoot, 'build-info.json'), 'utf8'))
  for (const file of ['widget.js', info.widget, info.engine.module, info.engine.wasm]) {
    const r = await fetch(`${slotwise}/${file}`, { headers: { Origin: `http://localhost:${port}` } })
    if (r.headers.get('access-control-allow-origin') == null) {
      console.log(`SKIP: slotwise-server sends no Access-Control-Allow-Origin on static file ${file}; a widget on another origin cannot import its module or fetch its .wasm`)
      process.exitCode = SKIP
      return
    }
  }
  const csp = `default-src 'none'; script-src ${slotwise} 'wasm-unsafe-eval'; connect-src ${slotwise}; style-src 'self'; img-src 'self' data:`
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="${csp}"><title>Provider site</title></head>
<body><h1>Provider site</h1><script src="${slotwise}/widget.js" data-provider="berlin" data-service="consult" async></script></body></html>`
  writeFileSync(join(server.webRoot, 'provider-site.html'), html)
  const browser = await launch()
  const page = await newPage(browser)
  await page.goto(`http://localhost:${port}/provider-site.html`)
  const [ready] = await waitForEvent(page, 'ready')
  assert.equal(ready.engine, 'wasm')
  const w = page.locator('slotwise-booking')
  await w.locator('[data-date="2027-03-10"]').click()
  await w.locator('.slot').first().click()
  await submitDetails(w, 'Cross Origin', 'xo@example.org')
  const [booked] = await waitForEvent(page, 'booked')
  assert.equal(booked.start, '2027-03-10T08:00:00Z')
  assert.ok((await w.locator('a.link').getAttribute('href')).startsWith(`http://localhost:${port}/provider-site.html#`), 'the manage link points at the provider site')
  await assertClean(page)
})
