import type { VoiceSender } from '../../channels/senders.ts';
import type { VoiceScript } from '../../channels/voice-script.ts';
import { appendToOutbox } from '../sms/outbox.ts';

/** The local stack's voice calls: the outbox, as the words the call would speak. */
export class OutboxVoice implements VoiceSender {
  constructor(private readonly file: string, private readonly print?: (line: string) => void) {}

  async send(call: { to: string; script: VoiceScript }): Promise<{ messageId: string }> {
    return { messageId: appendToOutbox(this.file, { to: call.to, text: call.script.words, channel: 'voice' }, this.print).id };
  }
}
