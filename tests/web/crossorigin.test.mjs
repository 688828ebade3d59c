// The product case: the provider's site and the Slotwise server are different
// origins. The host page comes from http://localhost:PORT, the widget and API
// from http://127.0.0.1:PORT, under a CSP that names only that second origin.
// The widget scripts are classic scripts (no CORS needed) and the API sends
// CORS headers, so the widget always renders and books. The engine's ES
// module and .wasm need Access-Control-Allow-Origin on the server's static
// files: with it the engine runs in the browser, without it the widget uses
// the server's /slots; the test checks whichever the server allows.
import assert from 'node:assert/strict'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { assertClean, createProvider, launch, newPage, run, startServer, submitDetails, waitForEvent } from './lib.mjs'

await run('web cross-origin embedding', async () => {
  const server = await startServer({ pages: {} })
  await createProvider(server, 'berlin')
  const port = new URL(server.url).port
  const slotwise = `http://127.0.0.1:${port}`
  const site = `http://localhost:${port}`
  const info = JSON.parse(readFileSync(join(server.webRoot, 'build-info.json'), 'utf8'))
  let staticCors = true
  for (const file of [info.engine.module, info.engine.wasm]) {
    const r = await fetch(`${slotwise}/${file}`, { headers: { Origin: site } })
    await r.arrayBuffer()
    if (r.headers.get('access-control-allow-origin') == null) staticCors = false
  }
  const csp = `default-src 'none'; script-src ${slotwise} 'wasm-unsafe-eval'; connect-src ${slotwise}; style-src 'self'; img-src 'self' data:`
  writeFileSync(join(server.webRoot, 'provider-site.html'), `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}"><link rel="icon" href="data:,"><title>Provider site</title></head>
<body><h1>Provider site</h1><script src="${slotwise}/widget.js" data-provider="berlin" data-service="consult" async></script></body></html>`)
  const browser = await launch()
  const page = await newPage(browser)
  await page.goto(`${site}/provider-site.html`)
  const [ready] = await waitForEvent(page, 'ready')
  assert.equal(ready.engine, staticCors ? 'wasm' : 'server')
  if (!staticCors) console.log('note: the server sends no Access-Control-Allow-Origin on its static files, so the engine could not load cross-origin; the widget used /slots')
  const w = page.locator('slotwise-booking')
  await w.locator('[data-date="2027-03-10"]').click()
  await w.locator('.slot').first().click()
  await submitDetails(w, 'Cross Origin', 'xo@example.org')
  const [booked] = await waitForEvent(page, 'booked')
  assert.equal(booked.start, '2027-03-10T08:00:00Z')
  assert.ok((await w.locator('a.link').getAttribute('href')).startsWith(`${site}/provider-site.html#slotwise-booking=`), 'the manage link points at the provider site')
  const list = await server.api('GET', '/v1/providers/berlin/bookings?from=2027-03-01&to=2027-03-31')
  assert.equal((list.json.bookings || list.json).length, 1)
  // The engine's failed CORS loads are console errors, not CSP violations or page errors.
  await assertClean(page)
})
