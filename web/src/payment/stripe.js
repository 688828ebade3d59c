// Loads Stripe.js once per page, from Stripe (https://js.stripe.com/v3/, as
// Stripe requires for PCI compliance) unless the widget's `stripe-js-src`
// names another URL (tests, a self-hosted proxy). A page that already has
// Stripe.js keeps its own.
export const STRIPE_JS = 'https://js.stripe.com/v3/'

const loading = new Map()

export function loadStripe(src = STRIPE_JS) {
  if (typeof window.Stripe === 'function') return Promise.resolve(window.Stripe)
  if (!loading.has(src)) {
    loading.set(src, new Promise((resolve, reject) => {
      const el = document.createElement('script')
      const fail = () => {
        // A later attempt (the step's Try again) starts a fresh request.
        loading.delete(src)
        el.remove()
        reject(new Error('Stripe.js could not be loaded'))
      }
      el.src = src
      el.async = true
      el.onload = () => (typeof window.Stripe === 'function' ? resolve(window.Stripe) : fail())
      el.onerror = fail
      document.head.append(el)
    }))
  }
  return loading.get(src)
}
