// The payment step of a paid service (issue 16): the booking is HELD with a
// PaymentIntent; this shows what is paid now, a countdown to the hold's end
// and Stripe's Payment Element, confirms the payment in the browser and
// waits until the server has moved the booking on (Stripe's webhook, or its
// reconciliation). The element (element.js) renders the screens around it
// and is called back: `paid(booking)` or `expired(text)`.
//
// Where Stripe's form lives: Stripe.js refuses to mount Elements inside a
// shadow root ("Elements cannot be mounted in a ShadowRoot. Please mount in
// the Light DOM"): its iframes talk to the page through the light DOM. So
// the step puts a <slot> in the widget's shadow root and mounts Stripe into
// a <div slot="slotwise-payment"> child of <slotwise-booking> itself: the
// form shows where the slot is (inside the popup's dialog too) while Stripe
// sees an ordinary light-DOM node. The div is removed when the step ends.
import { h } from '../dom.js'
import css from './styles.css'
import { clockText, languageOf, money, translator } from './format.js'
import { loadStripe, STRIPE_JS } from './stripe.js'

const TICK_MS = 1000
// While the form is shown the server is asked now and then whether the hold
// still stands (and until when); after Stripe confirmed, often, until the
// booking leaves HELD, then less often once that takes long.
const CHECK_MS = 10000
const CONFIRM_POLL_MS = 1000
const CONFIRM_SLOW_AFTER_MS = 30000
const SLOW_POLL_MS = 5000

let sheet = null

const heldStatus = (b) => String(b?.status).toUpperCase() === 'HELD'
const madeStatus = (b) => ['PENDING', 'CONFIRMED'].includes(String(b?.status).toUpperCase())

export function paymentStep(ctx) {
  const { body, locale, api, emit } = ctx
  const t = translator(locale)
  const token = ctx.booking.manage_token
  let booking = ctx.booking
  let payment = booking.payment || {}
  const root = body.getRootNode()
  const host = root.host
  let ended = false
  let confirmed = false
  let busy = false
  const timers = []
  let stripe = null
  let elements = null
  let element = null

  // Decided before anything is drawn: a reload after the hold ended or after
  // the payment went through goes straight on.
  if (!heldStatus(booking)) {
    queueMicrotask(() => (madeStatus(booking) ? ctx.paid(booking) : ctx.expired(t('expired'))))
    return { stop() {} }
  }

  if (!sheet) {
    sheet = new CSSStyleSheet()
    sheet.replaceSync(css)
  }
  if (!root.adoptedStyleSheets.includes(sheet)) root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet]

  const now = () => Date.now() + (ctx.offset || 0)
  let expiresAt = Date.parse(payment.expires_at)
  const amount = money(locale, payment.amount, payment.currency)
  const price = ctx.price && ctx.price.currency === payment.currency ? money(locale, ctx.price.amount, ctx.price.currency) : null

  const heading = h('h3', { id: 'pay-heading', tabindex: '-1', text: t('title') })
  const due = h('p', { class: 'pay-due', text: payment.mode === 'deposit' && price ? t('payDeposit', { amount, price }) : t('payFull', { amount }) })
  const clock = h('span', { role: 'timer', 'aria-labelledby': 'pay-time-label', class: 'pay-clock' })
  const countdown = h('p', { class: 'pay-countdown' }, h('span', { id: 'pay-time-label', text: t('timeLeft') }), ' ', clock)
  // The countdown's words for screen readers, changed at most once a minute.
  const live = h('p', { class: 'sr-only', 'aria-live': 'polite', 'aria-atomic': 'true' })
  const error = h('p', { class: 'error-text', id: 'pay-error', role: 'alert', hidden: true })
  const status = h('p', { class: 'pay-status', role: 'status' })
  const submit = h('button', { type: 'submit', class: 'btn', text: t('pay', { amount }), disabled: true })
  const group = h('div', { class: 'pay-element', role: 'group', 'aria-label': t('card'), 'aria-describedby': 'pay-error' },
    h('slot', { name: 'slotwise-payment' }, h('p', { class: 'muted', text: t('loading') })))
  const form = h('form', { novalidate: true, 'aria-labelledby': 'pay-heading' }, group, error, h('div', { class: 'actions' }, submit))
  const when = ctx.summary || h('p', { class: 'summary', text: whenText(locale, ctx.zone, booking.start) })
  body.replaceChildren(...[ctx.head, h('div', { class: 'stack pay' }, heading, when, due, h('p', { class: 'muted', text: t('held') }), countdown, live, form, status)].filter(Boolean))

  const mount = document.createElement('div')
  mount.slot = 'slotwise-payment'
  mount.className = 'slotwise-payment'
  host.append(mount)

  const showError = (text) => {
    error.textContent = text || ''
    error.hidden = !text
  }

  function stop() {
    if (ended) return
    ended = true
    for (const id of timers) clearInterval(id)
    try {
      element?.destroy?.()
    } catch { /* already gone */ }
    mount.remove()
  }
  const finish = (then) => {
    if (ended) return
    stop()
    then()
  }
  const paid = (b) => finish(() => ctx.paid({ ...booking, ...b, manage_token: token }))
  const expire = () => finish(() => {
    emit('payment-expired', { bookingId: booking.id })
    ctx.expired(confirmed ? `${t('expired')} ${t('refunded')}` : t('expired'))
  })

  let lastMinutes = null
  function tick() {
    if (ended) return
    const left = (expiresAt - now()) / 1000
    clock.textContent = clockText(locale, left)
    const minutes = Math.ceil(left / 60)
    if (minutes !== lastMinutes && left > 0) {
      lastMinutes = minutes
      live.textContent = t('minutesLeft', { n: new Intl.NumberFormat(locale).format(minutes) })
    }
    // Once Stripe has the payment the server decides (a late payment is refunded there).
    if (left <= 0 && !confirmed && !busy) expire()
  }

  async function check() {
    if (ended) return
    let fresh
    try {
      const { json } = await api.booking(booking.id, token)
      fresh = json?.booking || json
    } catch (e) {
      // The link no longer opens the booking: it is gone (expired and cleaned up).
      if (e.status === 404 || e.status === 410) expire()
      return
    }
    if (ended || !fresh) return
    if (madeStatus(fresh)) return paid(fresh)
    if (!heldStatus(fresh)) return expire()
    const at = Date.parse(fresh.payment?.expires_at)
    if (Number.isFinite(at) && at !== expiresAt) {
      expiresAt = at
      tick()
    }
  }

  function afterConfirm() {
    confirmed = true
    status.textContent = t('confirming')
    const started = Date.now()
    let fast = setInterval(() => {
      if (Date.now() - started > CONFIRM_SLOW_AFTER_MS) {
        clearInterval(fast)
        status.textContent = t('slow')
        timers.push(setInterval(check, SLOW_POLL_MS))
        return
      }
      check()
    }, CONFIRM_POLL_MS)
    timers.push(fast)
    check()
  }

  async function start() {
    showError('')
    try {
      const Stripe = await loadStripe(host.getAttribute('stripe-js-src') || STRIPE_JS)
      if (ended) return
      stripe = Stripe(payment.publishable_key)
      const dark = !!body.closest('.dark')
      const brand = getComputedStyle(body).getPropertyValue('--sw-brand').trim()
      elements = stripe.elements({
        clientSecret: payment.client_secret, locale: languageOf(locale),
        appearance: { theme: dark ? 'night' : 'stripe', variables: brand ? { colorPrimary: brand } : {} },
      })
      element = elements.create('payment')
      element.mount(mount)
      submit.disabled = false
    } catch {
      if (ended) return
      showError(t('loadFailed'))
      const again = h('button', { type: 'button', class: 'btn plain', text: t('retry') })
      again.addEventListener('click', () => {
        again.remove()
        start()
      })
      error.after(again)
    }
  }

  form.addEventListener('submit', async (e) => {
    e.preventDefault()
    if (busy || confirmed || ended || !stripe) return
    busy = true
    showError('')
    submit.disabled = true
    submit.textContent = t('paying')
    form.setAttribute('aria-busy', 'true')
    let result
    try {
      result = await stripe.confirmPayment({ elements, redirect: 'if_required' })
    } catch {
      result = { error: { type: 'api_connection_error' } }
    }
    busy = false
    form.removeAttribute('aria-busy')
    if (ended) return
    if (result.error) {
      const err = result.error
      // Stripe's own message for the card's problems (in the Payment
      // Element's language); ours for anything else.
      showError(['card_error', 'validation_error'].includes(err.type) && err.message ? err.message : t('declined'))
      emit('payment-failed', { bookingId: booking.id, type: err.type || null, code: err.code || null, declineCode: err.decline_code || null })
      submit.disabled = false
      submit.textContent = t('pay', { amount })
      if (!(expiresAt > now())) expire()
      else if (err.type === 'validation_error') element?.focus?.()
      return
    }
    emit('payment-succeeded', { bookingId: booking.id, amount: payment.amount, currency: payment.currency, mode: payment.mode || null })
    submit.hidden = true
    afterConfirm()
  })

  timers.push(setInterval(tick, TICK_MS), setInterval(check, CHECK_MS))
  tick()
  emit('payment-required', { bookingId: booking.id, amount: payment.amount, currency: payment.currency, mode: payment.mode || null, expiresAt: payment.expires_at })
  heading.focus()
  start()
  return { stop }
}

function whenText(locale, zone, start) {
  try {
    return new Intl.DateTimeFormat(locale, { dateStyle: 'full', timeStyle: 'short', timeZone: zone || undefined }).format(new Date(start))
  } catch {
    return String(start)
  }
}
