// Builds web/dist/: the short-cached loader widget.js, the content-hashed
// widget script, the engine files named by build-wasm/dist/manifest.json, and
// the demo provider website. Usage:
//   node web/build.mjs [--wasm-dist DIR] [--out DIR] [--no-engine]
// --no-engine builds a widget whose engine files are absent, which always
// falls back to the server's /slots (for working on the widget alone).
import { build, transform } from 'esbuild'
import { createHash } from 'node:crypto'
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { gzipSync } from 'node:zlib'
import { buildZonePicker } from './build-zone-picker.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const args = process.argv.slice(2)
const opt = (name, fallback) => {
  const i = args.indexOf(name)
  return i >= 0 ? args[i + 1] : fallback
}
const wasmDist = resolve(opt('--wasm-dist', process.env.SLOTWISE_WASM_DIST || join(here, '..', 'build-wasm', 'dist')))
const out = resolve(opt('--out', join(here, 'dist')))
const noEngine = args.includes('--no-engine')

const hash8 = (buf) => createHash('sha256').update(buf).digest('hex').slice(0, 8)
const target = ['chrome111', 'firefox113', 'safari16.4']

let engine = { module: 'slotwise-engine.missing.mjs', wasm: 'slotwise-engine.missing.wasm', tzVersion: null }
if (!noEngine) {
  const manifestPath = join(wasmDist, 'manifest.json')
  if (!existsSync(manifestPath)) {
    console.error(`build: ${manifestPath} not found. Build the engine first:\n  cmake --preset wasm && cmake --build --preset wasm\n(or pass --no-engine for a server-only widget)`)
    process.exit(1)
  }
  engine = JSON.parse(readFileSync(manifestPath, 'utf8'))
  for (const f of [engine.module, engine.wasm]) {
    if (!f || !existsSync(join(wasmDist, f))) {
      console.error(`build: ${f} named by ${manifestPath} is missing`)
      process.exit(1)
    }
  }
}

// CSS is minified and inlined into the module as a string for
// CSSStyleSheet.replaceSync: one request, no <style> element.
const cssAsText = {
  name: 'css-as-text',
  setup(b) {
    b.onLoad({ filter: /\.css$/ }, async (a) => {
      const { code } = await transform(readFileSync(a.path, 'utf8'), { loader: 'css', minify: true, target })
      return { contents: `export default ${JSON.stringify(code.trim())}`, loader: 'js' }
    })
  },
}

rmSync(out, { recursive: true, force: true })
mkdirSync(out, { recursive: true })

// The interface strings of every language but English (built in) as
// content-hashed JSON files the widget fetches while it loads (src/i18n.js).
const catalogues = {}
for (const f of readdirSync(join(here, 'src', 'strings'))) {
  const lang = f.replace(/\.js$/, '')
  if (lang === 'en') continue
  const { default: strings } = await import(pathToFileURL(join(here, 'src', 'strings', f)).href)
  const text = JSON.stringify(strings)
  const name = `slotwise-strings-${lang}.${hash8(text)}.json`
  writeFileSync(join(out, name), text)
  catalogues[lang] = name
}

// The zone picker: a lazily loaded chunk the widget names by content (src/zone-picker/).
const zonePicker = await buildZonePicker({ out, target })

// The payment step: a lazily loaded chunk, fetched only when a booking asks
// for a payment (src/payment/), so free services carry none of it.
const payment = await build({
  entryPoints: [join(here, 'src', 'payment', 'index.js')],
  bundle: true, format: 'iife', minify: true, write: false, target, legalComments: 'none',
  plugins: [cssAsText],
})
const paymentName = `slotwise-payment.${hash8(payment.outputFiles[0].contents)}.js`
writeFileSync(join(out, paymentName), payment.outputFiles[0].contents)

const widget = await build({
  entryPoints: [join(here, 'src', 'index.js')],
  bundle: true, format: 'iife', minify: true, write: false, target, legalComments: 'none',
  plugins: [cssAsText],
  define: {
    SLOTWISE_ENGINE_MODULE: JSON.stringify(engine.module),
    SLOTWISE_ENGINE_WASM: JSON.stringify(engine.wasm),
    SLOTWISE_CATALOGUES: JSON.stringify(catalogues),
    SLOTWISE_ZONES_MODULE: JSON.stringify(zonePicker.file),
    SLOTWISE_PAYMENT_MODULE: JSON.stringify(paymentName),
  },
})
const widgetCode = widget.outputFiles[0].contents
const widgetName = `slotwise-widget.${hash8(widgetCode)}.js`
writeFileSync(join(out, widgetName), widgetCode)

const loader = await build({
  entryPoints: [join(here, 'src', 'loader.js')],
  bundle: true, format: 'iife', minify: true, write: false, target, legalComments: 'none',
  define: {
    SLOTWISE_WIDGET_MODULE: JSON.stringify(widgetName),
    SLOTWISE_ENGINE_MODULE: JSON.stringify(engine.module),
    SLOTWISE_ENGINE_WASM: JSON.stringify(engine.wasm),
  },
})
writeFileSync(join(out, 'widget.js'), loader.outputFiles[0].contents)

if (!noEngine) {
  copyFileSync(join(wasmDist, engine.module), join(out, engine.module))
  copyFileSync(join(wasmDist, engine.wasm), join(out, engine.wasm))
}

// The demo provider website: hashed assets, the HTML refers to them by name.
const demoDir = join(here, 'demo')
const renames = {}
for (const f of readdirSync(demoDir)) {
  if (f.endsWith('.html')) continue
  const buf = readFileSync(join(demoDir, f))
  const dot = f.lastIndexOf('.')
  const name = `${f.slice(0, dot)}.${hash8(buf)}${f.slice(dot)}`
  writeFileSync(join(out, name), buf)
  renames[f] = name
}
for (const f of readdirSync(demoDir).filter((x) => x.endsWith('.html'))) {
  let html = readFileSync(join(demoDir, f), 'utf8')
  for (const [from, to] of Object.entries(renames)) html = html.replaceAll(`"${from}"`, `"${to}"`)
  writeFileSync(join(out, f), html)
}

// The provider's pages under /app/: the dashboard (web/app/src/, Lit
// bundled with the widget's shared modules) and the sign-in link page.
cpSync(join(here, 'app'), join(out, 'app'), { recursive: true, filter: (f) => !f.startsWith(join(here, 'app', 'src')) })
// Only English is bundled: each *strings.js module of the dashboard becomes
// lazyStrings(id, en) (app/src/i18n.js) and the other languages go to one
// content-hashed catalogue each, fetched when a person uses that language.
const dashboardStrings = new Map()
const dashboardCatalogues = {}
{
  const src = join(here, 'app', 'src')
  const walk = (dir) => readdirSync(dir, { withFileTypes: true }).flatMap((e) => e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)])
  const perLanguage = {}
  for (const file of walk(src).filter((f) => f.endsWith('strings.js')).sort()) {
    const exported = await import(pathToFileURL(file).href)
    const tables = Object.entries(exported).filter(([, v]) => v && typeof v === 'object' && v.en && typeof v.en === 'object')
    if (!tables.length) continue
    dashboardStrings.set(file, tables)
    for (const [name, table] of tables) {
      const id = `${file.slice(src.length + 1)}#${name}`
      for (const [lang, words] of Object.entries(table)) if (lang !== 'en') (perLanguage[lang] ||= {})[id] = words
    }
  }
  for (const [lang, all] of Object.entries(perLanguage)) {
    const text = JSON.stringify(all)
    const name = `dashboard-strings-${lang}.${hash8(text)}.json`
    dashboardCatalogues[lang] = name
    mkdirSync(join(out, 'app'), { recursive: true })
    writeFileSync(join(out, 'app', name), text)
  }
}
const englishOnly = {
  name: 'dashboard-english-only',
  setup (b) {
    b.onLoad({ filter: /[\\/]app[\\/]src[\\/].*strings\.js$/ }, (a) => {
      const tables = dashboardStrings.get(a.path)
      if (!tables) return undefined
      const src = join(here, 'app', 'src')
      const i18n = JSON.stringify(join(src, 'i18n.js'))
      const lines = tables.map(([name, table]) => {
        const id = JSON.stringify(`${a.path.slice(src.length + 1)}#${name}`)
        const value = `lazyStrings(${id}, ${JSON.stringify(table.en)})`
        return name === 'default' ? `export default ${value}` : `export const ${name} = ${value}`
      })
      return { contents: `import { lazyStrings } from ${i18n}\n${lines.join('\n')}\n`, loader: 'js', resolveDir: dirname(a.path) }
    })
  },
}
const dashboard = await build({
  entryPoints: [join(here, 'app', 'src', 'main.js')],
  bundle: true, format: 'esm', minify: true, write: false, target, legalComments: 'none',
  plugins: [englishOnly],
  define: {
    SLOTWISE_DASHBOARD_CATALOGUES: JSON.stringify(dashboardCatalogues),
    SLOTWISE_ENGINE_MODULE: JSON.stringify(engine.module),
    SLOTWISE_ENGINE_WASM: JSON.stringify(engine.wasm),
    SLOTWISE_ZONES_MODULE: JSON.stringify(zonePicker.file),
  },
})
const dashboardName = `dashboard.${hash8(dashboard.outputFiles[0].contents)}.js`
writeFileSync(join(out, 'app', dashboardName), dashboard.outputFiles[0].contents)
writeFileSync(join(out, 'app', 'index.html'), readFileSync(join(here, 'app', 'index.html'), 'utf8').replace('DASHBOARD_SCRIPT', dashboardName))
// The page the booking mails' manage links open (/manage/?provider=...#slotwise-booking=...).
cpSync(join(here, 'manage'), join(out, 'manage'), { recursive: true })

const gz = (f) => gzipSync(readFileSync(join(out, f)), { level: 9 }).length
const info = {
  widget: widgetName, loader: 'widget.js', engine: noEngine ? null : engine, zonePicker: zonePicker.file, payment: paymentName, dashboard: `app/${dashboardName}`,
  dashboardStrings: Object.fromEntries(Object.entries(dashboardCatalogues).map(([l, f]) => [l, `app/${f}`])),
  sizes: Object.fromEntries([widgetName, 'widget.js', zonePicker.file, paymentName, `app/${dashboardName}`, ...(noEngine ? [] : [engine.module, engine.wasm])]
    .map((f) => [f, { raw: readFileSync(join(out, f)).length, gzip: gz(f) }])),
}
writeFileSync(join(out, 'build-info.json'), JSON.stringify(info, null, 2) + '\n')
for (const [f, s] of Object.entries(info.sizes)) console.log(`${f.padEnd(36)} ${String(s.raw).padStart(8)} B  ${String(s.gzip).padStart(7)} B gz`)
console.log(`build: wrote ${out}`)
