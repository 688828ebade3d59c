// Helpers of the onboarding's tests: where the screen is, which element has
// focus (through shadow roots), and Tab pressed until an element has it.
export const screen = 'sw-dashboard sw-screen-onboarding'

// The deepest focused element's id (or its tag name when it has none).
export const focusedId = (page) => page.evaluate(() => {
  let el = document.activeElement
  while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement
  return el?.id || el?.tagName
})

// Tab (only the key) until the element with `id` has focus.
export async function tabTo (page, id, max = 60) {
  for (let i = 0; i < max; i++) {
    if (await focusedId(page) === id) return
    await page.keyboard.press('Tab')
  }
  throw new Error(`Tab never reached #${id} (at ${await focusedId(page)})`)
}

// The zone picker's input id (the element makes it unique).
export async function zoneInputId (page) {
  return page.locator(`${screen} slotwise-zone-picker input[role=combobox]`).getAttribute('id')
}
