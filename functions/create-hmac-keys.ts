import { GenerateDataKeyWithoutPlaintextCommand, KMSClient } from '@aws-sdk/client-kms';
import { DeleteParameterCommand, GetParameterCommand, ParameterNotFound, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { HMAC_KEY_CONTEXT } from '#shared/adapters/crypto/kms-keyring';

/**
 * Deploy-time custom resource: the stage's two HMAC keys (code hashes, blind indexes), random 256-bit
 * keys that nobody ever sees in clear (KMS GenerateDataKeyWithoutPlaintext), handed wrapped to the
 * functions' environment. Every hash in the tables depends on them, opt-outs included, so they are
 * kept where a destroy can't take them: an SSM parameter (`/sealtext/<stage>/hmac-keys`, ciphertext
 * only) that this resource writes once and reads back ever after, on updates and on a redeploy
 * after a destroy. Outside dev it is never deleted. Wrapped under another key than the stack's (a
 * redeploy that made a new CMK instead of adopting the kept one) it fails with what to do.
 */
const kms = new KMSClient({});
const ssm = new SSMClient({});

const DESCRIPTION = 'Sealtext HMAC keys, wrapped under the stage key (ciphertext only)';

type Stored = { keyArn: string; codeHashKey: string; blindIndexKey: string };

export async function handler(event: CloudFormationCustomResourceEvent) {
  const { KeyArn, ParameterName, Retain } = event.ResourceProperties as unknown as { KeyArn: string; ParameterName?: string; Retain?: string };
  if (event.RequestType === 'Delete') {
    // Outside dev the keys outlive the stack, like the tables whose hashes they made. A resource of
    // the release before (keys in its physical id, no parameter) has nothing to delete.
    if (Retain !== 'true' && ParameterName && event.PhysicalResourceId === ParameterName) {
      await ssm.send(new DeleteParameterCommand({ Name: ParameterName })).catch((e: unknown) => { if (!(e instanceof ParameterNotFound)) throw e; });
    }
    return { PhysicalResourceId: event.PhysicalResourceId };
  }
  if (!ParameterName) throw new Error('ParameterName is required');
  let stored = await read(ParameterName);
  // Upgrading from the release that kept the keys in the physical id: those keys, never new ones.
  if (!stored && event.RequestType === 'Update' && /^[A-Za-z0-9+/=]+\.[A-Za-z0-9+/=]+$/.test(event.PhysicalResourceId)) {
    const [codeHashKey, blindIndexKey] = event.PhysicalResourceId.split('.') as [string, string];
    stored = { keyArn: KeyArn, codeHashKey, blindIndexKey };
    await ssm.send(new PutParameterCommand({ Name: ParameterName, Value: JSON.stringify(stored), Type: 'String', Overwrite: false, Description: DESCRIPTION }));
  }
  if (stored && stored.keyArn !== KeyArn) {
    throw new Error(`${ParameterName} holds HMAC keys wrapped under ${stored.keyArn}, not this stack's key ${KeyArn}: set "keyArn" in the stage file to adopt the kept key (docs/operations.md, "Teardown and redeploy")`);
  }
  const keys = stored ?? await create(ParameterName, KeyArn);
  return { PhysicalResourceId: ParameterName, Data: { codeHashKey: keys.codeHashKey, blindIndexKey: keys.blindIndexKey } };
}

async function read(name: string): Promise<Stored | undefined> {
  try {
    const out = await ssm.send(new GetParameterCommand({ Name: name }));
    return JSON.parse(out.Parameter?.Value ?? '') as Stored;
  } catch (error) {
    if (error instanceof ParameterNotFound) return undefined;
    throw error;
  }
}

async function create(name: string, keyArn: string): Promise<Stored> {
  const wrap = async (context: Record<string, string>) => {
    const out = await kms.send(new GenerateDataKeyWithoutPlaintextCommand({ KeyId: keyArn, KeySpec: 'AES_256', EncryptionContext: context }));
    if (!out.CiphertextBlob) throw new Error('KMS returned no ciphertext');
    return Buffer.from(out.CiphertextBlob).toString('base64');
  };
  const keys: Stored = { keyArn, codeHashKey: await wrap(HMAC_KEY_CONTEXT.codeHash), blindIndexKey: await wrap(HMAC_KEY_CONTEXT.blindIndex) };
  // Never over an existing value: two creates racing keep the first keys, and this one fails.
  await ssm.send(new PutParameterCommand({ Name: name, Value: JSON.stringify(keys), Type: 'String', Overwrite: false, Description: DESCRIPTION }));
  return keys;
}
