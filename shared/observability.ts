import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';

/**
 * Structured JSON logs and EMF metrics. Log lines carry ids, masks, blind indexes and error names,
 * never a phone number, a code, a message body or a token.
 */
export const logger = new Logger({ serviceName: 'sealtext' });
export const metrics = new Metrics({ namespace: 'Sealtext', serviceName: 'sealtext', logger });
