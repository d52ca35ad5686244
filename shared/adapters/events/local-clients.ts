import { readFile } from 'node:fs/promises';
import type { ClientDirectory } from '../../events/publish.ts';

/** The local stack's calling apps (.local/clients.json), read afresh each time: edit the file, see the effect. */
export class LocalClientDirectory implements ClientDirectory {
  constructor(private readonly file: string) {}

  async scopesOf(clientId: string): Promise<ReadonlySet<string> | undefined> {
    const clients = JSON.parse(await readFile(this.file, 'utf8')) as { clientId: string; scopes: string[] }[];
    const client = clients.find((c) => c.clientId === clientId);
    return client ? new Set(client.scopes) : undefined;
  }
}
