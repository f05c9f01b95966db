// Kana readings in Latin letters (Hepburn), so the password policy can
// refuse a name written in romaji: さとう → satou, sato, satoh. Long vowels
// are spelt several ways in practice; each spelling is returned.

const BASE: Record<string, string> = {
  あ: 'a', い: 'i', う: 'u', え: 'e', お: 'o',
  か: 'ka', き: 'ki', く: 'ku', け: 'ke', こ: 'ko', が: 'ga', ぎ: 'gi', ぐ: 'gu', げ: 'ge', ご: 'go',
  さ: 'sa', し: 'shi', す: 'su', せ: 'se', そ: 'so', ざ: 'za', じ: 'ji', ず: 'zu', ぜ: 'ze', ぞ: 'zo',
  た: 'ta', ち: 'chi', つ: 'tsu', て: 'te', と: 'to', だ: 'da', ぢ: 'ji', づ: 'zu', で: 'de', ど: 'do',
  な: 'na', に: 'ni', ぬ: 'nu', ね: 'ne', の: 'no',
  は: 'ha', ひ: 'hi', ふ: 'fu', へ: 'he', ほ: 'ho', ば: 'ba', び: 'bi', ぶ: 'bu', べ: 'be', ぼ: 'bo', ぱ: 'pa', ぴ: 'pi', ぷ: 'pu', ぺ: 'pe', ぽ: 'po',
  ま: 'ma', み: 'mi', む: 'mu', め: 'me', も: 'mo',
  や: 'ya', ゆ: 'yu', よ: 'yo',
  ら: 'ra', り: 'ri', る: 'ru', れ: 're', ろ: 'ro',
  わ: 'wa', ゐ: 'i', ゑ: 'e', を: 'o', ん: 'n', ゔ: 'vu',
  ぁ: 'a', ぃ: 'i', ぅ: 'u', ぇ: 'e', ぉ: 'o',
};
/** Small ya/yu/yo after an i-row kana: きゃ → kya, しゃ → sha. */
const YOON: Record<string, string> = { ゃ: 'a', ゅ: 'u', ょ: 'o' };

/** Katakana → hiragana (same sounds), other characters unchanged. */
function toHiragana(text: string): string {
  return text.replace(/[\u30a1-\u30f6]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0x60));
}

/** The Hepburn spelling of a kana text (hiragana or katakana); undefined when it holds other characters. */
export function romanise(kana: string): string | undefined {
  const text = toHiragana(kana.normalize('NFKC').replace(/\s+/g, ''));
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    const next = text[i + 1];
    if (c === 'っ') {
      const following = next ? (BASE[next] ?? '') : '';
      out += following.startsWith('ch') ? 't' : following[0] ?? '';
      continue;
    }
    if (c === 'ー') {
      out += out.at(-1) ?? '';
      continue;
    }
    const base = BASE[c];
    if (base === undefined) return undefined;
    if (next && YOON[next] && base.endsWith('i') && base.length > 1) {
      const stem = base.slice(0, -1);
      out += (['sh', 'ch', 'j'].includes(stem) ? stem : `${stem}y`) + YOON[next];
      i++;
      continue;
    }
    out += base;
  }
  return out;
}

/** The usual spellings of a reading: as romanised, with long vowels shortened, and with "oh" for a long o. */
export function romajiVariants(kana: string): string[] {
  const spelled = romanise(kana);
  if (!spelled) return [];
  const short = spelled.replace(/ou/g, 'o').replace(/oo/g, 'o').replace(/uu/g, 'u');
  const oh = spelled.replace(/ou/g, 'oh').replace(/oo/g, 'oh');
  return [...new Set([spelled, short, oh])];
}
