// Each step of Explore in two registers: plain (words, no symbols) and technical (the
// equations' words and shapes). Terms are marked for the glossary ([[term]], glossary.js).

export const STEP_WORDS = {
  map: {
    plain: 'The whole machine on one page: your text goes in at the top, a guess for the next [[token]] comes out at the bottom, through the same [[layer]] repeated.',
    technical: 'The model’s description: [[embedding]], N blocks of [[norm]] → op → [[residual]] add (pre- or post-norm), final norm, head; attention kind, heads and [[mlp|MLP]] width as configured.',
  },
  tokens: {
    plain: 'The model cannot read letters. It cuts your text into [[token|tokens]] and swaps each for its number in the [[vocabulary]].',
    technical: 'Text → ids: each [[token]] becomes an integer in [0, V), V the size of the [[vocabulary]]; the ids form a (T) vector.',
  },
  embeddings: {
    plain: 'Each token number picks a row of numbers, its [[embedding]]. A second row for its [[position]] is added, so the model knows the order.',
    technical: 'x₀ = wte[ids] + wpe[0..T): a (T, C) [[matrix]] of [[embedding]] rows plus [[position]] rows (or rotary positions inside attention).',
  },
  space: {
    plain: 'Each token’s [[embedding]] drawn as a point: tokens the model treats alike sit close together.',
    technical: 'wte (V, C), the [[embedding]] table, projected on its top two principal components; neighbours by cosine similarity of the rows.',
  },
  positions: {
    plain: 'Without the [[position]] signal, the model cannot tell the order of the words, only which words there are.',
    technical: 'wpe = 0 and the tokens permuted: [[attention]] is permutation-equivariant; only the causal [[mask]] still carries order.',
  },
  layernorm: {
    plain: 'Before each step, every token’s numbers are brought to a standard size ([[norm]]), so no token shouts louder than the others.',
    technical: '[[norm|norm]]: per row, (x − mean) / std · γ + β (LayerNorm) or x / rms · γ (RMSNorm), over the C features.',
  },
  head: {
    plain: 'One [[head]] of [[attention]]: each token asks a question ([[query]]), every earlier token offers a label ([[key]]); good matches pass on their content ([[value]]).',
    technical: 'One [[head]]: Q, K, V = x·W; [[score|score]]s Q·Kᵀ/√HS, [[mask]]ed, [[softmax]] per row; output A·V, (T, HS).',
  },
  attention: {
    plain: 'Every [[layer]] has several heads, each looking for something different. Bright squares are where a token looks.',
    technical: '[[attention]] weights A (T, T) for every [[layer]] and [[head]]; each row sums to 1; masked cells are hatched.',
  },
  heads: {
    plain: 'Some [[head|heads]] have a habit: look at the previous token, at the first one, or find the last time this token appeared.',
    technical: 'Per head: mean A[t, t−1], A[t, 0], A[t, t], row entropy / log(t+1) on the text; A[t, t−n+1] on a repeated random probe ([[induction]]).',
  },
  ffn: {
    plain: 'The [[mlp|MLP]] works on each token alone: it widens its numbers, bends them with a curve, and narrows them back.',
    technical: '[[mlp|MLP]]: proj(act(fc(x))), C → 4C → C, with the [[activation]] drawn as its curve.',
  },
  residual: {
    plain: 'Nothing is thrown away: each step adds its result to a running total per token, the [[residual|residual stream]].',
    technical: '[[residual|Residual stream]]: x ← x + attn(…), x ← x + mlp(…); its row norms per stage.',
  },
  output: {
    plain: 'At the end, each possible next token gets a score ([[logit]]), turned into a [[probability]]. [[temperature|Temperature]] makes the choice bolder or wilder.',
    technical: '[[logit|Logits]] = ln_f(x)·wteᵀ, (T, V); p = [[softmax]](z/τ) with [[temperature]] τ, [[topk|top-k]] and [[topp|top-p]].',
  },
  lens: {
    plain: 'The [[logitlens|logit lens]] asks the middle of the model for its guess, to see the answer forming layer by layer.',
    technical: '[[logitlens|Logit lens]]: ln_f(x_l)·wteᵀ after each [[layer]] l.',
  },
  ablation: {
    plain: '[[ablation|Ablation]]: switch a head or a layer off and see what the model loses.',
    technical: '[[ablation|Ablation]]: a head’s or block’s output scaled by 0; the change in the next-token [[probability]].',
  },
  rnn: {
    plain: 'An [[rnn|RNN]] reads one word at a time; a transformer reads them all at once. Here is what that buys, for your text.',
    technical: 'Table 1 of the paper for this T and C: [[flops|FLOPs]] per layer, sequential operations, maximum path length.',
  },
  cost: {
    plain: 'How many learned numbers ([[weight|weights]]) the model has, and how much work one pass takes.',
    technical: 'Parameters, [[flops|FLOPs]] and memory per part, for this T.',
  },
};
