// Reading the -e variables the scripts take (k6 puts them in __ENV).

/** The variable's value; a clear error at start when it is missing (k6 stops in the init stage). */
export function requiredEnv(name: string, what: string): string {
  const value = __ENV[name];
  if (!value) throw new Error(`${name} is required: ${what}. Pass it with k6 run -e ${name}=… (or set it in the environment with --include-system-env-vars)`);
  return value;
}

/** A whole number above zero from __ENV, or the fallback when unset. */
export function positiveInt(name: string, fallback: number): number {
  const text = __ENV[name];
  if (text === undefined || text === '') return fallback;
  if (!/^[1-9][0-9]*$/.test(text)) throw new Error(`${name} must be a whole number above 0, not ${JSON.stringify(text)}`);
  return Number(text);
}

export interface Stage {
  duration: string;
  target: number;
}

// k6 durations as `--stage` takes them: 30s, 1m, 1m30s, 500ms, 2h.
const DURATION = /^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$/;

/** A k6 duration (30s, 1m30s…) from __ENV, or the fallback when unset. */
export function durationEnv(name: string, fallback: string): string {
  const text = __ENV[name] || fallback;
  if (!DURATION.test(text)) throw new Error(`${name} must be a k6 duration such as 30s, 1m or 1m30s, not ${JSON.stringify(text)}`);
  return text;
}

/** `30s:10,1m:10,30s:0` (duration:target VUs, as k6's own --stage flag) into k6 stages. */
export function parseStages(text: string): Stage[] {
  return text.split(',').map((part, i) => {
    const fields = part.trim().split(':');
    const [duration = '', target = ''] = fields;
    if (fields.length !== 2 || !DURATION.test(duration) || !/^[0-9]+$/.test(target)) {
      throw new Error(`STAGES entry ${i + 1} ${JSON.stringify(part)} is not <duration>:<target VUs> such as 30s:10 (in ${JSON.stringify(text)})`);
    }
    return { duration, target: Number(target) };
  });
}
