// The details form screen: its fields (the typed details kept in `draft`
// across Back and Forward and re-renders), its own validation, no network.
// `ctx` is { t, cfg, draft }; `on` has back() and submit().
import { h } from '../dom.js'
import { serviceHeader } from './frame.js'
import { summaryBox } from './summary.js'

const FIELDS = ['name', 'email', 'phone', 'notes']

export function detailsForm({ t, cfg, draft }, on) {
  const field = (id, label, attrs, control = 'input') => {
    const err = h('p', { class: 'error-text', id: `${id}-error`, hidden: true })
    const el = h(control, { id, name: id, ...attrs })
    return { wrap: h('div', { class: 'field' }, h('label', { for: id, text: label }), el, err), el, err }
  }
  const name = field('name', t('name'), { autocomplete: 'name', required: true, value: draft.name ?? cfg.name, maxlength: 200 })
  const email = field('email', t('email'), { type: 'email', autocomplete: 'email', required: true, value: draft.email ?? cfg.email, maxlength: 254, inputmode: 'email' })
  const phone = field('phone', t('phone'), { type: 'tel', autocomplete: 'tel', maxlength: 40, value: draft.phone })
  const notes = field('notes', t('notes'), { maxlength: 2000, rows: 3 }, 'textarea')
  if (draft.notes) notes.el.value = draft.notes
  const submit = h('button', { type: 'submit', class: 'btn', text: t('book') })
  const back = h('button', { type: 'button', class: 'btn plain', text: t('back'), onclick: () => on.back() })
  const form = h('form', { novalidate: true, 'aria-labelledby': 'form-heading' },
    h('div', { class: 'pair' }, name.wrap, email.wrap), phone.wrap, notes.wrap,
    h('div', { class: 'actions' }, submit, back))
  const fields = { name, email, phone, notes }
  // What the visitor typed survives Back and Forward.
  form.addEventListener('input', () => {
    for (const k of FIELDS) draft[k] = fields[k].el.value
  })
  form.addEventListener('submit', (e) => {
    e.preventDefault()
    on.submit()
  })
  return { form, submit, ...fields }
}

// Marks the name and email fields; focuses the first problem. True when both are fine.
export function validateDetails({ name, email }, t) {
  const problems = []
  const set = (f, msg) => {
    f.el.setAttribute('aria-invalid', msg ? 'true' : 'false')
    f.err.textContent = msg || ''
    f.err.hidden = !msg
    if (msg) f.el.setAttribute('aria-describedby', f.err.id)
    else f.el.removeAttribute('aria-describedby')
    if (msg) problems.push(f)
  }
  set(name, name.el.value.trim() ? '' : t('nameMissing'))
  set(email, /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email.el.value.trim()) ? '' : t('emailInvalid'))
  if (problems.length) problems[0].el.focus()
  return problems.length === 0
}

// What the client typed, trimmed; phone and notes only when given.
export function detailsOf({ name, email, phone, notes }) {
  const details = { name: name.el.value.trim(), email: email.el.value.trim() }
  if (phone.el.value.trim()) details.phone = phone.el.value.trim()
  if (notes.el.value.trim()) details.notes = notes.el.value.trim()
  return details
}

// While the booking request is on its way: the button says so and is off.
export function formBusy({ form, submit }, busy, label) {
  submit.disabled = busy
  submit.textContent = label
  if (busy) form.setAttribute('aria-busy', 'true')
  else form.removeAttribute('aria-busy')
}

// The details form screen: the chosen time above the form (its hint when the
// service verifies the address, said before the client books).
export function formScreen(s, form, change) {
  const heading = h('h3', { id: 'form-heading', tabindex: '-1', text: s.t('details') })
  const hint = s.service?.verify_client_email ? h('p', { class: 'muted', text: s.t('verifyHint') }) : null
  return [serviceHeader(s), h('div', { class: 'stack' }, summaryBox(s, s.slot, change), heading, hint, form)].filter(Boolean)
}
