// The manage screen's actions: "Change time", and "Cancel booking" with its
// question (Yes, cancel it / Keep booking) in place. No network: `on` has
// reschedule(), keep() and cancel() (a Promise; the button is busy meanwhile).
import { h } from '../dom.js'

export function manageActions({ t }, on) {
  const box = h('div', { class: 'actions' })
  const resched = h('button', { type: 'button', class: 'btn', text: t('reschedule'), onclick: () => on.reschedule() })
  const cancel = h('button', { type: 'button', class: 'btn plain', text: t('cancelBooking') })
  cancel.addEventListener('click', () => {
    const yes = h('button', { type: 'button', class: 'btn danger', text: t('confirmCancel') })
    const no = h('button', { type: 'button', class: 'btn plain', text: t('keepBooking'), onclick: () => on.keep() })
    const q = h('p', { id: 'cancel-q', tabindex: '-1', text: t('cancelQuestion') })
    box.replaceChildren(h('div', { class: 'stack', role: 'group', 'aria-labelledby': 'cancel-q' }, q, h('div', { class: 'actions' }, yes, no)))
    yes.focus()
    yes.addEventListener('click', async () => {
      yes.disabled = true
      // Enabled again when the cancel failed (on success the screen is replaced).
      await on.cancel().catch(() => {})
      yes.disabled = false
    })
  })
  box.append(resched, cancel)
  return box
}
