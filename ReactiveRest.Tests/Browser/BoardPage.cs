using Microsoft.Playwright;

namespace ReactiveRest.Tests.Browser;

/// <summary>
/// One browser tab on the live board page, in a browser context of its own, driven through the page's
/// <c>data-testid</c> hooks as a user would. It can cut the tab's WebSockets as a network failure does.
/// </summary>
public sealed class BoardPage : IAsyncDisposable
{
    /// <summary>How long a wait lasts before it fails; latency bounds are asserted on the measured time instead.</summary>
    public static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Runs before the page's own scripts: wraps <c>WebSocket</c> so that the test can drop every open socket of the tab
    /// and make new ones fail (to a closed port) until it restores the network. The page and its client are unchanged.
    /// </summary>
    private const string NetworkSwitch = """
        (() => {
          const Native = window.WebSocket;
          const sockets = new Set();
          let offline = false;
          class SwitchedWebSocket extends Native {
            constructor(url, protocols) {
              super(offline ? 'ws://127.0.0.1:9/offline' : url, protocols);
              sockets.add(this);
              this.addEventListener('close', () => sockets.delete(this));
            }
          }
          window.WebSocket = SwitchedWebSocket;
          window.__network = {
            drop() {
              offline = true;
              for (const socket of sockets) socket.close(3000, 'network dropped by the test');
            },
            restore() { offline = false; },
            openSockets() { return [...sockets].filter((socket) => socket.readyState === Native.OPEN).length; },
          };

          // Wall-clock times (ms since 1970, as the test's clock) of the last user action and the last DOM change, so
          // that latencies are measured in the browser, without the test driver's round trips.
          const now = () => performance.timeOrigin + performance.now();
          window.__timing = { action: 0, change: 0 };
          addEventListener('click', () => { window.__timing.action = now(); }, true);
          addEventListener('keydown', (event) => { if (event.key === 'Enter') window.__timing.action = now(); }, true);
          new MutationObserver(() => { window.__timing.change = now(); })
            .observe(document, { subtree: true, childList: true, characterData: true, attributes: true });
        })();
        """;

    /// <summary>Each task row as its title, with " [done]" when ticked, in the order shown.</summary>
    private const string Snapshot = """
        () => [...document.querySelectorAll('[data-testid="task-list"] [data-testid="task"]')].map((row) =>
          row.querySelector('[data-testid="task-title"]').textContent + (row.dataset.done === 'true' ? ' [done]' : ''))
        """;

    /// <summary>Each comment of the open comments panel as "author: text", in the order shown.</summary>
    private const string CommentsSnapshot = """
        () => [...document.querySelectorAll('[data-testid="comment-list"] [data-testid="comment"]')].map((row) =>
          row.querySelector('[data-testid="comment-author"]').textContent + ': ' + row.querySelector('[data-testid="comment-text"]').textContent)
        """;

    private readonly IBrowserContext _context;
    private readonly List<string> _pageErrors = [];

    private BoardPage(IBrowserContext context, IPage page, string name)
    {
        _context = context;
        Page = page;
        Name = name;
        page.PageError += (_, error) => _pageErrors.Add(error);
        page.Console += (_, message) => Log($"console.{message.Type}: {message.Text}");
    }

    public IPage Page { get; }

    public string Name { get; }

    /// <summary>Uncaught errors of the page's scripts so far.</summary>
    public IReadOnlyList<string> PageErrors => _pageErrors;

    public static async Task<BoardPage> OpenAsync(IBrowser browser, Uri apiUrl, string name, string user, int boardId)
    {
        var context = await browser.NewContextAsync(new() { ViewportSize = new() { Width = 1100, Height = 640 } });
        await context.AddInitScriptAsync(NetworkSwitch);
        var page = await context.NewPageAsync();
        var boardPage = new BoardPage(context, page, name);
        await page.GotoAsync(new Uri(apiUrl, $"/?user={Uri.EscapeDataString(user)}&board={boardId}").ToString());
        await boardPage.WaitForConnectionAsync("live");
        return boardPage;
    }

    public async Task<string[]> TasksAsync() => await Page.EvaluateAsync<string[]>(Snapshot);

    /// <summary>Now on the clock the page's timings use: milliseconds since 1970.</summary>
    public static double Now() => (DateTime.UtcNow - DateTime.UnixEpoch).TotalMilliseconds;

    /// <summary>When this page last saw a click or an Enter (see <see cref="Now"/>).</summary>
    public Task<double> LastActionAsync() => Page.EvaluateAsync<double>("() => window.__timing.action");

    /// <summary>
    /// Waits until the page shows exactly these tasks in this order; returns the time from <paramref name="since"/>
    /// (see <see cref="Now"/>) to the page's last DOM change when it did.
    /// </summary>
    public Task<TimeSpan> WaitForTasksAsync(string[] expected, double? since = null) =>
        WaitForListAsync(Snapshot, "tasks", expected, since);

    public async Task<string[]> CommentsAsync() => await Page.EvaluateAsync<string[]>(CommentsSnapshot);

    /// <summary>As <see cref="WaitForTasksAsync"/>, for the comments panel's list ("author: text").</summary>
    public Task<TimeSpan> WaitForCommentsAsync(string[] expected, double? since = null) =>
        WaitForListAsync(CommentsSnapshot, "comments", expected, since);

    private async Task<TimeSpan> WaitForListAsync(string snapshot, string what, string[] expected, double? since)
    {
        double shownAt = 0;
        try
        {
            var shown = await Page.WaitForFunctionAsync(
                $"expected => JSON.stringify(({snapshot})()) === JSON.stringify(expected) && window.__timing.change",
                expected,
                new() { PollingInterval = 10, Timeout = (float)WaitLimit.TotalMilliseconds });
            shownAt = await shown.JsonValueAsync<double>();
        }
        catch (TimeoutException)
        {
            var shows = await Page.EvaluateAsync<string[]>(snapshot);
            Assert.Fail($"{Name} did not show the {what} [{string.Join(", ", expected)}] within {WaitLimit.TotalSeconds} s; it shows [{string.Join(", ", shows)}].");
        }

        return since is { } start ? TimeSpan.FromMilliseconds(shownAt - start) : TimeSpan.Zero;
    }

    public async Task WaitForConnectionAsync(string state)
    {
        try
        {
            await Page.WaitForFunctionAsync(
                "state => document.querySelector('[data-testid=\"connection-state\"]')?.dataset.state === state",
                state,
                new() { PollingInterval = 10, Timeout = (float)WaitLimit.TotalMilliseconds });
        }
        catch (TimeoutException)
        {
            var shown = await Page.GetByTestId("connection-state").GetAttributeAsync("data-state");
            var error = await Page.GetByTestId("error").TextContentAsync();
            Assert.Fail($"{Name} did not become '{state}' within {WaitLimit.TotalSeconds} s; it is '{shown}' (error: '{error}', page errors: {string.Join("; ", _pageErrors)}).");
        }
    }

    public ILocator Row(string title) =>
        Page.GetByTestId("task").Filter(new() { Has = Page.GetByTestId("task-title").GetByText(title, new() { Exact = true }) });

    public async Task AddTaskAsync(string title)
    {
        await Page.GetByTestId("new-task-title").FillAsync(title);
        await Page.GetByTestId("add-task").ClickAsync();
    }

    /// <summary>Opens the rename editor of a task and types the new title, without saving it.</summary>
    public async Task StartRenameAsync(string title, string newTitle)
    {
        var row = Row(title);
        await row.GetByTestId("task-rename").ClickAsync();
        await row.GetByTestId("task-title-input").FillAsync(newTitle);
    }

    public Task TickAsync(string title) => Row(title).GetByTestId("task-done").CheckAsync();

    public Task MoveUpAsync(string title) => Row(title).GetByTestId("task-up").ClickAsync();

    public Task MoveDownAsync(string title) => Row(title).GetByTestId("task-down").ClickAsync();

    public Task DeleteAsync(string title) => Row(title).GetByTestId("task-delete").ClickAsync();

    /// <summary>Opens the comments panel of a task.</summary>
    public Task SelectTaskAsync(string title) => Row(title).GetByTestId("task-comments").ClickAsync();

    public ILocator Comment(string text) =>
        Page.GetByTestId("comment").Filter(new() { Has = Page.GetByTestId("comment-text").GetByText(text, new() { Exact = true }) });

    public async Task AddCommentAsync(string text)
    {
        await Page.GetByTestId("new-comment-text").FillAsync(text);
        await Page.GetByTestId("add-comment").ClickAsync();
    }

    public async Task EditCommentAsync(string text, string newText)
    {
        // Pinned by id: while it is edited, its text is hidden and then changes.
        var id = await Comment(text).GetAttributeAsync("data-comment-id");
        var comment = Page.Locator($"[data-testid=\"comment\"][data-comment-id=\"{id}\"]");
        await comment.GetByTestId("comment-edit").ClickAsync();
        await comment.GetByTestId("comment-text-input").FillAsync(newText);
        await comment.GetByTestId("comment-edit-save").ClickAsync();
    }

    public Task DeleteCommentAsync(string text) => Comment(text).GetByTestId("comment-delete").ClickAsync();

    /// <summary>Closes the tab's WebSockets at once and makes reconnecting fail until <see cref="RestoreNetworkAsync"/>.</summary>
    public Task DropNetworkAsync() => Page.EvaluateAsync("() => window.__network.drop()");

    public Task RestoreNetworkAsync() => Page.EvaluateAsync("() => window.__network.restore()");

    public Task<int> OpenSocketsAsync() => Page.EvaluateAsync<int>("() => window.__network.openSockets()");

    /// <summary>A PNG of the whole page under the test output's TestResults/browser, attached to the test too.</summary>
    public async Task<string> ScreenshotAsync(string fileName)
    {
        var directory = Path.Combine(AppContext.BaseDirectory, "TestResults", "browser");
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, fileName);
        var png = await Page.ScreenshotAsync(new() { Path = path, FullPage = true });
        TestContext.Current.AddAttachment(fileName, png, "image/png");
        Log($"screenshot: {path}");
        return path;
    }

    public void Log(string line) => TestContext.Current.TestOutputHelper?.WriteLine($"[{Name}] {line}");

    public async ValueTask DisposeAsync() => await _context.CloseAsync();
}
