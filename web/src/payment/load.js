// The few lines the widget bundle carries for payments: loads the payment
// step's chunk (a classic script beside the widget's own, so no CORS is
// needed on another origin) the first time a booking asks for a payment.
// `SLOTWISE_PAYMENT_MODULE` is the chunk's content-hashed name (build.mjs).
/* global SLOTWISE_PAYMENT_MODULE */
export function loadPayment(base) {
  const w = (window.Slotwise ||= {})
  if (w.payment) return Promise.resolve(w.payment)
  return (w.paymentLoading ||= new Promise((resolve, reject) => {
    ;(w.paymentWaiting ||= []).push(resolve)
    const el = document.createElement('script')
    el.src = new URL(SLOTWISE_PAYMENT_MODULE, base).href
    el.onerror = () => {
      w.paymentLoading = null
      el.remove()
      reject(new Error('slotwise: the payment step could not be loaded'))
    }
    document.head.append(el)
  }))
}
