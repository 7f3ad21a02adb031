import type { Attributes } from './attributes.js';

/** What a span is to obs: an LLM call, a tool execution, or any other unit of work. */
export type SpanRole = 'llm' | 'tool' | 'span';

const LLM_OPERATIONS = new Set([
  'chat',
  'text_completion',
  'generate_content',
  'embeddings',
  'completion',
  'embedding',
]);
const AI_SDK_LLM = /\.(doGenerate|doStream|doEmbed)$/;

/**
 * Classifies a span by `gen_ai.operation.name`, then the AI SDK's `ai.operationId`, OpenInference's
 * `openinference.span.kind`, and OpenLLMetry's `llm.request.type` / `traceloop.span.kind`.
 */
export function spanRoleOf(attributes: Attributes): SpanRole {
  const operation = attributes['gen_ai.operation.name'];
  if (typeof operation === 'string') {
    if (LLM_OPERATIONS.has(operation)) return 'llm';
    if (operation === 'execute_tool') return 'tool';
    return 'span';
  }
  const aiOperation = attributes['ai.operationId'];
  if (typeof aiOperation === 'string') {
    if (AI_SDK_LLM.test(aiOperation)) return 'llm';
    if (aiOperation === 'ai.toolCall') return 'tool';
    return 'span';
  }
  const openInference = attributes['openinference.span.kind'];
  if (typeof openInference === 'string') {
    const kind = openInference.toUpperCase();
    if (kind === 'LLM' || kind === 'EMBEDDING') return 'llm';
    if (kind === 'TOOL') return 'tool';
    return 'span';
  }
  if (attributes['traceloop.span.kind'] === 'tool') return 'tool';
  if (typeof attributes['llm.request.type'] === 'string') return 'llm';
  return 'span';
}
