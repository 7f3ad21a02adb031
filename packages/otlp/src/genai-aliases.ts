/**
 * Where each obs field is read from, newest name first: the OpenTelemetry GenAI semantic
 * conventions, then the older and vendor names still sent (OpenLLMetry `gen_ai.prompt.*`/`llm.usage.*`,
 * OpenInference `llm.*`, the AI SDK's `ai.*`). The first attribute present wins.
 */
export const GENAI_ALIASES = {
  operation: ['gen_ai.operation.name'],
  provider: ['gen_ai.provider.name', 'gen_ai.system', 'llm.provider', 'llm.system', 'ai.model.provider'],
  model: [
    'gen_ai.response.model',
    'gen_ai.request.model',
    'llm.response.model',
    'llm.request.model',
    'llm.model_name',
    'ai.response.model',
    'ai.model.id',
  ],
  inputTokens: [
    'gen_ai.usage.input_tokens',
    'gen_ai.usage.prompt_tokens',
    'llm.usage.prompt_tokens',
    'llm.token_count.prompt',
    'ai.usage.inputTokens',
    'ai.usage.promptTokens',
  ],
  outputTokens: [
    'gen_ai.usage.output_tokens',
    'gen_ai.usage.completion_tokens',
    'llm.usage.completion_tokens',
    'llm.token_count.completion',
    'ai.usage.outputTokens',
    'ai.usage.completionTokens',
  ],
  totalTokens: [
    'gen_ai.usage.total_tokens',
    'llm.usage.total_tokens',
    'llm.token_count.total',
    'ai.usage.totalTokens',
  ],
  cacheReadTokens: [
    'gen_ai.usage.cache_read.input_tokens',
    'gen_ai.usage.cache_read_input_tokens',
    'llm.usage.cache_read_input_tokens',
    'llm.token_count.prompt_details.cache_read',
    'ai.usage.cachedInputTokens',
    'ai.usage.inputTokenDetails.cacheReadTokens',
  ],
  cacheWriteTokens: [
    'gen_ai.usage.cache_creation.input_tokens',
    'gen_ai.usage.cache_creation_input_tokens',
    'llm.usage.cache_creation_input_tokens',
    'llm.token_count.prompt_details.cache_write',
    'ai.usage.inputTokenDetails.cacheWriteTokens',
  ],
  reasoningTokens: [
    'gen_ai.usage.reasoning.output_tokens',
    'gen_ai.usage.reasoning_tokens',
    'llm.usage.reasoning_tokens',
    'llm.token_count.completion_details.reasoning',
    'ai.usage.reasoningTokens',
    'ai.usage.outputTokenDetails.reasoningTokens',
  ],
  cost: ['gen_ai.usage.cost', 'llm.cost.total', 'ai.usage.cost'],
  temperature: ['gen_ai.request.temperature', 'llm.request.temperature', 'ai.settings.temperature'],
  finishReason: [
    'gen_ai.response.finish_reasons',
    'gen_ai.completion.0.finish_reason',
    'llm.response.finish_reason',
    'ai.response.finishReason',
  ],
  inputMessages: [
    'gen_ai.input.messages',
    'gen_ai.prompt',
    'llm.input_messages',
    'ai.prompt.messages',
    'ai.prompt',
    'input.value',
  ],
  outputMessages: [
    'gen_ai.output.messages',
    'gen_ai.completion',
    'llm.output_messages',
    'ai.response.text',
    'ai.response.object',
    'output.value',
  ],
  toolName: ['gen_ai.tool.name', 'ai.toolCall.name', 'tool.name', 'traceloop.entity.name'],
  toolCallId: ['gen_ai.tool.call.id', 'ai.toolCall.id', 'tool_call.id'],
  toolArguments: [
    'gen_ai.tool.call.arguments',
    'ai.toolCall.args',
    'tool.parameters',
    'input.value',
    'traceloop.entity.input',
  ],
  toolResult: ['gen_ai.tool.call.result', 'ai.toolCall.result', 'output.value', 'traceloop.entity.output'],
  sessionId: ['gen_ai.conversation.id', 'session.id', 'langfuse.session.id'],
  runId: ['obs.run_id'],
  agentName: ['gen_ai.agent.name', 'ai.telemetry.functionId', 'traceloop.entity.name'],
} as const satisfies Record<string, readonly string[]>;

/** A field of {@link GENAI_ALIASES}. */
export type GenAiField = keyof typeof GENAI_ALIASES;
