/** Recipient-facing texts: the sealed notice never holds the body, only brand, a neutral notice and the link. */
export function sealedNoticeSms(brand: string, link: string, expiresAt: number): string {
  const until = new Date(expiresAt).toISOString().slice(0, 16).replace('T', ' ');
  return `${brand}: you have a secure message. Read it at ${link} before ${until} UTC. We will never ask you for a code by phone.`;
}

export function directSms(brand: string, body: string): string {
  return `${brand}: ${body}`;
}

export function openCodeSms(brand: string, code: string, minutes: number): string {
  return `${brand}: ${code} is your code to open your secure message. It expires in ${minutes} min. Never share it.`;
}
