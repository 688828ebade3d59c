// The manage page: the widget for the provider the mail's link names. The
// widget itself reads #slotwise-booking and #slotwise-token from the
// fragment and opens that booking.
(() => {
  const provider = new URLSearchParams(location.search).get('provider')
  const booking = new URLSearchParams(location.hash.slice(1)).get('slotwise-booking')
  if (!provider || !booking || !window.Slotwise || !window.Slotwise.render) {
    document.getElementById('missing').hidden = false
    document.getElementById('hint').hidden = true
    return
  }
  window.Slotwise.render(document.getElementById('widget'), { provider })
})()
