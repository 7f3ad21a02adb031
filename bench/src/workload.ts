import type { BuiltinPayloads } from '@obs/core';

const PROMPTS = [
  'Summarize the customer ticket and propose the next action for the support agent.',
  'Find flights from Paris to Lisbon next Tuesday under 200 EUR and list three options.',
  'Write a SQL query that returns the ten slowest endpoints of the last hour.',
];

/** A realistic `llm.call` payload; `i` varies the text so compression and caches see real data. */
export function llmPayload(i: number): BuiltinPayloads['llm.call'] {
  return {
    provider: 'openai',
    model: i % 3 === 0 ? 'gpt-4o-mini' : 'gpt-4o',
    prompt_tokens: 400 + (i % 97),
    completion_tokens: 120 + (i % 31),
    total_tokens: 520 + (i % 128),
    cost_usd: 0.0021 + (i % 7) / 10_000,
    latency_ms: 640 + (i % 400),
    input: PROMPTS[i % PROMPTS.length],
    output: `Step ${i}: checked the knowledge base, found 3 matching articles, drafted a reply.`,
    finish_reason: 'stop',
  };
}
