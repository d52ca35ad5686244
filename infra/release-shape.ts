/**
 * What a deployed stack's data hangs on, per release (`releases/<version>.shape.json`): the stateful
 * resources by logical id, with the properties whose change makes CloudFormation replace them, and
 * each table's global secondary indexes. The upgrade test compares the previous release's shape
 * with this one's, so a release can't replace or drop a table, key, bucket, pool or kept log group
 * unnoticed, or change two indexes of a table in one update (which CloudFormation refuses).
 */
type Resource = { Type: string; Properties?: Record<string, unknown> };
type StatefulResource = { type: string; replacedBy: Record<string, unknown>; indexes?: string[] };
export type ReleaseShape = { version: string; resources: Record<string, StatefulResource> };

/** Stateful types and the properties CloudFormation replaces them on (its resource reference, "Update requires: Replacement"). */
const STATEFUL: Record<string, string[]> = {
  'AWS::DynamoDB::Table': ['TableName', 'KeySchema'],
  'AWS::KMS::Key': ['KeySpec', 'KeyUsage', 'MultiRegion'],
  'AWS::S3::Bucket': ['BucketName', 'ObjectLockEnabled'],
  'AWS::Cognito::UserPool': ['UserPoolName', 'UsernameAttributes', 'AliasAttributes'],
  'AWS::Cognito::UserPoolClient': ['ClientName', 'GenerateSecret', 'UserPoolId'],
  'AWS::Logs::LogGroup': ['LogGroupName'],
  'AWS::SQS::Queue': ['QueueName', 'FifoQueue'],
  'AWS::SNS::Topic': ['TopicName'],
};

export function shapeOf(version: string, template: { Resources: Record<string, Resource> }): ReleaseShape {
  const resources: Record<string, StatefulResource> = {};
  for (const [id, r] of Object.entries(template.Resources)) {
    const props = STATEFUL[r.Type];
    if (!props) continue;
    const p = r.Properties ?? {};
    resources[id] = {
      type: r.Type,
      replacedBy: Object.fromEntries(props.filter((k) => p[k] !== undefined).map((k) => [k, p[k]])),
      ...(r.Type === 'AWS::DynamoDB::Table' ? { indexes: ((p.GlobalSecondaryIndexes ?? []) as { IndexName: string }[]).map((g) => g.IndexName).sort() } : {}),
    };
  }
  return { version, resources };
}

/** Why an update from `from` to `to` would lose or replace something, except what the release notes declare (`declared`: logical ids). */
export function upgradeProblems(from: ReleaseShape, to: ReleaseShape, declared: readonly string[]): string[] {
  const problems: string[] = [];
  for (const [id, before] of Object.entries(from.resources)) {
    const after = to.resources[id];
    if (declared.includes(id)) continue;
    if (!after) problems.push(`${before.type} ${id} is gone (removed or moved: CloudFormation deletes it, or orphans it where kept)`);
    else if (after.type !== before.type || JSON.stringify(after.replacedBy) !== JSON.stringify(before.replacedBy)) problems.push(`${before.type} ${id} would be replaced (${JSON.stringify(before.replacedBy)} → ${JSON.stringify(after.replacedBy)})`);
    else if (before.indexes && after.indexes) {
      const changed = [...before.indexes.filter((i) => !after.indexes!.includes(i)), ...after.indexes.filter((i) => !before.indexes!.includes(i))];
      if (changed.length > 1) problems.push(`${id}: ${changed.length} global secondary indexes change in one update (${changed.join(', ')}); CloudFormation takes one per update`);
    }
  }
  return problems;
}
