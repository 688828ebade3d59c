// The sign-in page. The mail's link carries the challenge and the code in
// the fragment (#challenge=...&code=...): a fragment never reaches a server,
// and nothing is sent until the person presses "Sign in", so a mail
// scanner that opens the link signs nobody in. The page can also ask for a
// code and take it typed by hand. The session comes back as an HttpOnly
// cookie; the token in the answer is not kept by this page.
const $ = (id) => document.getElementById(id)

function show (id, visible) { $(id).hidden = !visible }

function say (text, isError = false) {
  $('status').textContent = text
  $('status').className = isError ? 'error' : ''
}

async function post (path, body) {
  const res = await fetch(path, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body)
  })
  const json = await res.json().catch(() => ({}))
  return { status: res.status, json, retryAfter: res.headers.get('retry-after') }
}

function problemText ({ status, json, retryAfter }) {
  switch (json.code) {
    case 'INVALID_CODE': return 'That code is not right. Check the mail and try again.'
    case 'CHALLENGE_EXPIRED': return 'This code can no longer be used. Ask for a new one.'
    case 'RATE_LIMITED': return `Too many codes were asked for. Try again in ${retryAfter || 'a few'} seconds.`
    default: return json.detail || `Something went wrong (${status}).`
  }
}

async function signIn (challenge, code) {
  say('Signing in…')
  const answer = await post('/v1/auth/session', { challenge, code })
  if (answer.status !== 201) return say(problemText(answer), true)
  // The code is spent: take it out of the address bar and the history.
  history.replaceState(null, '', location.pathname)
  show('from-link', false); show('ask', false); show('enter', false)
  $('who').textContent = answer.json.account.email
  show('signed-in', true)
  say('You are signed in.')
}

let challenge = null

function fromFragment () {
  const params = new URLSearchParams(location.hash.slice(1))
  const linked = params.get('challenge'), code = params.get('code')
  if (!linked || !/^[0-9]{8}$/.test(code || '')) return false
  challenge = linked
  $('link-code').textContent = code
  show('from-link', true)
  show('ask', false)
  $('confirm').addEventListener('click', () => { $('confirm').disabled = true; signIn(linked, code).finally(() => { $('confirm').disabled = false }) })
  return true
}

$('ask').addEventListener('submit', async (event) => {
  event.preventDefault()
  const email = $('email').value.trim()
  if (!email) return say('Enter your email address.', true)
  const answer = await post('/v1/auth/email-code', { email })
  if (answer.status !== 202) return say(problemText(answer), true)
  challenge = answer.json.challenge
  $('sent').textContent = `We sent a code to ${email}. It works for 15 minutes.`
  show('enter', true)
  say('')
  $('code').focus()
})

$('enter').addEventListener('submit', (event) => {
  event.preventDefault()
  const code = $('code').value.replace(/\s/g, '')
  if (!/^[0-9]{8}$/.test(code)) return say('The code has 8 digits.', true)
  signIn(challenge, code)
})

$('sign-out').addEventListener('click', async () => {
  await fetch('/v1/auth/session', { method: 'DELETE', credentials: 'same-origin' })
  show('signed-in', false); show('ask', true)
  say('Signed out.')
})

fromFragment()
