// The sign-in screen's words, en/de/fr/es.
export const strings = {
  en: {
    title: 'Sign in to Slotwise', email: 'Email address', send: 'Send me a code', code: '8-digit code',
    sent: 'We sent a code to {email}. It works for 15 minutes.', signIn: 'Sign in', other: 'Use another address',
    needEmail: 'Enter your email address.', eightDigits: 'The code has 8 digits.',
    INVALID_CODE: 'That code is not right. Check the mail and try again.',
    CHALLENGE_EXPIRED: 'This code can no longer be used. Ask for a new one.',
    RATE_LIMITED: 'Too many codes were asked for. Try again in a minute.',
    failed: 'Something went wrong ({code}). Try again.',
  },
  de: {
    title: 'Bei Slotwise anmelden', email: 'E-Mail-Adresse', send: 'Code senden', code: '8-stelliger Code',
    sent: 'Wir haben einen Code an {email} geschickt. Er gilt 15 Minuten.', signIn: 'Anmelden', other: 'Andere Adresse verwenden',
    needEmail: 'Geben Sie Ihre E-Mail-Adresse ein.', eightDigits: 'Der Code hat 8 Ziffern.',
    INVALID_CODE: 'Der Code stimmt nicht. Prüfen Sie die E-Mail und versuchen Sie es erneut.',
    CHALLENGE_EXPIRED: 'Dieser Code gilt nicht mehr. Fordern Sie einen neuen an.',
    RATE_LIMITED: 'Zu viele Codes angefordert. Versuchen Sie es in einer Minute erneut.',
    failed: 'Etwas ist schiefgegangen ({code}). Versuchen Sie es erneut.',
  },
  fr: {
    title: 'Se connecter à Slotwise', email: 'Adresse e-mail', send: 'Recevoir un code', code: 'Code à 8 chiffres',
    sent: 'Nous avons envoyé un code à {email}. Il est valable 15 minutes.', signIn: 'Se connecter', other: 'Utiliser une autre adresse',
    needEmail: 'Saisissez votre adresse e-mail.', eightDigits: 'Le code a 8 chiffres.',
    INVALID_CODE: 'Ce code est incorrect. Vérifiez l’e-mail et réessayez.',
    CHALLENGE_EXPIRED: 'Ce code n’est plus valable. Demandez-en un nouveau.',
    RATE_LIMITED: 'Trop de codes demandés. Réessayez dans une minute.',
    failed: 'Une erreur est survenue ({code}). Réessayez.',
  },
  es: {
    title: 'Iniciar sesión en Slotwise', email: 'Correo electrónico', send: 'Enviarme un código', code: 'Código de 8 dígitos',
    sent: 'Hemos enviado un código a {email}. Vale 15 minutos.', signIn: 'Iniciar sesión', other: 'Usar otra dirección',
    needEmail: 'Introduce tu correo electrónico.', eightDigits: 'El código tiene 8 dígitos.',
    INVALID_CODE: 'El código no es correcto. Revisa el correo e inténtalo de nuevo.',
    CHALLENGE_EXPIRED: 'Este código ya no sirve. Pide uno nuevo.',
    RATE_LIMITED: 'Se han pedido demasiados códigos. Inténtalo dentro de un minuto.',
    failed: 'Algo ha fallado ({code}). Inténtalo de nuevo.',
  },
}
