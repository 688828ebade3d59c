// The code screen of a service that verifies the client's address: the
// field for the mailed code, its own error line, the intro. No network: the
// element sends the code (on.submit(code)) and tells the view what came back.
import { h } from '../dom.js'

export function codeForm({ t, email }, on) {
  const err = h('p', { class: 'error-text', id: 'code-error', hidden: true })
  const input = h('input', { id: 'code', name: 'code', autocomplete: 'one-time-code', inputmode: 'numeric', pattern: '[0-9 ]*',
    maxlength: 12, required: true, spellcheck: 'false', 'aria-describedby': 'code-help' })
  const submit = h('button', { type: 'submit', class: 'btn', text: t('verifyButton') })
  const form = h('form', { novalidate: true, 'aria-labelledby': 'verify-heading' },
    h('div', { class: 'field' }, h('label', { for: 'code', text: t('code') }), input, err),
    h('div', { class: 'actions' }, submit))
  const heading = h('h3', { id: 'verify-heading', tabindex: '-1', text: t('verifyTitle') })
  const intro = h('p', { id: 'code-help', text: `${t('verifyIntro', { email })} ${t('verifyHeld')}` })
  const view = {
    form, input, heading, intro,
    // Marks the field (text) or clears it (''); returns the text for announcing.
    error(text) {
      input.setAttribute('aria-invalid', text ? 'true' : 'false')
      err.textContent = text || ''
      err.hidden = !text
      input.setAttribute('aria-describedby', text ? 'code-error code-help' : 'code-help')
      return text
    },
    busy(on_) {
      submit.disabled = on_
      submit.textContent = t(on_ ? 'verifying' : 'verifyButton')
      if (on_) form.setAttribute('aria-busy', 'true')
      else form.removeAttribute('aria-busy')
    },
  }
  form.addEventListener('submit', (e) => {
    e.preventDefault()
    on.submit(input.value.replace(/[\s-]/g, ''))
  })
  return view
}
