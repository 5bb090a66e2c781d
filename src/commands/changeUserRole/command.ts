import { Role } from '../../domain/shared/codecs.ts';
import { strict } from '../../infrastructure/codecs/strict.ts';

export const ChangeUserRoleRequest = strict({ role: Role }, 'ChangeUserRoleRequest');
