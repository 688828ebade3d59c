// What the built widget may not contain, and how the server serves it: no
// eval or Function constructor, no innerHTML, no inline styles (style
// attributes or element.style), no cookies, no Web Storage; content-hashed
// files long-cached, widget.js and the page revalidated, .wasm as
// application/wasm, module scripts as JavaScript.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { distDir, run, startServer } from './lib.mjs'

await run('web static checks of the build', async () => {
  const info = JSON.parse(readFileSync(join(distDir, 'build-info.json'), 'utf8'))
  const ours = ['widget.js', info.widget]
  const forbidden = [
    [/\beval\s*\(/, 'eval'], [/new\s+Function\b/, 'new Function'], [/\binnerHTML\b|\bouterHTML\b|insertAdjacentHTML/, 'HTML strings'],
    [/\.style\b(?!sheet)/i, 'element.style'], [/setAttribute\(\s*["']style["']/, 'style attribute'],
    [/document\.cookie/, 'cookies'], [/localStorage|sessionStorage|indexedDB/, 'storage'],
  ]
  for (const f of ours) {
    const text = readFileSync(join(distDir, f), 'utf8')
    for (const [re, what] of forbidden) assert.ok(!re.test(text), `${f} uses ${what}`)
  }
  // The engine's glue is built with -sDYNAMIC_EXECUTION=0: no eval either.
  const glue = readFileSync(join(distDir, info.engine.module), 'utf8')
  assert.ok(!/\beval\s*\(|new\s+Function\b/.test(glue), 'engine glue uses eval')
  assert.match(info.widget, /^slotwise-widget\.[0-9a-f]{8}\.js$/)

  const server = await startServer({ pages: {} })
  const head = async (f) => {
    const r = await fetch(`${server.url}/${f}`)
    await r.arrayBuffer()
    assert.equal(r.status, 200, f)
    return r.headers
  }
  for (const f of [info.widget, info.engine.module, info.engine.wasm]) {
    assert.match((await head(f)).get('cache-control'), /max-age=31536000.*immutable/, f)
  }
  for (const f of ['widget.js', 'index.html']) {
    const cc = (await head(f)).get('cache-control')
    assert.ok(/no-cache|max-age=\d{1,3}\b/.test(cc), `${f}: ${cc}`)
  }
  assert.equal((await head(info.engine.wasm)).get('content-type'), 'application/wasm')
  for (const f of ['widget.js', info.widget, info.engine.module]) assert.match((await head(f)).get('content-type'), /^text\/javascript/)
  // The demo page carries the strict CSP it documents.
  const demo = readFileSync(join(distDir, 'index.html'), 'utf8')
  assert.match(demo, /script-src 'self' 'wasm-unsafe-eval'; connect-src 'self'; style-src 'self'/)
  assert.ok(!/<script(?![^>]*\bsrc=)/.test(demo) && !/\sstyle=/.test(demo), 'demo page has inline script or style')
})
