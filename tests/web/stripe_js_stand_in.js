// A stand-in for Stripe.js v3 (https://docs.stripe.com/js) in the widget's
// Chromium tests: the subset the widget's payment step calls, with Stripe's
// documented shapes, talking to tests/server/stripe_test_server.mjs, which
// serves this file at /v3/ (the widget's `stripe-js-src` points there).
// Real Stripe.js cannot run here: no network to js.stripe.com.
//
//   Stripe(publishableKey)                       pk_test_... / pk_live_... or IntegrationError
//   stripe.elements({ clientSecret, appearance, locale })
//   elements.create('payment')                   any other type: IntegrationError
//   element.mount(domElement | selector)         in a shadow root: IntegrationError, as Stripe.js
//                                                ("Elements cannot be mounted in a ShadowRoot...")
//   element.on('ready' | 'change', fn), focus(), unmount(), destroy()
//   stripe.confirmPayment({ elements, redirect: 'if_required' | confirmParams.return_url })
//     -> { paymentIntent } or { error }: validation_error (incomplete_number,
//        invalid_number) without asking the server; otherwise the test
//        server's /_test/stripe_js/confirm, which succeeds the intent
//        (4242 4242 4242 4242, or any other valid number) or declines it
//        (4000 0000 0000 0002: card_error card_declined generic_decline)
//        and sends the signed webhooks as Stripe would.
//
// The form is iframe-less (an ordinary labelled input in the page's light
// DOM) so a test can type into it; no inline styles (the host's CSP may
// forbid them).
;(function () {
  const script = document.currentScript
  const server = new URL(script.src).origin
  let seq = 0

  class IntegrationError extends Error {
    constructor(message) {
      super(message)
      this.name = 'IntegrationError'
    }
  }

  const digitsOf = (v) => String(v || '').replace(/\D/g, '')
  function luhn(number) {
    let sum = 0
    for (let i = 0; i < number.length; i++) {
      let d = Number(number[number.length - 1 - i])
      if (i % 2) {
        d *= 2
        if (d > 9) d -= 9
      }
      sum += d
    }
    return sum % 10 === 0
  }
  function validate(number) {
    if (number.length < 16) return { type: 'validation_error', code: 'incomplete_number', message: 'Your card number is incomplete.' }
    if (!luhn(number)) return { type: 'validation_error', code: 'invalid_number', message: 'Your card number is invalid.' }
    return null
  }

  function createPaymentElement(state) {
    const id = `stripe-stand-in-${++seq}`
    const handlers = { ready: [], change: [], focus: [], blur: [] }
    let root = null
    let input = null
    let error = null
    const fire = (name, event) => handlers[name].forEach((fn) => fn(event))
    const element = {
      mount(target) {
        const node = typeof target === 'string' ? document.querySelector(target) : target
        if (!node || !(node instanceof Element)) throw new IntegrationError('The selector you specified (' + target + ') applies to no DOM elements that are currently on the page.')
        if (node.getRootNode() instanceof ShadowRoot) throw new IntegrationError('Elements cannot be mounted in a ShadowRoot. Please mount in the Light DOM.')
        if (!node.isConnected) throw new IntegrationError('payment Element didn\'t mount normally.')
        root = document.createElement('div')
        root.className = 'StripeElement stand-in'
        const label = document.createElement('label')
        label.htmlFor = id
        label.textContent = 'Card number'
        input = document.createElement('input')
        input.id = id
        input.name = 'cardnumber'
        input.inputMode = 'numeric'
        input.autocomplete = 'cc-number'
        input.placeholder = '1234 1234 1234 1234'
        input.setAttribute('aria-describedby', `${id}-error`)
        error = document.createElement('p')
        error.id = `${id}-error`
        error.setAttribute('role', 'alert')
        input.addEventListener('input', () => {
          showError(null)
          const number = digitsOf(input.value)
          fire('change', { elementType: 'payment', empty: number.length === 0, complete: !validate(number), value: { type: 'card' } })
        })
        input.addEventListener('focus', () => fire('focus', { elementType: 'payment' }))
        input.addEventListener('blur', () => fire('blur', { elementType: 'payment' }))
        root.append(label, input, error)
        node.replaceChildren(root)
        state.element = element
        setTimeout(() => fire('ready', { elementType: 'payment' }), 0)
        return element
      },
      on(name, fn) {
        if (handlers[name]) handlers[name].push(fn)
        return element
      },
      off(name, fn) {
        if (handlers[name]) handlers[name] = handlers[name].filter((f) => f !== fn)
        return element
      },
      focus() {
        input?.focus()
      },
      unmount() {
        root?.remove()
      },
      destroy() {
        root?.remove()
        if (state.element === element) state.element = null
      },
      // For confirmPayment: what was typed, and where Stripe shows field errors.
      _number: () => digitsOf(input?.value),
      _showError: (e) => showError(e),
    }
    function showError(e) {
      if (!input) return
      error.textContent = e ? e.message : ''
      if (e) input.setAttribute('aria-invalid', 'true')
      else input.removeAttribute('aria-invalid')
    }
    return element
  }

  window.Stripe = function Stripe(publishableKey, options = {}) {
    if (!/^pk_(test|live)_\w+/.test(String(publishableKey || ''))) {
      throw new IntegrationError(`Invalid API Key provided: ${publishableKey}`)
    }
    return {
      _publishableKey: publishableKey,
      _options: options,
      elements(opts = {}) {
        if (!opts.clientSecret || !/^pi_\w+_secret_\w+$/.test(opts.clientSecret)) {
          throw new IntegrationError('Invalid value for elements(): clientSecret should be a client secret of the form ${id}_secret_${secret}.')
        }
        const state = { clientSecret: opts.clientSecret, appearance: opts.appearance || null, locale: opts.locale || 'auto', element: null }
        return {
          _state: state,
          create(type) {
            if (type !== 'payment') throw new IntegrationError(`The stand-in has no ${type} Element; only 'payment'.`)
            if (state.element) throw new IntegrationError('Can only create one Element of type payment.')
            const el = createPaymentElement(state)
            state.element = el
            return el
          },
          getElement(type) {
            return type === 'payment' ? state.element : null
          },
          update(o) {
            if (o.appearance) state.appearance = o.appearance
            if (o.locale) state.locale = o.locale
          },
        }
      },
      async confirmPayment({ elements, confirmParams = {}, redirect = 'always' } = {}) {
        if (!elements || !elements._state) throw new IntegrationError('Invalid value for confirmPayment(): elements should be an Elements group.')
        if (redirect !== 'if_required' && !confirmParams.return_url) {
          throw new IntegrationError('confirmPayment(): the `confirmParams.return_url` argument is required unless passing `redirect: \'if_required\'`')
        }
        const element = elements._state.element
        if (!element) throw new IntegrationError('confirmPayment(): no Payment Element is mounted.')
        const number = element._number()
        const invalid = validate(number)
        if (invalid) {
          element._showError(invalid)
          return { error: invalid }
        }
        let res
        try {
          // text/plain: a simple request, no CORS preflight.
          res = await fetch(`${server}/_test/stripe_js/confirm`, {
            method: 'POST', headers: { 'Content-Type': 'text/plain' }, credentials: 'omit',
            body: JSON.stringify({ client_secret: elements._state.clientSecret, number, publishable_key: publishableKey }),
          })
        } catch {
          return { error: { type: 'api_connection_error', message: 'We could not connect to Stripe.' } }
        }
        const answer = await res.json()
        if (answer.error) {
          if (answer.error.type === 'card_error') element._showError(answer.error)
          return { error: answer.error }
        }
        return { paymentIntent: answer }
      },
    }
  }
  window.Stripe.version = 3
})()
