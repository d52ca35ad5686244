// Imported first by bench/run.ts: Powertools reads its log level when its modules load, and a
// benchmark's output is its table, not a request log.
process.env.POWERTOOLS_LOG_LEVEL = 'ERROR';
