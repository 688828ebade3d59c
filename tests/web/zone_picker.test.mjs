// The zone picker (<slotwise-zone-picker>, web/src/zone-picker/) in Chromium
// under the strict CSP, loaded the way the widget loads it (load.js adds the
// chunk named in build-info.json): search in en/de/fr/es/ar, a choice made
// with the keyboard only, links resolved, no Etc/Factory, offsets of
// half-hour zones at fixed instants (Kolkata, Lord Howe in summer and
// winter), axe on the open list at 375 px, no overflow, screenshots
// (SLOTWISE_SCREENSHOT_DIR, default: ./screenshots).
import assert from 'node:assert/strict'
import { mkdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { assertClean, distDir, launch, newPage, repo, run, runAxe, startServer, STRICT_CSP } from './lib.mjs'

const shotDir = process.env.SLOTWISE_SCREENSHOT_DIR || join(process.cwd(), 'screenshots')
const { buildSync } = createRequire(join(repo, 'web', 'package.json'))('esbuild')

// The host page's script: load.js as the widget bundles it, then one picker
// per the page's query string; every `change` is recorded.
function hostScript(chunk) {
  const entry = `
import { loadZonePicker } from './web/src/zone-picker/load.js'
window.__changes = []
document.addEventListener('change', (e) => window.__changes.push({ zone: e.detail && e.detail.zone, target: e.target.localName }))
loadZonePicker().then(() => {
  const q = new URLSearchParams(location.search)
  const el = document.createElement('slotwise-zone-picker')
  for (const a of ['value', 'locale', 'detected', 'label']) if (q.has(a)) el.setAttribute(a, q.get(a))
  if (q.has('dialog')) {
    // As in the widget's popup: the picker inside a modal dialog.
    const dialog = document.createElement('dialog')
    dialog.setAttribute('aria-label', 'Booking')
    dialog.append(el)
    document.body.append(dialog)
    dialog.showModal()
  } else {
    document.querySelector('#here').append(el)
  }
  window.__loaded = true
})`
  const r = buildSync({
    stdin: { contents: entry, resolveDir: repo, sourcefile: 'zone-picker-host.js' },
    bundle: true, format: 'iife', write: false, define: { SLOTWISE_ZONES_MODULE: JSON.stringify(chunk) },
  })
  return r.outputFiles[0].text
}

function page(lang) {
  return `<!doctype html><html lang="${lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${STRICT_CSP}">
<link rel="icon" href="data:,"><link rel="stylesheet" href="/zone-picker-host.css">
<title>Zone picker</title><script src="/zone-picker-host.js" defer></script></head>
<body><main><h1>Zone picker</h1><div id="here"></div><p>Below the picker.</p></main></body></html>`
}

await run('web zone picker', async () => {
  const info = JSON.parse(readFileSync(join(distDir, 'build-info.json'), 'utf8'))
  assert.ok(info.zonePicker, 'build-info.json names the zone picker chunk')
  const langs = ['en', 'de', 'fr', 'es', 'ar']
  const server = await startServer({
    pages: {
      'zone-picker-host.js': hostScript(info.zonePicker),
      'zone-picker-host.css': 'body{margin:0;font-family:system-ui,sans-serif}main{max-width:720px;margin:0 auto;padding:16px}',
      ...Object.fromEntries(langs.map((l) => [`zones-${l}.html`, page(l)])),
    },
  })
  // The chunk keeps the widget's rules (tests/web/static.test.mjs) and is
  // served like the widget bundle: long-cached by its content hash.
  const chunk = readFileSync(join(distDir, info.zonePicker), 'utf8')
  for (const [re, what] of [
    [/\beval\s*\(/, 'eval'], [/new\s+Function\b/, 'new Function'], [/\binnerHTML\b|\bouterHTML\b|insertAdjacentHTML/, 'HTML strings'],
    [/\.style\b(?!sheet)/i, 'element.style'], [/setAttribute\(\s*["']style["']/, 'style attribute'],
    [/document\.cookie/, 'cookies'], [/localStorage|sessionStorage|indexedDB/, 'storage'],
  ]) assert.ok(!re.test(chunk), `${info.zonePicker} uses ${what}`)
  assert.match(info.zonePicker, /^slotwise-zones\.[0-9a-f]{8}\.js$/)
  const served = await fetch(`${server.url}/${info.zonePicker}`)
  assert.equal(await served.text(), chunk)
  assert.match(served.headers.get('cache-control'), /max-age=31536000.*immutable/)
  assert.match(served.headers.get('content-type'), /^text\/javascript/)
  // The widget bundle does not carry the picker's data (a lazily loaded chunk).
  const widgetCode = readFileSync(join(distDir, info.widget), 'utf8')
  assert.ok(!widgetCode.includes('Asia/Kolkata') || !widgetCode.includes('Europe/Bratislava'), 'zone data in the widget bundle')

  const browser = await launch()
  const open = async ({ locale = 'en', params = {}, viewport, timezoneId = 'America/New_York', at = null } = {}) => {
    const p = await newPage(browser, { locale, timezoneId, ...(viewport ? { viewport } : {}) })
    if (at) await p.clock.setFixedTime(new Date(at))
    const q = new URLSearchParams({ locale, ...params })
    await p.goto(`${server.url}/zones-${locale.split('-')[0]}.html?${q}`)
    await p.waitForFunction(() => window.__loaded)
    const picker = p.locator('slotwise-zone-picker')
    return { p, picker, input: picker.locator('input[role=combobox]'), list: picker.locator('[role=listbox]') }
  }
  const zonesShown = (list) => list.locator('[role=option]').evaluateAll((els) => els.map((e) => e.dataset.zone))
  const searchFor = async ({ input, list }, text) => {
    await input.fill('')
    await input.pressSequentially(text)
    return zonesShown(list)
  }
  // The open list: axe, inside the page's width, 44 px targets; a screenshot.
  mkdirSync(shotDir, { recursive: true })
  const checkOpen = async (p, label, file) => {
    await p.locator('slotwise-zone-picker [role=listbox]').waitFor()
    await runAxe(p, `zone picker open (${label})`)
    const fit = await p.evaluate(() => {
      const root = document.querySelector('slotwise-zone-picker').shadowRoot
      const box = root.querySelector('[role=listbox]').getBoundingClientRect()
      const heights = [...root.querySelectorAll('[role=option]')].slice(0, 20).map((o) => o.getBoundingClientRect().height)
      return { width: innerWidth, scroll: document.documentElement.scrollWidth, left: box.left, right: box.right, minHeight: Math.min(...heights), input: root.querySelector('input').getBoundingClientRect().height }
    })
    assert.ok(fit.scroll <= fit.width && fit.left >= 0 && fit.right <= fit.width, `${label} fits: ${JSON.stringify(fit)}`)
    assert.ok(fit.minHeight >= 44 && fit.input >= 44, `${label}: 44 px targets: ${JSON.stringify(fit)}`)
    await p.screenshot({ path: join(shotDir, file) })
  }
  const MOBILE = { width: 375, height: 740 }
  const SHOT_AT = '2027-03-08T12:00:00Z'

  // --- English, a New York browser: the detected zone first; what is listed.
  {
    const { p, picker, input, list } = await open({ locale: 'en-US' })
    assert.equal(await picker.evaluate((el) => el.value), 'America/New_York', 'no value: the detected zone')
    assert.match(await input.inputValue(), /^\(UTC-0[45]:00\) New York, United States$/)
    // The first open builds every zone's names and offsets with Intl.
    const firstOpenMs = await input.evaluate((el) => {
      const t0 = performance.now()
      el.click()
      return performance.now() - t0
    })
    await input.press('Escape')
    const warmOpenMs = await input.evaluate((el) => {
      const t0 = performance.now()
      el.click()
      return performance.now() - t0
    })
    console.log(`open the list of ${await list.locator('[role=option]').count()} zones (en): ${firstOpenMs.toFixed(1)} ms the first time, names not yet built; ${warmOpenMs.toFixed(1)} ms after`)
    assert.equal(await input.getAttribute('aria-expanded'), 'true')
    const all = await zonesShown(list)
    assert.equal(all[0], 'America/New_York', 'detected zone first')
    assert.match(await list.locator('[role=option]').first().textContent(), /your device/)
    assert.ok(all.length > 380 && all.length < 450, `${all.length} zones`)
    const bad = all.filter((z) => /^(Etc|SystemV)\//.test(z) || ['Factory', 'CET', 'EST5EDT', 'US/Eastern', 'Asia/Calcutta'].includes(z))
    assert.deepEqual(bad, [], 'only canonical zones')
    assert.equal(new Set(all).size, all.length, 'each zone once')
    for (const z of ['Europe/Berlin', 'Asia/Kolkata', 'Australia/Lord_Howe', 'America/Argentina/Buenos_Aires', 'UTC']) assert.ok(all.includes(z), z)
    // West to east after the detected zone.
    const offsets = await list.locator('[role=option] .offset').allTextContents()
    const minutes = offsets.slice(1).map((o) => (o[3] === '-' ? -1 : 1) * (Number(o.slice(4, 6)) * 60 + Number(o.slice(7, 9))))
    assert.deepEqual(minutes, [...minutes].sort((a, b) => a - b), 'sorted by offset')

    // Search in English: city, alias city, country, common name, accents.
    const en = { input, list }
    assert.equal((await searchFor(en, 'new york'))[0], 'America/New_York')
    assert.deepEqual(await searchFor(en, 'calcutta'), ['Asia/Kolkata'], 'a link\'s city finds its zone')
    assert.equal((await searchFor(en, 'germany'))[0], 'Europe/Berlin')
    assert.equal((await searchFor(en, 'ZÜRICH'))[0], 'Europe/Zurich')
    assert.equal((await searchFor(en, 'sao paulo'))[0], 'America/Sao_Paulo')
    assert.equal((await searchFor(en, 'united states'))[0], 'America/New_York', 'a country lists its main zone first')
    const pacific = await searchFor(en, 'pacific time')
    assert.deepEqual(pacific.slice(0, 2).sort(), ['America/Los_Angeles', 'America/Tijuana'])
    assert.ok(pacific.includes('America/Vancouver'), pacific.join())
    assert.ok((await searchFor(en, '+05:30')).includes('Asia/Kolkata'), 'by offset')
    assert.ok(!(await searchFor(en, '-03:30')).includes('Asia/Kolkata'))
    assert.deepEqual(await searchFor(en, 'bratislava'), ['Europe/Prague'], 'zone.tab link: its city and country on the zone')
    assert.equal(await p.locator('text=Below the picker.').isVisible(), true)
    await assertClean(p)
    await p.context().close()
  }

  // --- Links resolved: value and detected given as link names.
  {
    const { p, picker, input, list } = await open({ locale: 'en', params: { value: 'Asia/Calcutta', detected: 'US/Eastern', dialog: '1' }, at: '2027-01-15T12:00:00Z' })
    assert.equal(await picker.evaluate((el) => el.value), 'Asia/Kolkata')
    assert.equal(await picker.evaluate((el) => el.detected), 'America/New_York')
    assert.equal(await input.inputValue(), '(UTC+05:30) Kolkata, India')
    assert.equal(await p.evaluate(() => window.Slotwise.zonePicker.resolve('Europe/Kiev')), 'Europe/Kyiv')
    assert.equal(await p.evaluate(() => window.Slotwise.zonePicker.resolve('Etc/GMT+5')), null)
    assert.equal(await p.evaluate(() => window.Slotwise.zonePicker.resolve('Factory')), null)
    assert.equal(await p.evaluate(() => window.Slotwise.zonePicker.resolve('Etc/UTC')), 'UTC')

    // In a modal dialog (the widget's popup): Escape closes the list first,
    // the dialog second.
    await input.focus()
    await p.keyboard.press('ArrowDown')
    await list.waitFor()
    await p.keyboard.press('Escape')
    assert.equal(await input.getAttribute('aria-expanded'), 'false')
    assert.equal(await p.evaluate(() => document.querySelector('dialog').open), true, 'the dialog stays open')
    await p.keyboard.press('Escape')
    assert.equal(await p.evaluate(() => document.querySelector('dialog').open), false, 'then closes')
    // Unlisted names are kept as given.
    const shown = await p.evaluate(() => {
      const el = document.querySelector('slotwise-zone-picker')
      el.setAttribute('value', 'Etc/GMT+5')
      return [el.value, el.shadowRoot.querySelector('input').value]
    })
    assert.deepEqual(shown, ['Etc/GMT+5', 'Etc/GMT+5'])
    // Only the zones the host supports (links count for their zone).
    await p.evaluate(() => {
      document.querySelector('slotwise-zone-picker').supportedZones = ['Asia/Calcutta', 'Europe/Berlin', 'Etc/GMT+5']
      document.querySelector('dialog').showModal()
    })
    await input.click()
    assert.deepEqual((await zonesShown(list)).sort(), ['Asia/Kolkata', 'Europe/Berlin'])
    await assertClean(p)
    await p.context().close()
  }

  // --- Offsets of 30-minute zones, at fixed instants (the browser's clock;
  // the picker recomputes its offsets every quarter of an hour).
  {
    const { p, input, list } = await open({ locale: 'en', at: '2027-01-15T12:00:00Z' })
    const offsetOf = async (at, zone) => {
      await p.clock.setFixedTime(new Date(at))
      await input.click()
      await input.fill(zone.split('/').at(-1).replaceAll('_', ' '))
      const text = (await list.locator(`[role=option][data-zone="${zone}"] .offset`).textContent()).trim()
      await input.press('Escape')
      return text
    }
    assert.equal(await offsetOf('2027-01-15T12:00:00Z', 'Asia/Kolkata'), 'UTC+05:30')
    assert.equal(await offsetOf('2027-01-15T12:00:00Z', 'Australia/Lord_Howe'), 'UTC+11:00', 'Lord Howe summer (+30 min DST)')
    assert.equal(await offsetOf('2027-01-15T12:00:00Z', 'America/St_Johns'), 'UTC-03:30')
    assert.equal(await offsetOf('2027-07-15T12:00:00Z', 'Australia/Lord_Howe'), 'UTC+10:30', 'Lord Howe winter')
    assert.equal(await offsetOf('2027-07-15T12:00:00Z', 'Asia/Kolkata'), 'UTC+05:30')
    assert.equal(await offsetOf('2027-07-15T12:00:00Z', 'America/St_Johns'), 'UTC-02:30')
    assert.equal(await offsetOf('2027-07-15T12:00:00Z', 'Asia/Kathmandu'), 'UTC+05:45')
    // Lord Howe's change back, 2027-04-04 02:00 local (+11:00) = 2027-04-03T15:00Z.
    assert.equal(await offsetOf('2027-04-03T14:30:00Z', 'Australia/Lord_Howe'), 'UTC+11:00')
    assert.equal(await offsetOf('2027-04-03T15:30:00Z', 'Australia/Lord_Howe'), 'UTC+10:30')
    // Its summer time starts at 02:00 local (+10:30) = 2027-10-02T15:30Z: on the half hour.
    assert.equal(await offsetOf('2027-10-02T15:20:00Z', 'Australia/Lord_Howe'), 'UTC+10:30')
    assert.equal(await offsetOf('2027-10-02T15:40:00Z', 'Australia/Lord_Howe'), 'UTC+11:00')
    await p.context().close()
  }

  // --- Search in German, French, Spanish and Arabic.
  {
    const { p, input, list } = await open({ locale: 'de', params: { detected: 'Europe/Berlin' }, timezoneId: 'Europe/Berlin', viewport: MOBILE, at: SHOT_AT })
    const de = { input, list }
    assert.match(await input.inputValue(), /^\(UTC\+0[12]:00\) Berlin, Deutschland$/)
    assert.equal((await searchFor(de, 'Deutschland'))[0], 'Europe/Berlin')
    assert.equal((await searchFor(de, 'zurich'))[0], 'Europe/Zurich')
    assert.equal((await searchFor(de, 'Vereinigte Staaten'))[0], 'America/New_York')
    const mez = await searchFor(de, 'mitteleuropäische')
    assert.equal(mez[0], 'Europe/Berlin', 'the detected zone first among equals')
    assert.ok(mez.includes('Europe/Paris') && mez.includes('Europe/Madrid'), mez.join())
    assert.match(await p.locator('slotwise-zone-picker label').textContent(), /Zeitzone/)
    await searchFor(de, 'Deutschland')
    await checkOpen(p, 'de, 375 px', 'zone-picker-mobile-de.png')
    await assertClean(p)
    await p.context().close()
  }
  {
    const { p, input, list } = await open({ locale: 'fr', params: { detected: 'Europe/Paris' }, timezoneId: 'Europe/Paris', viewport: { width: 720, height: 560 }, at: SHOT_AT })
    const fr = { input, list }
    assert.equal((await searchFor(fr, 'allemagne'))[0], 'Europe/Berlin')
    // (Vancouver's offset differs from Los Angeles' in Chromium's newer tz data.)
    const pacifique = await searchFor(fr, 'Pacifique')
    assert.deepEqual(pacifique.slice(0, 2).sort(), ['America/Los_Angeles', 'America/Tijuana'])
    assert.ok(pacifique.includes('America/Vancouver') && pacifique.includes('America/Hermosillo'), pacifique.join())
    const normale = await searchFor(fr, 'heure normale')
    assert.ok(normale.length > 20, `${normale.length} zones named "heure normale ..."`)
    const metas = await list.locator('[role=option] .meta').allTextContents()
    assert.ok(metas.slice(0, 10).every((m) => /heure normale/i.test(m)), metas.slice(0, 10).join(' | '))
    assert.ok(normale.includes('Asia/Tokyo') && !normale.includes('Europe/Paris'), 'zones without summer time only')
    assert.equal((await searchFor(fr, 'etats-unis'))[0], 'America/New_York')
    await searchFor(fr, 'pacifique')
    await checkOpen(p, 'fr, 720 px', 'zone-picker-desktop-fr.png')
    await assertClean(p)
    await p.context().close()
  }
  {
    const { p, input, list } = await open({ locale: 'es', params: { detected: 'Europe/Madrid' }, timezoneId: 'Europe/Madrid' })
    const es = { input, list }
    assert.equal((await searchFor(es, 'Alemania'))[0], 'Europe/Berlin')
    assert.equal((await searchFor(es, 'espana'))[0], 'Europe/Madrid')
    assert.equal((await searchFor(es, 'hora del pacifico'))[0], 'America/Los_Angeles')
    assert.equal((await searchFor(es, 'japon'))[0], 'Asia/Tokyo')
    await p.context().close()
  }
  {
    const { p, input, list, picker } = await open({ locale: 'ar', params: { detected: 'Asia/Riyadh' }, timezoneId: 'Asia/Riyadh', viewport: MOBILE, at: SHOT_AT })
    const ar = { input, list }
    assert.equal(await picker.locator('.zp').getAttribute('dir'), 'rtl')
    assert.equal((await searchFor(ar, 'ألمانيا'))[0], 'Europe/Berlin')
    assert.equal((await searchFor(ar, 'المانيا'))[0], 'Europe/Berlin', 'hamza forms of alef are one letter')
    assert.equal((await searchFor(ar, 'الهند'))[0], 'Asia/Kolkata')
    assert.equal((await searchFor(ar, 'اليابان'))[0], 'Asia/Tokyo')
    assert.equal((await searchFor(ar, 'الولايات المتحدة'))[0], 'America/New_York')
    // City names are not localised by Intl: the Arabic "New York" finds
    // nothing and says so; its country and zone name do.
    assert.deepEqual(await searchFor(ar, 'نيويورك'), [])
    assert.equal(await input.getAttribute('aria-expanded'), 'false')
    assert.match(await picker.locator('.empty').textContent(), /نيويورك/)
    assert.ok((await searchFor(ar, 'التوقيت الشرقي')).includes('America/New_York'))
    await searchFor(ar, 'الهند')
    await checkOpen(p, 'ar, 375 px', 'zone-picker-mobile-ar.png')
    await assertClean(p)
    await p.context().close()
  }

  // --- Keyboard only: Tab in, browse, Escape, search, Enter.
  {
    const { p, picker, input, list } = await open({ locale: 'en', params: { value: 'Europe/Berlin', detected: 'America/New_York' } })
    await p.keyboard.press('Tab')
    assert.equal(await input.evaluate((el) => el.getRootNode().activeElement === el), true, 'Tab reaches the field')
    const active = () => input.evaluate((el) => {
      const id = el.getAttribute('aria-activedescendant')
      return id ? el.getRootNode().getElementById(id).dataset.zone : null
    })
    await p.keyboard.press('ArrowDown')
    assert.equal(await input.getAttribute('aria-expanded'), 'true')
    assert.equal(await active(), 'Europe/Berlin', 'opens at the current zone')
    const all = await zonesShown(list)
    await p.keyboard.press('ArrowDown')
    assert.equal(await active(), all[all.indexOf('Europe/Berlin') + 1])
    await p.keyboard.press('ArrowUp')
    await p.keyboard.press('ArrowUp')
    assert.equal(await active(), all[all.indexOf('Europe/Berlin') - 1])
    await p.keyboard.press('End')
    assert.equal(await active(), all.at(-1))
    await p.keyboard.press('Home')
    assert.equal(await active(), all[0])
    await p.keyboard.press('PageDown')
    assert.equal(await active(), all[10])
    assert.equal(await list.locator('[aria-selected=true]').count(), 1)
    await p.keyboard.press('Escape')
    assert.equal(await input.getAttribute('aria-expanded'), 'false')
    assert.equal(await list.isHidden(), true)
    assert.match(await input.inputValue(), /^\(UTC\+0[12]:00\) Berlin, Germany$/)
    assert.deepEqual(await p.evaluate(() => window.__changes), [], 'Escape chooses nothing')
    await p.keyboard.type('kolk')
    assert.equal(await active(), 'Asia/Kolkata', 'the best match is active')
    await p.keyboard.press('Enter')
    assert.deepEqual(await p.evaluate(() => window.__changes), [{ zone: 'Asia/Kolkata', target: 'slotwise-zone-picker' }])
    assert.equal(await picker.evaluate((el) => el.value), 'Asia/Kolkata')
    assert.equal(await picker.getAttribute('value'), 'Asia/Kolkata')
    assert.equal(await input.inputValue(), '(UTC+05:30) Kolkata, India')
    assert.equal(await input.getAttribute('aria-expanded'), 'false')
    // Typing, then Tab: nothing chosen, the text is restored, focus moves on.
    await p.keyboard.type('tok')
    await p.keyboard.press('Tab')
    assert.equal(await input.inputValue(), '(UTC+05:30) Kolkata, India')
    assert.equal((await p.evaluate(() => window.__changes)).length, 1)
    // Choosing the same zone again fires nothing.
    await input.focus()
    await p.keyboard.type('kolkata')
    await p.keyboard.press('Enter')
    assert.equal((await p.evaluate(() => window.__changes)).length, 1)
    // A pointer choice works too, and bubbles out of the Shadow root.
    await input.click()
    await p.keyboard.type('tokyo')
    await list.locator('[data-zone="Asia/Tokyo"]').click()
    assert.deepEqual((await p.evaluate(() => window.__changes)).at(-1), { zone: 'Asia/Tokyo', target: 'slotwise-zone-picker' })
    await assertClean(p)
    await p.context().close()
  }

  // --- English at 375 px, the whole list open.
  {
    const { p, input } = await open({ locale: 'en', params: { detected: 'America/New_York' }, viewport: MOBILE, at: SHOT_AT })
    await input.click()
    await checkOpen(p, 'en, 375 px', 'zone-picker-mobile-en.png')
    await assertClean(p)
    await p.context().close()
  }
}, { timeoutMs: 170000 }) // a busy machine: CTest allows 180 s
