import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ArchivedMessage, MessageArchive } from '../../messages/archive.ts';

export const archiveKey = (id: string) => `messages/${id}.json`;

/** The local stand-in: one file per message under `.local/archive/`, never overwritten. */
export class LocalMessageArchive implements MessageArchive {
  constructor(private readonly dir: string) {}

  async put(r: ArchivedMessage): Promise<void> {
    mkdirSync(join(this.dir, 'messages'), { recursive: true });
    try {
      writeFileSync(join(this.dir, archiveKey(r.messageId)), JSON.stringify(r), { flag: 'wx' });
    } catch (error) {
      // Write-once, as in S3: a repeated delivery finds the first copy and leaves it.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }

  async get(id: string): Promise<ArchivedMessage | undefined> {
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(id)) return undefined;
    const file = join(this.dir, archiveKey(id));
    return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as ArchivedMessage) : undefined;
  }
}
