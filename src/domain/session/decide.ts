import * as E from 'fp-ts/lib/Either.js';
import type { IsoDateTime, Role, Uuid } from '../shared/codecs.ts';
import type { Decider } from '../shared/decider.ts';
import type { SessionsEnded } from '../account/state.ts';
import type { SessionEvent } from './events.ts';

// state

export type SessionState =
  | { readonly status: 'none' }
  | {
      readonly status: 'active' | 'revoked';
      readonly sessionId: Uuid;
      readonly userId: Uuid;
      readonly currentTokenHash: string;
      /** Every token this session has rotated away from: seeing one again means it was stolen. */
      readonly rotatedTokenHashes: readonly string[];
      readonly expiresAt: IsoDateTime;
      /** Null for sessions started before sessions had a whole lifetime: those are never extended. */
      readonly startedAt: IsoDateTime | null;
    };

export const initialSessionState = (): SessionState => ({ status: 'none' });

export const evolveSession = (state: SessionState, event: SessionEvent): SessionState => {
  switch (event.type) {
    case 'SessionStarted': {
      const { sessionId, userId, refreshTokenHash, expiresAt, startedAt = null } = event.data;
      return { status: 'active', sessionId, userId, expiresAt, startedAt, currentTokenHash: refreshTokenHash, rotatedTokenHashes: [] };
    }
    case 'SessionRefreshed':
      return state.status === 'none'
        ? state
        : {
            ...state,
            currentTokenHash: event.data.refreshTokenHash,
            rotatedTokenHashes: [...state.rotatedTokenHashes, state.currentTokenHash],
            expiresAt: event.data.expiresAt,
          };
    case 'SessionRevoked':
      return state.status === 'none' ? state : { ...state, status: 'revoked' };
  }
};

// commands

export type SessionCommand =
  | {
      readonly type: 'StartSession';
      readonly sessionId: Uuid;
      readonly userId: Uuid;
      readonly refreshTokenHash: string;
      readonly expiresAt: IsoDateTime;
      readonly startedAt: IsoDateTime;
    }
  | {
      readonly type: 'RefreshSession';
      readonly presentedTokenHash: string;
      readonly newTokenHash: string;
      /** When the new refresh token would expire, were it not for the session's whole lifetime. */
      readonly expiresAt: IsoDateTime;
      /** How long a session lives from its start, refreshes included. */
      readonly lifetimeSeconds: number;
      readonly now: IsoDateTime;
      /**
       * The account as it is now: a deactivated user gets no new tokens, and a password changed or
       * reset since the session started has ended it (unless it is the session that changed it).
       */
      readonly account: { readonly active: boolean; readonly role: Role; readonly sessionsEndedBefore: SessionsEnded | null };
    }
  | { readonly type: 'EndSession'; readonly presentedTokenHash: string }
  /** Its owner ends it from another session; anyone else is told it does not exist. */
  | { readonly type: 'RevokeSession'; readonly byUserId: Uuid };

export type SessionError = {
  readonly type: 'SessionNotFound' | 'SessionRevoked' | 'SessionExpired' | 'TokenNotRecognised' | 'AccountInactive';
};

const error = (type: SessionError['type']): E.Either<SessionError, never> => E.left({ type });

// decisions

/** A password changed or reset after the session started ends it, unless it is the session that changed it. */
const endedByCredentials = (state: { readonly sessionId: Uuid; readonly startedAt: IsoDateTime | null }, ended: SessionsEnded | null) =>
  ended !== null && ended.except !== state.sessionId && (state.startedAt === null || Date.parse(state.startedAt) < Date.parse(ended.at));

/** Milliseconds since the epoch as the ISO time the events hold (toISOString always writes a valid one). */
const isoTimeOf = (ms: number): IsoDateTime => new Date(ms).toISOString() as IsoDateTime;

/**
 * A refresh with a rotated token is answered with a revocation, not an error: the revocation must be
 * recorded (and the caller then refused), because whoever holds the stolen token must lose the session.
 */
const refresh = (command: Extract<SessionCommand, { type: 'RefreshSession' }>, state: Exclude<SessionState, { status: 'none' }>) => {
  if (state.status === 'revoked') return error('SessionRevoked');
  if (state.rotatedTokenHashes.includes(command.presentedTokenHash)) {
    return E.right<SessionError, SessionEvent[]>([
      { type: 'SessionRevoked', data: { sessionId: state.sessionId, userId: state.userId, reason: 'refresh_token_reused' } },
    ]);
  }
  if (command.presentedTokenHash !== state.currentTokenHash) return error('TokenNotRecognised');
  if (endedByCredentials(state, command.account.sessionsEndedBefore)) {
    return E.right<SessionError, SessionEvent[]>([
      { type: 'SessionRevoked', data: { sessionId: state.sessionId, userId: state.userId, reason: 'password_changed' } },
    ]);
  }
  const now = Date.parse(command.now);
  // A session started before it had a whole lifetime lives until its current expiry, and no longer.
  const lifetimeEnds =
    state.startedAt === null ? Date.parse(state.expiresAt) : Date.parse(state.startedAt) + command.lifetimeSeconds * 1000;
  if (Date.parse(state.expiresAt) <= now || lifetimeEnds <= now) return error('SessionExpired');
  if (!command.account.active) return error('AccountInactive');
  const expiresAt = Date.parse(command.expiresAt) <= lifetimeEnds ? command.expiresAt : isoTimeOf(lifetimeEnds);
  return E.right<SessionError, SessionEvent[]>([
    {
      type: 'SessionRefreshed',
      data: { sessionId: state.sessionId, userId: state.userId, refreshTokenHash: command.newTokenHash, expiresAt },
    },
  ]);
};

export const decideSession = (command: SessionCommand, state: SessionState): E.Either<SessionError, readonly SessionEvent[]> => {
  if (command.type === 'StartSession') {
    return state.status !== 'none'
      ? error('SessionRevoked')
      : E.right([
          {
            type: 'SessionStarted',
            data: {
              sessionId: command.sessionId,
              userId: command.userId,
              refreshTokenHash: command.refreshTokenHash,
              expiresAt: command.expiresAt,
              startedAt: command.startedAt,
            },
          },
        ]);
  }
  if (state.status === 'none') return error('SessionNotFound');
  switch (command.type) {
    case 'RefreshSession':
      return refresh(command, state);
    case 'EndSession':
      if (command.presentedTokenHash !== state.currentTokenHash && !state.rotatedTokenHashes.includes(command.presentedTokenHash)) {
        return error('TokenNotRecognised');
      }
      // Logging out twice is not an error: the session is over either way.
      return state.status === 'revoked'
        ? E.right([])
        : E.right([{ type: 'SessionRevoked', data: { sessionId: state.sessionId, userId: state.userId, reason: 'logout' } }]);
    case 'RevokeSession':
      if (command.byUserId !== state.userId) return error('SessionNotFound');
      return state.status === 'revoked'
        ? E.right([])
        : E.right([{ type: 'SessionRevoked', data: { sessionId: state.sessionId, userId: state.userId, reason: 'ended_by_user' } }]);
    default: {
      const _never: never = command;
      return _never;
    }
  }
};

export const sessionDecider: Decider<SessionCommand, SessionEvent, SessionState, SessionError> = {
  decide: decideSession,
  evolve: evolveSession,
  initialState: initialSessionState,
};
