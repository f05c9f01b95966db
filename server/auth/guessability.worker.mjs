// zxcvbn's dictionaries (common, English, Japanese) hold ~30 MiB of small
// strings once ranked. In the server's own heap they would stay for the
// process's life, for the few moments a password is set; here they live in a
// worker that ends a minute after the last check (guessability.ts).
// Plain JavaScript: a worker thread does not inherit the server's tsx loader.
import { parentPort } from 'node:worker_threads';
import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import * as common from '@zxcvbn-ts/language-common';
import * as en from '@zxcvbn-ts/language-en';
import * as ja from '@zxcvbn-ts/language-ja';

const dictionary = { ...common.dictionary };
for (const [name, words] of Object.entries(en.dictionary)) dictionary[`en-${name}`] = words;
for (const [name, words] of Object.entries(ja.dictionary)) dictionary[`ja-${name}`] = words;
const checker = new ZxcvbnFactory({ dictionary, graphs: common.adjacencyGraphs, translations: en.translations });

parentPort.on('message', ({ id, password, inputs }) => {
  try {
    parentPort.postMessage({ id, score: checker.check(password, inputs).score });
  } catch (error) {
    parentPort.postMessage({ id, error: String(error?.message ?? error) });
  }
});
