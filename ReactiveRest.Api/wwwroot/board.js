// The live task board: every list on the page is a REST query observed with @reactiverest/client, and every edit is
// a plain REST write through the client's authenticated fetch. The page holds no protocol code: what it shows is
// what the client's live arrays hold.
import { ReactiveClient } from './lib/reactiverest-client/index.js';

const params = new URLSearchParams(location.search);
const user = params.get('user') || 'alice';
let selectedBoardId = parseBoardId(params.get('board'));

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
  addTaskForm: $('add-task-form'),
  taskList: $('task-list'),
  noTasks: $('no-tasks'),
};

/** @type {ReactiveClient} */
let client;
let boards = null; // the live list of boards
let boardItems = [];
let tasks = null; // the live list of the selected board's tasks
let taskItems = [];
let tasksGeneration = 0;
const editing = new Set(); // ids of the tasks whose title is being edited

function parseBoardId(text) {
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
  const board = boardItems.find((candidate) => candidate.id === selectedBoardId);
  elements.boardTitle.textContent = board ? board.name : (boards ? `Board ${selectedBoardId} (not found)` : `Board ${selectedBoardId}`);
}

function boardHref(id) {
  const query = new URLSearchParams(location.search);
  query.set('board', String(id));
  return `?${query}`;
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
  renderBoards();

  const generation = ++tasksGeneration;
  const previous = tasks;
  tasks = null;
  taskItems = [];
  editing.clear();
  elements.taskList.replaceChildren();
  elements.noTasks.hidden = true;
  elements.addTaskForm.hidden = id === null;
  if (previous) previous.close().catch(showError);
  if (id === null) return;

  elements.taskList.setAttribute('aria-busy', 'true');
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
  elements.noTasks.hidden = taskItems.length > 0;
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

window.addEventListener('popstate', () => {
  selectBoard(parseBoardId(new URLSearchParams(location.search).get('board'))).catch(showError);
});

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
  window.liveBoard = { client, user, get boardId() { return selectedBoardId; } };

  await observeBoards();
  if (selectedBoardId === null && boardItems.length > 0) {
    selectedBoardId = boardItems[0].id;
    history.replaceState({ board: selectedBoardId }, '', boardHref(selectedBoardId));
  }
  await selectBoard(selectedBoardId);
  document.body.dataset.ready = 'true';
}

start().catch(showError);
