// The payment step's chunk (slotwise-payment.<hash>.js), a classic script
// loaded by load.js only when a booking asks for a payment: it hands its API
// to window.Slotwise.payment and wakes whoever waited for it.
import { paymentStep } from './step.js'

const slotwise = (window.Slotwise ||= {})
slotwise.payment = { paymentStep }
for (const fn of slotwise.paymentWaiting || []) fn(slotwise.payment)
slotwise.paymentWaiting = null
