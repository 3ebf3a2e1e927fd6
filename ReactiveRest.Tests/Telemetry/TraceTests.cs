using System.Diagnostics;
using ReactiveRest.Tests.Infrastructure;

namespace ReactiveRest.Tests.Telemetry;

/// <summary>One write's trace as an in-memory exporter sees it, with the API and an observers replica hosted by the test.</summary>
[Collection(nameof(TelemetryCollection))]
public sealed class TraceTests(TelemetryStack stack)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task One_write_is_one_trace_from_the_request_through_publish_and_evaluation_to_the_push()
    {
        using var api = stack.Api.CreateClient().As(TestUsers.Current);
        var board = await api.CreateBoardAsync("traces");
        await using var subscriber = await InProcessSubscriber.ConnectAsync(stack.Observers.Server);
        var (status, observed) = await api.GetJsonAsync($"/api/tasks?boardId={board.Id()}&observe={subscriber.Id}");
        Assert.Equal(HttpStatusCode.OK, status);
        var observer = observed.GetProperty("observer").GetString()!;

        // A new observer is evaluated once on its own. A write that arrives during that evaluation is covered by it (it
        // goes again under the lock), in the first cause's trace; so the write waits for it, to be evaluated in its own.
        var deadline = DateTime.UtcNow + Deadline;
        while (await api.GetJsonAsync($"/api/queryobserver/{observer}") is var (_, stats)
            && (stats.GetProperty("evaluations").GetInt64() < 1 || stats.GetProperty("changes").GetInt64() != stats.GetProperty("evaluated").GetInt64()))
        {
            Assert.True(DateTime.UtcNow < deadline, $"The observer's first evaluation did not happen: {stats}");
            await Task.Delay(50, Cancellation);
        }

        stack.Spans.Clear();
        var task = await api.CreateTaskAsync(board.Id(), "traced");
        await subscriber.WaitForAsync(frame => InProcessSubscriber.IsAdded(frame, observer, task.Id()), Deadline);

        var request = Assert.Single(Distinct(stack.Spans.Snapshot()), span =>
            span.Kind == ActivityKind.Server && span.GetTagItem("http.request.method") as string == "POST" && span.GetTagItem("url.path") as string == "/api/tasks");
        var trace = request.TraceId;
        List<Activity> spans = [];
        Activity? Named(string name) => spans.SingleOrDefault(span => span.OperationName == name || span.DisplayName == name);
        deadline = DateTime.UtcNow + Deadline;
        while (true)
        {
            spans = [.. Distinct(stack.Spans.Snapshot()).Where(span => span.TraceId == trace)];
            if (Named("publish change") is not null && Named("evaluate observer") is not null && Named("push to subscriber") is not null)
            {
                break;
            }

            Assert.True(DateTime.UtcNow < deadline, $"The trace of the write lacks spans: {Describe(spans)}");
            await Task.Delay(50, Cancellation);
        }

        var publish = Named("publish change")!;
        var evaluate = Named("evaluate observer")!;
        var push = Named("push to subscriber")!;
        Assert.Equal(observer, evaluate.GetTagItem("reactiverest.observer"));
        Assert.Equal(observer, push.GetTagItem("reactiverest.observer"));

        // Parent to child: the request (through whatever it ran the write under), the publication, the evaluation, the push.
        Assert.Contains(request, Ancestors(publish, spans));
        Assert.Equal(publish.SpanId, evaluate.ParentSpanId);
        Assert.Equal(evaluate.SpanId, push.ParentSpanId);
    }

    /// <summary>Each service's tracer exports every span of the process's sources, so a span may be there twice.</summary>
    private static IEnumerable<Activity> Distinct(IEnumerable<Activity> spans) => spans.DistinctBy(span => span.SpanId);

    private static List<Activity> Ancestors(Activity span, List<Activity> spans)
    {
        var ancestors = new List<Activity>();
        for (var parent = spans.SingleOrDefault(other => other.SpanId == span.ParentSpanId);
             parent is not null;
             parent = spans.SingleOrDefault(other => other.SpanId == parent.ParentSpanId))
        {
            ancestors.Add(parent);
        }

        Assert.True(ancestors.Count > 0, $"No parent of {span.DisplayName} in the trace: {Describe(spans)}");
        return ancestors;
    }

    private static string Describe(IEnumerable<Activity> spans) =>
        string.Join("; ", spans.Select(span => $"{span.Source.Name}/{span.DisplayName} {span.SpanId} <- {span.ParentSpanId}"));
}
