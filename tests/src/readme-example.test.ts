import { describe, expect, it } from 'vitest';
import { readmeExample } from './published/readme-example.js';

const fence = '```';

describe('readmeExample', () => {
  it('takes the first ts block', () => {
    const readme = `# x\n\n${fence}sh\nnpm i x\n${fence}\n\n${fence}ts\nfirst();\n${fence}\n\n${fence}ts\nsecond();\n${fence}\n`;
    expect(readmeExample(readme)).toBe('first();\n');
  });

  it('takes the ts block right after an <!-- example --> marker instead', () => {
    const readme = `${fence}ts\nfirst();\n${fence}\n\n<!-- example -->\n\n${fence}ts\nsecond();\n${fence}\n`;
    expect(readmeExample(readme)).toBe('second();\n');
  });

  it('finds none when there is no ts block, or the marker is not right above one', () => {
    expect(readmeExample(`${fence}js\nx();\n${fence}\n`)).toBeUndefined();
    expect(readmeExample(`<!-- example -->\ntext\n${fence}ts\nx();\n${fence}\n`)).toBeUndefined();
  });
});
