// The live task board: every list on the page is a REST query observed with @reactiverest/client, and every edit is
// a plain REST write through the client's authenticated fetch. The page holds no protocol code: what it shows is
// what the client's live arrays hold.
import { ReactiveClient } from './lib/reactiverest-client/index.js';

const params = new URLSearchParams(location.search);
const user = params.get('user') || 'alice';
let selectedBoardId = parseId(params.get('board'));

const $ = (testId) => document.querySelector(`[data-testid="${testId}"]`);
const elements = {
  user: $('user'),
  authMode: $('auth-mode'),
  connection: $('connection-state'),
  error: $('error'),
  boardList: $('board-list'),
  noBoards: $('no-boards'),
  addBoardForm: $('add-board-form'),
  boardTitle: $('board-title'),
  boardAccess: $('board-access'),
  boardAccessMessage: $('board-access-message'),
  addTaskForm: $('add-task-form'),
  taskList: $('task-list'),
  noTasks: $('no-tasks'),
  comments: $('comments'),
  commentsTitle: $('comments-title'),
  commentsClose: $('comments-close'),
  commentList: $('comment-list'),
  noComments: $('no-comments'),
  addCommentForm: $('add-comment-form'),
};

/** @type {ReactiveClient} */
let client;
let boards = null; // the live list of boards
let boardItems = [];
let tasks = null; // the live list of the selected board's tasks
let taskItems = [];
let tasksGeneration = 0;
let tasksShown = false; // whether the selected board's first list has been shown
const editing = new Set(); // ids of the tasks whose title is being edited

/**
 * The selected board itself, observed as a detail GET: the only way the page learns that its user may no longer see
 * the board (the item is removed live, or observing it again after a reconnect answers 404). The lists cannot tell:
 * a board without tasks and a board one cannot see both list nothing.
 */
let boardDetail = null;
/** 'none' (no board selected), 'checking', 'ok', 'missing' (a 404 when opened) or 'lost' (gone while open). */
let boardAccess = 'none';
let boardName = null; // the selected board's last known name, kept for the title once it is lost

let selectedTaskId = null;
let comments = null; // the live list of the selected task's comments
let commentItems = [];
let commentsGeneration = 0;
const editingComments = new Set(); // ids of the comments whose text is being edited

function parseId(text) {
  const id = Number(text);
  return Number.isInteger(id) && id > 0 ? id : null;
}

// ---- Errors and connection state ----------------------------------------------------------------------------------

function showError(error) {
  const message = error instanceof Error ? error.message : String(error);
  elements.error.textContent = message;
  elements.error.hidden = false;
  console.error(error);
}

function clearError() {
  elements.error.hidden = true;
  elements.error.textContent = '';
}

const stateLabels = {
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  closed: 'Closed',
};

let resyncedTimer;

function showConnectionState(state, detail) {
  const resynced = state === 'live' && detail?.event === 'resynced';
  const label = elements.connection.querySelector('.label');
  elements.connection.dataset.state = state;
  if (resynced) {
    // A list was replaced rather than continued (the server could not resume it exactly): news about the last
    // reconnect, shown for a while, after which the badge just says live.
    label.textContent = 'Live (resynced)';
    elements.connection.dataset.resynced = 'true';
    elements.connection.title = `Resynced ${detail.path}: ${detail.reason}`;
    clearTimeout(resyncedTimer);
    resyncedTimer = setTimeout(() => {
      delete elements.connection.dataset.resynced;
      elements.connection.title = '';
      if (client?.state === 'live') label.textContent = stateLabels.live;
    }, 5000);
    return;
  }
  if (state === 'live' && elements.connection.dataset.resynced === 'true') return;
  delete elements.connection.dataset.resynced;
  elements.connection.title = '';
  if (state === 'reconnecting' && detail?.event === 'disconnected') {
    label.textContent = `Reconnecting (retry in ${Math.max(1, Math.round(detail.retryInMs / 1000))} s)…`;
  } else if (state === 'closed' && detail?.event === 'taken_over') {
    label.textContent = 'Closed: this subscriber was opened elsewhere';
  } else {
    label.textContent = stateLabels[state] ?? state;
  }
}

// ---- REST writes --------------------------------------------------------------------------------------------------

async function api(method, path, body) {
  const init = { method };
  if (body !== undefined) {
    init.headers = { 'content-type': 'application/json' };
    init.body = JSON.stringify(body);
  }
  const response = await client.fetch(path, init);
  if (!response.ok) {
    throw new Error(`${method} ${path}: ${await describeProblem(response)}`);
  }
  clearError();
  return response.status === 204 ? null : response.json();
}

async function describeProblem(response) {
  try {
    const problem = await response.json();
    const fieldErrors = Object.entries(problem.errors ?? {})
      .map(([field, messages]) => `${field}: ${[].concat(messages).join(' ')}`);
    return [problem.title ?? response.statusText, problem.detail, ...fieldErrors].filter(Boolean).join(' — ');
  } catch {
    return `${response.status} ${response.statusText}`;
  }
}

function attempt(action) {
  return async (...args) => {
    try {
      await action(...args);
    } catch (error) {
      showError(error);
    }
  };
}

// ---- Boards -------------------------------------------------------------------------------------------------------

function renderBoards() {
  elements.boardList.replaceChildren(...boardItems.map((board) => {
    const item = document.createElement('li');
    const link = document.createElement('a');
    link.href = boardHref(board.id);
    link.textContent = board.name;
    link.dataset.testid = 'board-link';
    link.dataset.boardId = String(board.id);
    if (board.id === selectedBoardId) link.setAttribute('aria-current', 'page');
    link.addEventListener('click', (event) => {
      event.preventDefault();
      selectBoard(board.id, { push: true });
    });
    item.append(link);
    return item;
  }));
  elements.boardList.removeAttribute('aria-busy');
  elements.noBoards.hidden = boardItems.length > 0;
  renderBoardTitle();
}

function renderBoardTitle() {
  if (selectedBoardId === null) {
    elements.boardTitle.textContent = boardItems.length ? 'Pick a board' : 'No board yet';
    return;
  }
  // The board list may drop the board before its detail says so: whether it can be seen is the detail's to say.
  boardName = boardDetail?.item?.name ?? boardItems.find((candidate) => candidate.id === selectedBoardId)?.name ?? boardName;
  elements.boardTitle.textContent = boardName ?? `Board ${selectedBoardId}`;
}

function boardHref(id) {
  const query = new URLSearchParams(location.search);
  query.set('board', String(id));
  query.delete('task');
  return `?${query}`;
}

/** The address with the selected task, so that a reload or a shared link opens its comments again. */
function taskHref(id) {
  const query = new URLSearchParams(location.search);
  if (id === null) query.delete('task');
  else query.set('task', String(id));
  return `?${query}`;
}

async function observeBoard(id, generation) {
  const live = client.observe(`/api/boards/${id}`);
  boardDetail = live;
  live.subscribe(() => {
    if (generation === tasksGeneration) showBoardAccess(live.item ? 'ok' : 'lost');
  });
  try {
    await live.ready;
  } catch (error) {
    if (generation !== tasksGeneration) return;
    if (error?.status === 404) showBoardAccess('missing');
    else showError(error);
    return;
  }
  if (generation === tasksGeneration) showBoardAccess(live.item ? 'ok' : 'lost');
}

const accessMessages = {
  missing: 'This board does not exist, or you are not one of its members.',
  lost: 'You no longer have access to this board.',
};

/**
 * Offers the board's forms only while its user may see it; once it is lost, says so instead of showing an empty board,
 * and closes the comments (their task went with the board).
 */
function showBoardAccess(access) {
  boardAccess = access;
  const open = access === 'ok';
  const refused = access === 'missing' || access === 'lost';
  elements.boardAccess.hidden = !refused;
  elements.boardAccess.dataset.access = access;
  elements.boardAccessMessage.textContent = accessMessages[access] ?? '';
  elements.addTaskForm.hidden = !open;
  elements.taskList.hidden = refused;
  elements.noTasks.hidden = refused || !tasksShown || taskItems.length > 0;
  if (refused) selectTask(null).catch(showError);
  renderBoardTitle();
}

async function observeBoards() {
  boards = client.observe('/api/boards?ordering=id&limit=1000');
  boards.subscribe((items) => {
    boardItems = items;
    renderBoards();
  });
  await boards.ready;
  boardItems = boards.items;
  renderBoards();
}

// ---- Tasks --------------------------------------------------------------------------------------------------------

async function selectBoard(id, { push = false } = {}) {
  if (id === selectedBoardId && tasks) return;
  selectedBoardId = id;
  if (push) history.pushState({ board: id }, '', boardHref(id));
  selectTask(null).catch(showError);

  const generation = ++tasksGeneration;
  const previous = [tasks, boardDetail];
  tasks = null;
  boardDetail = null;
  boardName = null;
  taskItems = [];
  tasksShown = false;
  editing.clear();
  elements.taskList.replaceChildren();
  renderBoards();
  showBoardAccess(id === null ? 'none' : 'checking');
  for (const query of previous) query?.close().catch(showError);
  if (id === null) return;

  elements.taskList.setAttribute('aria-busy', 'true');
  await Promise.all([observeBoard(id, generation), observeTasks(id, generation)]);
}

async function observeTasks(id, generation) {
  const live = client.observe(`/api/tasks?boardId=${id}&ordering=position&limit=1000`);
  tasks = live;
  live.subscribe((items) => {
    if (generation !== tasksGeneration) return;
    taskItems = items;
    renderTasks();
  });
  try {
    await live.ready;
  } catch (error) {
    if (generation === tasksGeneration) showError(error);
    return;
  }
  if (generation !== tasksGeneration) return;
  taskItems = live.items;
  renderTasks();
}

const rows = new Map(); // task id → <li>

function renderTasks() {
  tasksShown = true;
  const list = elements.taskList;
  const seen = new Set();
  taskItems.forEach((task, index) => {
    seen.add(task.id);
    let row = rows.get(task.id);
    if (!row) {
      row = createTaskRow(task.id);
      rows.set(task.id, row);
    }
    updateTaskRow(row, task, index);
    if (list.children[index] !== row) list.insertBefore(row, list.children[index] ?? null);
  });
  for (const [id, row] of rows) {
    if (!seen.has(id)) {
      row.remove();
      rows.delete(id);
      editing.delete(id);
    }
  }
  list.removeAttribute('aria-busy');
  elements.noTasks.hidden = taskItems.length > 0 || boardAccess === 'missing' || boardAccess === 'lost';
  // A task deleted, or moved to another board, takes its comments out of this board's page with it.
  if (selectedTaskId !== null && !seen.has(selectedTaskId)) selectTask(null).catch(showError);
  renderSelection();
}

function createTaskRow(id) {
  const row = document.createElement('li');
  row.className = 'task';
  row.dataset.testid = 'task';
  row.dataset.taskId = String(id);
  row.innerHTML = `
    <input type="checkbox" class="done" data-testid="task-done">
    <span class="title" data-testid="task-title"></span>
    <form class="rename" data-testid="task-rename-form" hidden>
      <input class="title-input" data-testid="task-title-input" required maxlength="500" autocomplete="off">
      <button type="submit" data-testid="task-rename-save">Save</button>
      <button type="button" data-testid="task-rename-cancel">Cancel</button>
    </form>
    <span class="actions">
      <button type="button" data-testid="task-comments" aria-pressed="false">Comments</button>
      <button type="button" data-testid="task-rename">Rename</button>
      <button type="button" data-testid="task-up"><span aria-hidden="true">↑</span></button>
      <button type="button" data-testid="task-down"><span aria-hidden="true">↓</span></button>
      <button type="button" class="delete" data-testid="task-delete">Delete</button>
    </span>`;
  const part = (testId) => row.querySelector(`[data-testid="${testId}"]`);
  const current = () => taskItems.find((task) => task.id === id);

  part('task-done').addEventListener('change', attempt(async (event) => {
    await api('PATCH', `/api/tasks/${id}`, { done: event.target.checked });
  }));
  part('task-comments').addEventListener('click', () => {
    selectTask(selectedTaskId === id ? null : id).catch(showError);
  });
  part('task-rename').addEventListener('click', () => startRename(row, current()));
  part('task-rename-cancel').addEventListener('click', () => endRename(row));
  part('task-title-input').addEventListener('keydown', (event) => {
    if (event.key === 'Escape') endRename(row);
  });
  part('task-rename-form').addEventListener('submit', attempt(async (event) => {
    event.preventDefault();
    const title = part('task-title-input').value.trim();
    if (!title) return;
    await api('PATCH', `/api/tasks/${id}`, { title });
    endRename(row);
  }));
  part('task-up').addEventListener('click', attempt(() => move(id, -1)));
  part('task-down').addEventListener('click', attempt(() => move(id, +1)));
  part('task-delete').addEventListener('click', attempt(() => api('DELETE', `/api/tasks/${id}`)));
  return row;
}

function updateTaskRow(row, task, index) {
  const part = (testId) => row.querySelector(`[data-testid="${testId}"]`);
  row.dataset.done = String(task.done);
  row.dataset.position = String(task.position);
  row.classList.toggle('is-done', task.done);
  const done = part('task-done');
  done.checked = task.done;
  done.setAttribute('aria-label', `Done: ${task.title}`);
  part('task-title').textContent = task.title;
  part('task-title-input').setAttribute('aria-label', `New title for ${task.title}`);
  part('task-comments').setAttribute('aria-label', `Comments on ${task.title}`);
  part('task-rename').setAttribute('aria-label', `Rename ${task.title}`);
  part('task-up').setAttribute('aria-label', `Move ${task.title} up`);
  part('task-down').setAttribute('aria-label', `Move ${task.title} down`);
  part('task-delete').setAttribute('aria-label', `Delete ${task.title}`);
  part('task-up').disabled = index === 0;
  part('task-down').disabled = index === taskItems.length - 1;
}

function startRename(row, task) {
  if (!task) return;
  editing.add(task.id);
  const form = row.querySelector('[data-testid="task-rename-form"]');
  const input = row.querySelector('[data-testid="task-title-input"]');
  input.value = task.title;
  form.hidden = false;
  row.querySelector('[data-testid="task-title"]').hidden = true;
  row.querySelector('.actions').hidden = true;
  input.focus();
  input.select();
}

function endRename(row) {
  editing.delete(Number(row.dataset.taskId));
  row.querySelector('[data-testid="task-rename-form"]').hidden = true;
  row.querySelector('[data-testid="task-title"]').hidden = false;
  row.querySelector('.actions').hidden = false;
}

/**
 * Moves a task one place up or down: it swaps its position with its neighbour's. When the two share a position
 * (ties are ordered by id), the board is renumbered 0, 1, 2… in the new order instead; only tasks whose position
 * changes are written.
 */
async function move(id, delta) {
  const order = [...taskItems];
  const index = order.findIndex((task) => task.id === id);
  const target = index + delta;
  if (index < 0 || target < 0 || target >= order.length) return;
  const [a, b] = [order[index], order[target]];
  let writes;
  if (a.position !== b.position) {
    writes = [[a.id, b.position], [b.id, a.position]];
  } else {
    [order[index], order[target]] = [b, a];
    writes = order.map((task, position) => [task.id, position])
      .filter(([taskId, position]) => order.find((task) => task.id === taskId).position !== position);
  }
  await Promise.all(writes.map(([taskId, position]) => api('PATCH', `/api/tasks/${taskId}`, { position })));
}

// ---- Comments -----------------------------------------------------------------------------------------------------

/** Opens the comments of a task of the selected board (null closes them), observed like the board's tasks. */
async function selectTask(id) {
  if (id !== null && !taskItems.some((task) => task.id === id)) id = null;
  // Also when nothing changes, so that an address naming a task not on this board is put right.
  history.replaceState(history.state, '', taskHref(id));
  if (id === selectedTaskId) return;
  selectedTaskId = id;

  const generation = ++commentsGeneration;
  const previous = comments;
  comments = null;
  commentItems = [];
  editingComments.clear();
  commentRows.clear();
  elements.commentList.replaceChildren();
  elements.noComments.hidden = true;
  elements.addCommentForm.reset();
  renderSelection();
  if (previous) previous.close().catch(showError);
  if (id === null) return;

  elements.commentList.setAttribute('aria-busy', 'true');
  const live = client.observe(`/api/comments?taskId=${id}&ordering=createdAt,id&limit=1000`);
  comments = live;
  live.subscribe((items) => {
    if (generation !== commentsGeneration) return;
    commentItems = items;
    renderComments();
  });
  try {
    await live.ready;
  } catch (error) {
    if (generation === commentsGeneration) showError(error);
    return;
  }
  if (generation !== commentsGeneration) return;
  commentItems = live.items;
  renderComments();
}

/** Marks the selected task's row and shows its comments panel, titled with the task's current title. */
function renderSelection() {
  for (const [id, row] of rows) {
    const selected = id === selectedTaskId;
    row.classList.toggle('is-selected', selected);
    row.querySelector('[data-testid="task-comments"]').setAttribute('aria-pressed', String(selected));
  }
  const task = taskItems.find((candidate) => candidate.id === selectedTaskId);
  elements.comments.hidden = !task;
  if (task) elements.commentsTitle.textContent = `Comments on “${task.title}”`;
}

const commentRows = new Map(); // comment id → <li>

function renderComments() {
  const list = elements.commentList;
  const seen = new Set();
  commentItems.forEach((comment, index) => {
    seen.add(comment.id);
    let row = commentRows.get(comment.id);
    if (!row) {
      row = createCommentRow(comment.id);
      commentRows.set(comment.id, row);
    }
    updateCommentRow(row, comment);
    if (list.children[index] !== row) list.insertBefore(row, list.children[index] ?? null);
  });
  for (const [id, row] of commentRows) {
    if (!seen.has(id)) {
      row.remove();
      commentRows.delete(id);
      editingComments.delete(id);
    }
  }
  list.removeAttribute('aria-busy');
  elements.noComments.hidden = commentItems.length > 0;
}

function createCommentRow(id) {
  const row = document.createElement('li');
  row.className = 'comment';
  row.dataset.testid = 'comment';
  row.dataset.commentId = String(id);
  row.innerHTML = `
    <div class="meta">
      <strong data-testid="comment-author"></strong>
      <time data-testid="comment-time"></time>
    </div>
    <p class="text" data-testid="comment-text"></p>
    <form class="edit" data-testid="comment-edit-form" hidden>
      <textarea data-testid="comment-text-input" required maxlength="2000" rows="3"></textarea>
      <div class="row end">
        <button type="submit" data-testid="comment-edit-save">Save</button>
        <button type="button" data-testid="comment-edit-cancel">Cancel</button>
      </div>
    </form>
    <span class="actions" hidden>
      <button type="button" data-testid="comment-edit">Edit</button>
      <button type="button" class="delete" data-testid="comment-delete">Delete</button>
    </span>`;
  const part = (testId) => row.querySelector(`[data-testid="${testId}"]`);

  part('comment-edit').addEventListener('click', () => startCommentEdit(row, commentItems.find((comment) => comment.id === id)));
  part('comment-edit-cancel').addEventListener('click', () => endCommentEdit(row));
  part('comment-text-input').addEventListener('keydown', (event) => {
    if (event.key === 'Escape') endCommentEdit(row);
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) part('comment-edit-form').requestSubmit();
  });
  part('comment-edit-form').addEventListener('submit', attempt(async (event) => {
    event.preventDefault();
    const text = part('comment-text-input').value.trim();
    if (!text) return;
    await api('PATCH', `/api/comments/${id}`, { text });
    endCommentEdit(row);
  }));
  part('comment-delete').addEventListener('click', attempt(() => api('DELETE', `/api/comments/${id}`)));
  return row;
}

function updateCommentRow(row, comment) {
  const part = (testId) => row.querySelector(`[data-testid="${testId}"]`);
  // Only the author may change a comment (the API answers 403 to anyone else), so only the author is offered to.
  const own = comment.author === user;
  row.dataset.author = comment.author;
  row.classList.toggle('is-own', own);
  part('comment-author').textContent = comment.author;
  const time = part('comment-time');
  time.dateTime = comment.createdAt;
  time.textContent = new Date(comment.createdAt).toLocaleString();
  part('comment-text').textContent = comment.text;
  part('comment-text-input').setAttribute('aria-label', `New text for the comment of ${time.textContent}`);
  part('comment-edit').setAttribute('aria-label', `Edit the comment of ${time.textContent}`);
  part('comment-delete').setAttribute('aria-label', `Delete the comment of ${time.textContent}`);
  row.querySelector('.actions').hidden = !own || editingComments.has(comment.id);
}

function startCommentEdit(row, comment) {
  if (!comment) return;
  editingComments.add(comment.id);
  const input = row.querySelector('[data-testid="comment-text-input"]');
  input.value = comment.text;
  row.querySelector('[data-testid="comment-edit-form"]').hidden = false;
  row.querySelector('[data-testid="comment-text"]').hidden = true;
  row.querySelector('.actions').hidden = true;
  input.focus();
}

function endCommentEdit(row) {
  editingComments.delete(Number(row.dataset.commentId));
  row.querySelector('[data-testid="comment-edit-form"]').hidden = true;
  row.querySelector('[data-testid="comment-text"]').hidden = false;
  row.querySelector('.actions').hidden = !row.classList.contains('is-own');
}

// ---- Forms --------------------------------------------------------------------------------------------------------

elements.addBoardForm.addEventListener('submit', attempt(async (event) => {
  event.preventDefault();
  const input = elements.addBoardForm.elements.name;
  const name = input.value.trim();
  if (!name) return;
  const board = await api('POST', '/api/boards', { name });
  input.value = '';
  await selectBoard(board.id, { push: true });
}));

elements.addTaskForm.addEventListener('submit', attempt(async (event) => {
  event.preventDefault();
  const input = elements.addTaskForm.elements.title;
  const title = input.value.trim();
  if (!title || selectedBoardId === null) return;
  await api('POST', '/api/tasks', { boardId: selectedBoardId, title });
  input.value = '';
}));

elements.addCommentForm.addEventListener('submit', attempt(async (event) => {
  event.preventDefault();
  const input = elements.addCommentForm.elements.text;
  const text = input.value.trim();
  if (!text || selectedTaskId === null) return;
  await api('POST', '/api/comments', { taskId: selectedTaskId, text });
  input.value = '';
}));

elements.addCommentForm.elements.text.addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) elements.addCommentForm.requestSubmit();
});

elements.commentsClose.addEventListener('click', () => selectTask(null).catch(showError));

window.addEventListener('popstate', attempt(async () => {
  const query = new URLSearchParams(location.search);
  await selectBoard(parseId(query.get('board')));
  await selectTask(parseId(query.get('task')));
}));

// ---- Start --------------------------------------------------------------------------------------------------------

/**
 * The page runs as ?user=… (alice by default). Where the API issues development tokens (POST /api/dev/token,
 * Development only) it gets one and gives it to the client; where that endpoint does not exist, it runs anonymously.
 */
async function signIn() {
  const response = await fetch('/api/dev/token', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ user }),
  });
  if (response.status === 404 || response.status === 405) return undefined;
  if (!response.ok) throw new Error(`Signing in as ${user}: ${await describeProblem(response)}`);
  const { token } = await response.json();
  return token;
}

/** When a JWT expires (ms since 1970), from its exp claim; never when it has none or is not a JWT. */
function expiryOf(token) {
  try {
    const payload = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    const { exp } = JSON.parse(atob(payload));
    return typeof exp === 'number' ? exp * 1000 : Infinity;
  } catch {
    return Infinity;
  }
}

/** The client's token provider: the development token, fetched again a minute before it expires. */
function tokenProvider(first) {
  let token = first;
  return async () => {
    if (Date.now() > expiryOf(token) - 60_000) token = (await signIn()) ?? token;
    return token;
  };
}

async function loadConfig() {
  const response = await fetch('/api/client-config');
  if (!response.ok) throw new Error(`GET /api/client-config: ${await describeProblem(response)}`);
  const config = await response.json();
  if (!config.observersUrl) throw new Error('The API does not know the observers\' URL (setting LiveBoard:ObserversUrl).');
  return config;
}

async function start() {
  elements.user.textContent = user;
  const [config, token] = await Promise.all([loadConfig(), signIn()]);
  elements.authMode.textContent = token ? '(signed in with a development token)' : '(anonymous: this server has no sign-in)';
  elements.authMode.dataset.mode = token ? 'token' : 'anonymous';

  client = new ReactiveClient({
    apiUrl: location.origin,
    observersUrl: config.observersUrl,
    token: token ? tokenProvider(token) : undefined,
    // A page someone looks at comes back quickly: at most 5 s between attempts (the client's default is 30 s).
    backoff: { initialMs: 250, maxMs: 5000 },
  });
  client.onStateChange((state, detail) => showConnectionState(state, detail));
  showConnectionState(client.state);

  // For the browser test and for poking at it from the console.
  window.liveBoard = {
    client,
    user,
    get boardId() { return selectedBoardId; },
    get boardAccess() { return boardAccess; },
    get taskId() { return selectedTaskId; },
  };

  await observeBoards();
  if (selectedBoardId === null && boardItems.length > 0) {
    selectedBoardId = boardItems[0].id;
    history.replaceState({ board: selectedBoardId }, '', boardHref(selectedBoardId));
  }
  await selectBoard(selectedBoardId);
  await selectTask(parseId(params.get('task')));
  document.body.dataset.ready = 'true';
}

start().catch(showError);
