import { Inject } from '@nestjs/common';
import { getExtensionToken } from './extensions.constants.js';

/** Injects the instance of an extension loaded at boot (`null` when it failed under `continue`). */
export const InjectExtension = (name: string): PropertyDecorator & ParameterDecorator => Inject(getExtensionToken(name));
