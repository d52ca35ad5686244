/** The keywords of API.md: case- and surrounding-space-insensitive, whole message only. */
const STOP = ['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'OPTOUT', 'OPT-OUT', 'REMOVE', 'ARRET'];
const START = ['START', 'UNSTOP', 'YES'];
const HELP = ['HELP', 'INFO'];

export type Keyword = 'stop' | 'start' | 'help';

export function keywordOf(body: string): Keyword | undefined {
  const word = body.trim().toUpperCase();
  if (STOP.includes(word)) return 'stop';
  if (START.includes(word)) return 'start';
  if (HELP.includes(word)) return 'help';
  return undefined;
}
