import { GenerateDataKeyWithoutPlaintextCommand, KMSClient } from '@aws-sdk/client-kms';
import { DeleteParameterCommand, GetParameterCommand, ParameterAlreadyExists, ParameterNotFound, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { HMAC_KEY_CONTEXT } from '#shared/adapters/crypto/kms-keyring';
import { handler } from '../../functions/create-hmac-keys.ts';

/** The deploy-time resource that makes the stage's HMAC keys once and keeps them in a parameter (docs/operations.md). */
const KEY = 'arn:aws:kms:eu-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const OTHER_KEY = 'arn:aws:kms:eu-west-2:111122223333:key/99999999-12ab-34cd-56ef-1234567890ab';
const NAME = '/sealtext/prod/hmac-keys';
const kms = mockClient(KMSClient);
const ssm = mockClient(SSMClient);
const missing = () => new ParameterNotFound({ message: 'not found', $metadata: {} });
const event = (type: 'Create' | 'Update' | 'Delete', props: Record<string, string> = {}, physicalId = NAME) => ({
  RequestType: type, PhysicalResourceId: physicalId, ResourceProperties: { ServiceToken: 'x', KeyArn: KEY, ParameterName: NAME, Retain: 'true', ...props },
}) as unknown as CloudFormationCustomResourceEvent;

describe('the HMAC keys resource', () => {
  beforeEach(() => {
    kms.reset();
    ssm.reset();
    let n = 0;
    kms.on(GenerateDataKeyWithoutPlaintextCommand).callsFake(async () => ({ CiphertextBlob: new Uint8Array([++n, n, n]) }));
  });

  it('makes two wrapped keys on the first create, under the stage key with their purposes, and keeps them in the parameter without overwriting', async () => {
    ssm.on(GetParameterCommand).rejects(missing());
    ssm.on(PutParameterCommand).resolves({});
    const out = await handler(event('Create'));
    const calls = kms.commandCalls(GenerateDataKeyWithoutPlaintextCommand).map((c) => c.args[0].input);
    expect(calls).toEqual([
      { KeyId: KEY, KeySpec: 'AES_256', EncryptionContext: HMAC_KEY_CONTEXT.codeHash },
      { KeyId: KEY, KeySpec: 'AES_256', EncryptionContext: HMAC_KEY_CONTEXT.blindIndex },
    ]);
    const put = ssm.commandCalls(PutParameterCommand)[0]!.args[0].input;
    expect(put).toMatchObject({ Name: NAME, Type: 'String', Overwrite: false });
    expect(JSON.parse(put.Value!)).toEqual({ keyArn: KEY, codeHashKey: out.Data!.codeHashKey, blindIndexKey: out.Data!.blindIndexKey });
    expect(out.PhysicalResourceId).toBe(NAME);
    expect(out.Data!.codeHashKey).not.toBe(out.Data!.blindIndexKey);
  });

  it('hands back the kept keys on every update and on a create after a destroy: no new keys, no write', async () => {
    ssm.on(GetParameterCommand).resolves({ Parameter: { Value: JSON.stringify({ keyArn: KEY, codeHashKey: 'c', blindIndexKey: 'b' }) } });
    for (const type of ['Update', 'Create'] as const) expect((await handler(event(type))).Data).toEqual({ codeHashKey: 'c', blindIndexKey: 'b' });
    expect(kms.commandCalls(GenerateDataKeyWithoutPlaintextCommand)).toHaveLength(0);
    expect(ssm.commandCalls(PutParameterCommand)).toHaveLength(0);
  });

  it('refuses keys wrapped under another key, saying to adopt the kept one', async () => {
    ssm.on(GetParameterCommand).resolves({ Parameter: { Value: JSON.stringify({ keyArn: OTHER_KEY, codeHashKey: 'c', blindIndexKey: 'b' }) } });
    await expect(handler(event('Create'))).rejects.toThrow(/wrapped under .*99999999.*set "keyArn" in the stage file/);
  });

  it('upgrading from the release that kept the keys in the physical id moves those keys into the parameter', async () => {
    ssm.on(GetParameterCommand).rejects(missing());
    ssm.on(PutParameterCommand).resolves({});
    const out = await handler(event('Update', {}, 'Y29kZQ==.YmxpbmQ='));
    expect(out.Data).toEqual({ codeHashKey: 'Y29kZQ==', blindIndexKey: 'YmxpbmQ=' });
    expect(JSON.parse(ssm.commandCalls(PutParameterCommand)[0]!.args[0].input.Value!)).toEqual({ keyArn: KEY, codeHashKey: 'Y29kZQ==', blindIndexKey: 'YmxpbmQ=' });
    expect(kms.commandCalls(GenerateDataKeyWithoutPlaintextCommand)).toHaveLength(0);
  });

  it('keeps the parameter when the stack goes outside dev, deletes it in dev, and leaves an old-format resource alone', async () => {
    ssm.on(DeleteParameterCommand).resolves({});
    await handler(event('Delete'));
    expect(ssm.commandCalls(DeleteParameterCommand)).toHaveLength(0);
    await handler(event('Delete', { Retain: 'false' }, 'a.b'));
    expect(ssm.commandCalls(DeleteParameterCommand)).toHaveLength(0);
    await handler(event('Delete', { Retain: 'false' }));
    expect(ssm.commandCalls(DeleteParameterCommand).map((c) => c.args[0].input)).toEqual([{ Name: NAME }]);
  });

  it('two creates racing: the second fails rather than replace the first one\'s keys', async () => {
    ssm.on(GetParameterCommand).rejects(missing());
    ssm.on(PutParameterCommand).rejects(new ParameterAlreadyExists({ message: 'exists', $metadata: {} }));
    await expect(handler(event('Create'))).rejects.toBeInstanceOf(ParameterAlreadyExists);
  });
});
