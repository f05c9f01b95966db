// What the server assumes when mimamori.yaml says nothing, read from the
// server's own config loader at build time, so that a board's default can
// never drift from the figure Mimamori's reports use.
import { parseConfigText } from '../../server/config/load.ts';
import { agreedThreshold } from '../../server/reports/capacity.ts';

const builtIn = parseConfigText('{}', 'built-in defaults', {});

/** slo.objective_percent when unset (99). */
export const DEFAULT_OBJECTIVE_PERCENT = builtIn.sloObjectivePercent;

/**
 * A host's agreed CPU threshold with no `capacity:` section: the built-in
 * cpu-capacity rule's (80 %), as the capacity review works it out.
 */
export const DEFAULT_THRESHOLD_PERCENT = agreedThreshold(builtIn.capacity, builtIn.rules, '', '').percent;

/** The time zone days and months are counted in when unset (Asia/Tokyo). */
export const DEFAULT_TIME_ZONE = builtIn.timezone;
