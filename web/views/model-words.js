// The words a view uses when its data says nothing about the model: the toy GPT's (LayerNorm,
// tied head, biases everywhere, one token per character). trace-data.js's modelWords gives
// the loaded model's.

/** @type {{ norm: 'rms'|'layer', tied: 'yes'|'no', qkvBias: 'yes'|'no', bias: 'yes'|'no', unit: 'token'|'character', ffn: 'gelu'|'relu'|'glu' }} */
export const TOY_WORDS = Object.freeze({ norm: 'layer', tied: 'yes', qkvBias: 'yes', bias: 'yes', unit: 'character', ffn: 'gelu' });

/** The final norm and output matrix as the formulas write them: LN_f and W_te for the toy GPT. */
export const outputSymbols = (words) => ({
  normF: words.norm === 'rms' ? 'RMSNorm_f' : 'LN_f',
  head: words.tied === 'yes' ? 'W_te' : 'W_head',
});
