import { describe, expect, it } from 'vitest';
import { progressText } from './report.ts';

describe('the report command’s progress line', () => {
  it('labels the bar with the phase the server names, not a fixed unit', () => {
    expect(progressText({ done: 2, total: 4, phase: 'capacity review' }).trimEnd()).toBe('[############------------] 2/4 capacity review');
    expect(progressText({ done: 12, total: 12, phase: 'months' }).trimEnd()).toBe('[########################] 12/12 months');
    // Padded, so a shorter line wipes a longer one drawn before it.
    expect(progressText({ done: 1, total: 3, phase: 'hosts' })).toHaveLength(60);
  });
});
