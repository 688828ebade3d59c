import { berlinProvider, launch, newPage, run } from './lib.mjs'
import { createOwnProvider, signIn, startDashboardServer } from './dashboard_lib.mjs'
await run('dbg', async () => {
  const server = await startDashboardServer()
  const browser = await launch()
  const page = await newPage(browser)
  await signIn(page, server, 'services@example.com')
  const first = berlinProvider()
  await createOwnProvider(page, 'dbg', { ...first, services: [first.services[0], { ...first.services[1], active: false }] })
  await page.goto(`${server.url}/app/services`)
  await new Promise((r) => setTimeout(r, 3000))
  console.log(page.errors)
  console.log(await page.evaluate(() => document.querySelector('sw-dashboard').shadowRoot.innerHTML.slice(0, 3000)))
  console.log(await page.evaluate(() => document.querySelector('sw-dashboard').shadowRoot.querySelector('main > *')?.shadowRoot?.innerHTML.slice(0, 2000)))
})
