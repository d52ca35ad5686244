import { DescribeUserPoolClientCommand, ResourceNotFoundException, type CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import type { ClientDirectory } from '../../events/publish.ts';

/** How long a client's scopes are trusted before Cognito is asked again (its read quota is small). */
export const CLIENT_SCOPES_TTL_MS = 60_000;

/** The calling apps as Cognito has them now: the app client's allowed OAuth scopes, or gone. */
export class CognitoClientDirectory implements ClientDirectory {
  private readonly cache = new Map<string, { at: number; scopes: Promise<ReadonlySet<string> | undefined> }>();
  constructor(private readonly cognito: CognitoIdentityProviderClient, private readonly userPoolId: string, private readonly now: () => number = Date.now) {}

  scopesOf(clientId: string): Promise<ReadonlySet<string> | undefined> {
    const hit = this.cache.get(clientId);
    if (hit && this.now() - hit.at < CLIENT_SCOPES_TTL_MS) return hit.scopes;
    const scopes = this.describe(clientId);
    this.cache.set(clientId, { at: this.now(), scopes });
    // A failed call is not remembered: the next batch asks again.
    scopes.catch(() => this.cache.delete(clientId));
    return scopes;
  }

  private async describe(clientId: string): Promise<ReadonlySet<string> | undefined> {
    try {
      const out = await this.cognito.send(new DescribeUserPoolClientCommand({ UserPoolId: this.userPoolId, ClientId: clientId }));
      return new Set(out.UserPoolClient?.AllowedOAuthScopes ?? []);
    } catch (error) {
      if (error instanceof ResourceNotFoundException) return undefined;
      throw error;
    }
  }
}
