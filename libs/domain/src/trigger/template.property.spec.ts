import fc from 'fast-check';
import { ValidationError } from '../errors';
import { PUBLIC_ONLY_NETWORK_POLICY } from './network-policy';
import {
  checkTemplate,
  renderTemplate,
  renderTemplateString,
  TEMPLATE_VARIABLES,
  type TemplateVars,
} from './template';
import { renderUrlTemplate } from './template-fields';
import { WEBHOOK_TRIGGER } from './webhook.trigger-definition';

const RUNS = 1_000;

/** Text with many braces, so that placeholders (valid or not) come up often. */
const braceText = fc.string({
  unit: fc.constantFrom('{', '}', 'a', '.', ' ', '/', '?', '#', '%', ':', '@'),
  maxLength: 30,
});
const placeholder = fc
  .oneof(
    fc.constantFrom(...TEMPLATE_VARIABLES),
    fc.stringMatching(/^[A-Za-z0-9_-]{1,8}$/).map((key) => `metadata.${key}`),
  )
  .map((name) => `{{${name}}}`);
/** Any string a metadata value or a name could be: control characters, "/", "@", "#", … */
const anyText = fc.string({ unit: 'binary', maxLength: 20 });

const varsArbitrary: fc.Arbitrary<TemplateVars> = fc.record({
  scheduleId: fc.uuid(),
  executionId: fc.uuid(),
  scheduledAt: fc.constant('2031-03-01T12:00:00.000Z'),
  attempt: fc.integer({ min: 1, max: 20 }),
  name: fc.option(anyText, { nil: null }),
  owner: fc.option(anyText, { nil: null }),
  metadata: fc.option(
    fc.dictionary(fc.stringMatching(/^[a-z]{1,3}$/), fc.jsonValue()),
    {
      nil: null,
    },
  ),
});

describe('templates: properties', () => {
  it('check either passes or throws a ValidationError naming the field, for any text', () => {
    fc.assert(
      fc.property(fc.oneof(braceText, fc.string()), (text) => {
        try {
          checkTemplate(text, 'trigger.body');
        } catch (error) {
          expect(error).toBeInstanceOf(ValidationError);
          expect((error as ValidationError).field).toBe('trigger.body');
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('rendering never throws, and leaves text without "{{" as it is', () => {
    fc.assert(
      fc.property(braceText, varsArbitrary, (text, vars) => {
        const rendered = renderTemplateString(text, vars);
        if (!text.includes('{{')) expect(rendered).toBe(text);
        expect(renderTemplate({ a: [text] }, vars)).toBeDefined();
      }),
      { numRuns: RUNS },
    );
  });

  it('a URL accepted at create renders, for any values, to the origin that was checked', () => {
    // Placeholders may land anywhere: before the authority ends (refused) or after.
    const urlTemplate = fc
      .tuple(
        fc.constantFrom('https://', 'http://'),
        fc.constantFrom('example.com', 'hooks.example.org:8080', 'a@b.example'),
        fc.array(fc.oneof(braceText, placeholder), { maxLength: 2 }),
        fc.constantFrom('/', '?', ''),
        fc.array(fc.oneof(braceText, placeholder), { maxLength: 6 }),
      )
      .map(
        ([scheme, host, inAuthority, separator, rest]) =>
          `${scheme}${host}${inAuthority.join('')}${separator}${rest.join('')}`,
      );
    let templated = 0;
    fc.assert(
      fc.property(urlTemplate, varsArbitrary, (template, vars) => {
        let stored: string;
        try {
          stored = WEBHOOK_TRIGGER.parse(
            { type: 'webhook', url: template },
            'trigger',
            { networkPolicy: PUBLIC_ONLY_NETWORK_POLICY },
          ).url;
        } catch (error) {
          expect(error).toBeInstanceOf(ValidationError);
          return;
        }
        const checked = new URL(template.replace(/\{\{[^}]*\}\}/g, 'x'));
        const rendered = new URL(renderUrlTemplate(stored, vars));
        expect(rendered.origin).toBe(checked.origin);
        expect(rendered.username + rendered.password).toBe('');
        if (stored.includes('{{')) templated += 1;
      }),
      { numRuns: RUNS },
    );
    // The property must have met accepted templated URLs, not only refusals.
    expect(templated).toBeGreaterThan(RUNS / 40);
  });
});
