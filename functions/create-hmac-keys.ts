import { GenerateDataKeyWithoutPlaintextCommand, KMSClient } from '@aws-sdk/client-kms';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { HMAC_KEY_CONTEXT } from '#shared/adapters/crypto/kms-keyring';

/**
 * Deploy-time custom resource: asks KMS for two random 256-bit keys that nobody ever sees in clear
 * (GenerateDataKeyWithoutPlaintext) and hands their wrapped forms to the functions' environment.
 * The wrapped keys live in the physical id, so updates return the same keys and hashes stay valid.
 */
const kms = new KMSClient({});

export async function handler(event: CloudFormationCustomResourceEvent) {
  if (event.RequestType === 'Delete') return { PhysicalResourceId: event.PhysicalResourceId };
  if (event.RequestType === 'Update') return { PhysicalResourceId: event.PhysicalResourceId, Data: fromPhysicalId(event.PhysicalResourceId) };

  const keyId = String(event.ResourceProperties.KeyArn);
  const wrap = async (context: Record<string, string>) => {
    const out = await kms.send(new GenerateDataKeyWithoutPlaintextCommand({ KeyId: keyId, KeySpec: 'AES_256', EncryptionContext: context }));
    if (!out.CiphertextBlob) throw new Error('KMS returned no ciphertext');
    return Buffer.from(out.CiphertextBlob).toString('base64');
  };
  const codeHashKey = await wrap(HMAC_KEY_CONTEXT.codeHash);
  const blindIndexKey = await wrap(HMAC_KEY_CONTEXT.blindIndex);
  return { PhysicalResourceId: `${codeHashKey}.${blindIndexKey}`, Data: { codeHashKey, blindIndexKey } };
}

function fromPhysicalId(id: string) {
  const [codeHashKey, blindIndexKey] = id.split('.');
  if (!codeHashKey || !blindIndexKey) throw new Error('Unexpected physical id for the HMAC keys');
  return { codeHashKey, blindIndexKey };
}
