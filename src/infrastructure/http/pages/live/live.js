// The live page: sign in with POST /auth/login, then follow the Socket.IO feed (`movie.added` for
// everyone, `notification.created` for this user) and show each as it arrives. No framework, no
// inline script, so that it runs under a strict Content-Security-Policy. `io` is the client that
// the Socket.IO server serves at /socket.io/socket.io.js.
'use strict';

(() => {
  const byId = (id) => document.getElementById(id);
  const status = byId('status');
  let socket;

  const item = (title, detail, at) => {
    const li = document.createElement('li');
    li.textContent = title;
    const small = document.createElement('small');
    small.textContent = [detail, at === undefined ? '' : new Date(at).toLocaleString()].filter(Boolean).join(' · ');
    li.append(small);
    return li;
  };

  const describe = (notification) => {
    const movie = notification.movie === undefined ? '' : notification.movie.title;
    switch (notification.type) {
      case 'welcome':
        return ['Welcome to FastFlix', notification.displayName];
      case 'movie.inFavouriteGenre':
        return [`New in ${notification.genres.join(', ')}: ${movie}`, ''];
      case 'watchlist.movieChanged':
        return [`${movie} changed`, `changed: ${notification.changed.join(', ')}`];
      case 'watchlist.movieArchived':
        return [`${movie} left the catalogue`, 'it was on your watchlist'];
      default:
        return [notification.type, ''];
    }
  };

  const showNotification = (notification, where = 'prepend') => {
    if (document.querySelector(`[data-notification="${CSS.escape(notification.id)}"]`) !== null) return;
    const [title, detail] = describe(notification);
    const li = item(title, detail, notification.createdAt);
    li.dataset.notification = notification.id;
    if (notification.readAt !== null) li.classList.add('read');
    byId('notifications')[where](li);
  };

  const showMovie = (movie) => {
    const li = item(movie.title, [movie.year, (movie.genres ?? []).join(', ')].filter(Boolean).join(' · '));
    li.dataset.movie = movie.movieId ?? movie.id ?? '';
    byId('movies').prepend(li);
  };

  // Tokens are kept in memory only. `position` is the newest the page has shown: a reconnection
  // asks for what came after it (`since`), so nothing sent while it was away is lost.
  let tokens;
  let position;
  const seen = (payload) => {
    if (typeof payload.position === 'string' && (position === undefined || BigInt(payload.position) > BigInt(position))) {
      position = payload.position;
    }
  };

  const loadInbox = async () => {
    const inbox = await fetch('/me/notifications?limit=20', { headers: { authorization: `Bearer ${tokens.accessToken}` } });
    if (inbox.ok) for (const notification of (await inbox.json()).items) showNotification(notification, 'append');
  };

  /** A new access token from the refresh token; signed out when the session is over. */
  const renew = async () => {
    const reply = await fetch('/auth/refresh', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refreshToken: tokens.refreshToken }),
    });
    if (!reply.ok) {
      signOut('Signed out: the session has ended');
      return;
    }
    tokens = await reply.json();
    socket.connect();
    await loadInbox();
  };

  const signedIn = async (signIn) => {
    tokens = signIn;
    byId('sign-in').hidden = true;
    byId('feed').hidden = false;
    status.textContent = 'Connecting…';
    // auth as a function: each (re)connection sends the current token and the position reached.
    socket = io({
      auth: (send) => send(position === undefined ? { token: tokens.accessToken } : { token: tokens.accessToken, since: position }),
      transports: ['websocket'],
    });
    socket.on('connect', () => (status.textContent = 'Live'));
    socket.on('connect_error', (error) => (status.textContent = `Not connected: ${error.message}`));
    socket.on('session.ended', (why) => (status.textContent = `Renewing: ${why.reason}`));
    socket.on('disconnect', (reason) => {
      // The server ends a socket whose token expired or whose session ended: renew, then reconnect.
      if (reason === 'io server disconnect' && tokens !== undefined) void renew();
      else status.textContent = 'Disconnected';
    });
    socket.on('resync', () => void loadInbox());
    socket.on('movie.added', (movie) => {
      seen(movie);
      showMovie(movie);
    });
    socket.on('notification.created', (notification) => {
      seen(notification);
      showNotification(notification);
    });
    await loadInbox();
  };

  const signOut = (message) => {
    tokens = undefined;
    position = undefined;
    socket?.close();
    byId('movies').replaceChildren();
    byId('notifications').replaceChildren();
    byId('feed').hidden = true;
    byId('sign-in').hidden = false;
    status.textContent = message;
  };

  byId('sign-in').addEventListener('submit', async (event) => {
    event.preventDefault();
    const error = byId('sign-in-error');
    error.hidden = true;
    const reply = await fetch('/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: byId('email').value, password: byId('password').value }),
    });
    const body = await reply.json().catch(() => ({}));
    if (!reply.ok) {
      error.textContent = body.detail ?? `Sign-in failed (${reply.status})`;
      error.hidden = false;
      return;
    }
    await signedIn(body);
  });

  byId('sign-out').addEventListener('click', () => signOut('Signed out'));
})();
