// Production is shown and mailed unmistakably (item 15); this decides what counts as production.
const PRODUCTION = /^(prod|production|本番)$/i;

export const isProduction = (environment: string): boolean => PRODUCTION.test(environment);
