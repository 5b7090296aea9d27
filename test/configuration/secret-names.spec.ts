import { describe, expect, it } from '@jest/globals';
import { secretValues } from '../../src/configuration/secrets.js';
import { definitionFromClass } from '../../src/definition/decorator-definition.js';
import { looksLikeCredential } from '../../src/definition/field-types.js';
import { ConfigField, Extension } from '../../src/index.js';

describe('credential-looking field names', () => {
  it.each([
    'apiKey', 'api_key', 'api-key', 'apikey', 'APIKey', 'openaiKey', 'OPENAI_API_KEY', 'accessToken', 'token',
    'clientSecret', 'password', 'dbPasswd', 'pwd', 'passphrase', 'credentials', 'awsCredential', 'authHeader',
    'Authorization', 'bearer', 'cookie', 'sessionId', 'private_key', 'privateKey', 'privatekey', 'key2', 'x-auth-token',
  ])('%s is secret', (name) => {
    expect(looksLikeCredential(name)).toBe(true);
  });

  it.each(['maxTokens', 'max_tokens', 'keyword', 'keywords', 'monkey', 'tokenizer', 'author', 'authorName', 'tokens', 'keys', 'passenger', 'timeout', 'model'])(
    '%s is not secret',
    (name) => {
      expect(looksLikeCredential(name)).toBe(false);
    },
  );

  it('makes such fields secret unless they say secret: false', () => {
    @Extension({ name: 'names' })
    @ConfigField('maxTokens', { type: 'integer' })
    @ConfigField('openaiKey')
    @ConfigField('cacheKey', { secret: false })
    class Names {}
    const secret = Object.fromEntries(definitionFromClass(Names, '/x/names.ts', '/x').configFields.map((f) => [f.name, f.secret]));
    expect(secret).toEqual({ maxTokens: false, openaiKey: true, cacheKey: false });
  });
});

describe('secretValues()', () => {
  @Extension({ name: 'values' })
  @ConfigField('tokenPool', { type: 'list' })
  @ConfigField('authHeaders', { type: 'object' })
  @ConfigField('pin', { type: 'integer', secret: true })
  @ConfigField('shortPin', { type: 'integer', secret: true })
  @ConfigField('region')
  class Values {}
  const { configFields } = definitionFromClass(Values, '/x/values.ts', '/x');

  it('yields every string in a secret list or object, its JSON form and numbers of 4+ digits, longest first', () => {
    const config = {
      tokenPool: ['tok-one', 'tok-one-longer', 7, 'ab'],
      authHeaders: { Authorization: 'Bearer xyz-secret', nested: { inner: ['deep-value'], serial: 987654 } },
      pin: 4242,
      shortPin: 123,
      region: 'eu-west-1',
    };
    const values = secretValues(configFields, config);
    expect([...values].sort()).toEqual(
      [
        'tok-one',
        'tok-one-longer',
        JSON.stringify(config.tokenPool),
        'Bearer xyz-secret',
        'deep-value',
        '987654',
        JSON.stringify(config.authHeaders),
        '4242',
      ].sort(),
    );
    expect(values.map((v) => v.length)).toEqual([...values.map((v) => v.length)].sort((a, b) => b - a));
  });
});
