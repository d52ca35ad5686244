/**
 * Cold-start wiring: a value made on first use and kept for the life of the process. The runtime
 * modules mark each call pure (`@__PURE__`), so a bundle keeps only the wiring its handler uses.
 */
export const once = <T>(make: () => T): (() => T) => {
  let value: T | undefined;
  return () => (value ??= make());
};

/** Like `once`, but a failed cold start is retried on the next request instead of cached forever. */
export const oncePromise = <T>(make: () => Promise<T>): (() => Promise<T>) => {
  let value: Promise<T> | undefined;
  return () => {
    value ??= make();
    value.catch(() => (value = undefined));
    return value;
  };
};
