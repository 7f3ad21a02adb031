const SUMMARY_MAX = 140;

/**
 * A one-line hint for an event, from its payload: the model of an LLM call, the tool of a tool
 * call, a log message… Pure: the UI uses it too.
 */
export function summarizeEvent(type: string, payload: Record<string, unknown>): string | null {
  const s = (key: string) => (typeof payload[key] === 'string' ? (payload[key] as string) : undefined);
  let text: string | undefined;
  switch (type) {
    case 'llm.call': {
      const tokens = typeof payload['total_tokens'] === 'number' ? ` · ${payload['total_tokens']} tok` : '';
      text = s('model') ? `${s('model')}${tokens}` : undefined;
      break;
    }
    case 'tool.call':
    case 'tool.result':
      text = s('tool');
      break;
    case 'log':
    case 'error':
    case 'backup.failed':
      text = s('message');
      break;
    case 'agent.thought':
      text = s('content');
      break;
    case 'span':
      text = [s('layer'), s('component')].filter(Boolean).join(' · ') || undefined;
      break;
    case 'run.started':
      text = s('goal') ?? s('agent');
      break;
    case 'run.finished':
      text = s('outcome') ?? s('summary');
      break;
    case 'decision.trace':
      text = s('decision');
      break;
    case 'orchestration':
      text = [s('change'), s('to')].filter(Boolean).join(' → ') || undefined;
      break;
    case 'observed.op':
      text = s('endpoint');
      break;
    case 'obs.dropped':
      text = `${s('sink')} lost ${String(payload['lost'])} events`;
      break;
  }
  if (text === undefined) return null;
  const line = text.replace(/\s+/g, ' ');
  return line.length > SUMMARY_MAX ? `${line.slice(0, SUMMARY_MAX)}…` : line;
}
