// The booking flow without a DOM: which screens exist, which moves between
// them are allowed, what the browser history holds for each, how requests are
// retried and which message a server problem's stable code gets. The element
// (element.js) renders screens and calls these; the unit tests drive them in Node.

export const SCREENS = ['loading', 'calendar', 'form', 'verify', 'done', 'error']

// From -> the screens the widget may show next ('done' is also the manage
// view; 'form' also the reschedule confirmation). Re-rendering a screen
// (a language change, a refresh) is a move to itself; an error may come anywhere.
const MOVES = {
  loading: ['calendar', 'done'],
  calendar: ['calendar', 'form', 'done'],
  form: ['calendar', 'form', 'verify', 'done'],
  verify: ['calendar', 'done'],
  done: ['calendar', 'done'],
  error: [],
}

export function canMove(from, to) {
  return to === 'error' || (MOVES[from] || []).includes(to)
}

// Screens a browser Back returns from: each gets a history entry of its own,
// so Back from the form shows the times again (with the typed details kept),
// and Back from the times after a reschedule was started returns to the booking.
export const HISTORY_SCREENS = new Set(['calendar', 'form', 'reschedule'])

export function historyState(widgetKey, screen, extra = {}) {
  return { slotwise: { widget: widgetKey, screen, ...extra } }
}

export function screenFromHistory(state, widgetKey) {
  const s = state && state.slotwise
  return s && s.widget === widgetKey ? s : null
}

// Transient failures (no connection, 5xx, the same key still in flight) are
// retried with the same request after these delays, then told to the visitor.
export const RETRY_DELAYS_MS = [400, 1200]

export function isTransient(err) {
  return err.status === 0 || err.status >= 500 || err.code === 'IDEMPOTENCY_KEY_IN_FLIGHT'
}

export async function withRetries(send, { delays = RETRY_DELAYS_MS, stopped = () => false, sleep } = {}) {
  const wait = sleep || ((ms) => new Promise((r) => setTimeout(r, ms)))
  for (let attempt = 0; ; attempt++) {
    try {
      return await send()
    } catch (e) {
      if (!isTransient(e) || attempt >= delays.length || stopped()) throw e
      await wait(delays[attempt])
    }
  }
}

// A failed booking or reschedule: what the widget does next. `back` returns
// to the times (they are refreshed) with the message; `stay` keeps the
// screen with the message (and a retry when `retry` is true). Server
// problems are told by their stable code in the visitor's language, never
// by the server's English `detail`.
const BACK_TO_TIMES = {
  SLOT_TAKEN: 'taken', TOO_SOON: 'tooSoon', TOO_FAR: 'tooFar', OUTSIDE_AVAILABILITY: 'unavailable',
  OFF_GRID: 'unavailable', INVALID_DURATION: 'unavailable', SERVICE_INACTIVE: 'unavailable', PROVIDER_INACTIVE: 'unavailable',
}
const STAY = {
  CLIENT_LOCKED_OUT: 'lockedOut', PENDING_CAP: 'tooManyOpen', TOO_MANY_OPEN_BOOKINGS: 'tooManyOpen', OPEN_BOOKINGS_CAP: 'tooManyOpen',
  RATE_LIMITED: 'rateLimited', INVALID_TRANSITION: 'notChangeable', BOOKING_NOT_CHANGEABLE: 'notChangeable',
  INVALID_TOKEN: 'linkInvalid', TOKEN_REQUIRED: 'linkInvalid', UNKNOWN_BOOKING: 'linkInvalid',
  UNKNOWN_PROVIDER: 'unknownProvider', UNKNOWN_SERVICE: 'unknownProvider',
}

export function bookingFailure(err) {
  const code = err.code || ''
  if (isTransient(err)) return { action: 'stay', key: 'network', retry: true }
  if (err.status === 409) return { action: 'back', key: 'taken', forgetKey: true }
  if (BACK_TO_TIMES[code]) return { action: 'back', key: BACK_TO_TIMES[code], forgetKey: true }
  if (STAY[code]) return { action: 'stay', key: STAY[code] }
  if (/OPEN.*BOOKINGS|PENDING/.test(code)) return { action: 'stay', key: 'tooManyOpen' }
  if (err.status === 429) return { action: 'stay', key: 'rateLimited' }
  return { action: 'stay', key: 'invalid' }
}

// A code that was not accepted: the hold ended (expired, the last try
// spent, or no longer held) → back to the times; a wrong or malformed code
// → the field says so; anything else → bookingFailure().
export function verifyFailure(err) {
  const left = err.problem?.attempts_left
  if (err.code === 'CHALLENGE_EXPIRED' || (err.code === 'INVALID_CODE' && left === 0) || err.code === 'INVALID_TRANSITION') return { action: 'expired' }
  if (err.code === 'INVALID_CODE') return { action: 'field', key: 'codeWrong', vars: { n: left ?? '?' } }
  if (err.status === 400) return { action: 'field', key: 'codeInvalid' }
  return { action: 'other' }
}

// Who cancelled, as a string key.
export function cancelledByKey(by) {
  if (by === 'provider') return 'cancelledByProvider'
  if (by === 'client') return 'cancelledByClient'
  return by ? 'cancelledBySystem' : null
}

// A refund is only shown for money that was taken: the server's refund.paid
// says so (a booking with nothing paid has { amount: 0, paid: false });
// without it, the payment's amount_received. The amount is what goes back,
// 0 included (a late cancellation under the policy), with the status of the
// latest refund in payment.refunds, if one was asked of Stripe.
export function refundToShow(booking) {
  const refund = booking?.refund
  if (!refund || typeof refund !== 'object' || !Number.isFinite(refund.amount)) return null
  const received = booking.payment?.amount_received
  const paid = typeof refund.paid === 'boolean' ? refund.paid : Number.isFinite(received) && received > 0
  if (!paid) return null
  const refunds = Array.isArray(booking.payment?.refunds) ? booking.payment.refunds : []
  const status = refund.amount > 0 && refunds.length ? refunds[refunds.length - 1].status : null
  return status ? { ...refund, status } : refund
}

// The string key of a refund's status (payment.refunds[].status).
export function refundStatusKey(status) {
  if (status === 'succeeded') return 'refundDone'
  if (status === 'failed' || status === 'canceled') return 'refundFailed'
  return status ? 'refundOnItsWay' : null
}
