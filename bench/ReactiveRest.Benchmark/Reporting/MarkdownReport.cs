using System.Globalization;
using System.Text;
using ReactiveRest.Benchmark.Cases;
using ReactiveRest.Benchmark.Measuring;

namespace ReactiveRest.Benchmark.Reporting;

/// <summary>docs/benchmarks.md: the machine and date, the goals judged, every figure, and exactly how each was measured.</summary>
internal static class MarkdownReport
{
    public static string Render(RunReport report, string chartFile)
    {
        var md = new StringBuilder();
        md.AppendLine("# Benchmarks").AppendLine();
        md.AppendLine("Written by the benchmark program (`bench/ReactiveRest.Benchmark`, run by `scripts/bench.sh`); do not edit by hand, "
            + "except the explanations of goals not met.").AppendLine();
        md.AppendLine($"- **Run**: {(report.Quick ? "quick (CI's small sizes)" : "full")}, {report.Date:yyyy-MM-dd HH:mm} UTC, "
            + $"commit `{report.Commit ?? "unknown"}`, {report.DurationSeconds / 60:F1} minutes in all.");
        var machine = report.Machine;
        md.AppendLine($"- **Machine**: {machine.Cores} cores ({machine.Cpu}), {machine.MemoryGib:F1} GiB of memory, {machine.OperatingSystem} ({machine.Kernel}), {machine.DotNet}.");
        md.AppendLine($"- **Shared cores**: the {machine.Cores} cores are shared by every process of the stack (API, observers, PostgreSQL, Redis, Aspire's DCP), "
            + "the benchmark's own clients, and whatever else ran on the machine at the time; nothing was pinned or reserved. Figures are those of a small, busy machine.");
        md.AppendLine($"- **Load**: load average {report.LoadAtStart} at the start of the run and {report.LoadAtEnd} at its end (1, 5 and 15 minutes); "
            + "the `others` CPU column below is the machine's busy time that was not the stack's nor the benchmark's.");
        md.AppendLine($"- **Stacks**: {string.Join("; ", report.Stacks.Select(stack => $"{stack.ObserverReplicas} observers replica(s), healthy in {stack.Seconds:F0} s{(stack.Error is null ? "" : $", FAILED: {stack.Error}")}"))}.");
        md.AppendLine("- **Path measured**: HTTP and WebSocket traffic goes straight to the ports the `api` and `observers` processes listen on; "
            + "Aspire's development proxy (DCP) is bypassed, so it adds neither latency nor file descriptors.").AppendLine();

        md.AppendLine("## Goals (issue 7)").AppendLine();
        if (report.Quick)
        {
            md.AppendLine("A quick run's sizes are below the goals' sizes: the goals are judged only by a full run.").AppendLine();
        }
        else
        {
            md.AppendLine(GoalTable(report.Goals));
        }

        md.AppendLine("## Results").AppendLine();
        md.AppendLine(ResultTable(report.Cases));
        md.AppendLine("Latencies in ms, from the PATCH's answer at the client to the frame's arrival at the client (polling: to the answer of the first poll "
            + "that shows the write), rounded up. `lost`: expected frames that had not arrived 10 s after the last write's answer; they count as infinitely late, "
            + "so a percentile that falls among them reads \"lost\". CPU: % of one core during the write phase (200 % is the whole machine).").AppendLine();
        md.AppendLine($"![p50 and p99 latency per case]({chartFile})").AppendLine();

        md.AppendLine("## CPU and memory per process during the write phase").AppendLine();
        md.AppendLine(ProcessTable(report.Cases));

        md.AppendLine("## SQL statements per write").AppendLine();
        md.AppendLine(SqlTable(report.Cases));
        md.AppendLine("Categories by statement text: `write` is the PATCH's own statements (read the task, hand the trace to the trigger, UPDATE); "
            + "`list read` is every paged list SELECT (the observers' evaluations, and the polling client's GETs); `change relay` moves captured changes "
            + "from PostgreSQL to Redis (DELETE … RETURNING on the outbox, the relay's advisory lock); `transaction control` is BEGIN, COMMIT "
            + "and ROLLBACK of all of them; `pool reset` is Npgsql's `DISCARD ALL` when a pooled connection is reused; `other` is everything else "
            + "(health checks among them). Background statements that ran during the phase are included.").AppendLine();
        var top = report.Cases.FirstOrDefault(result => result.Key.StartsWith("one-1", StringComparison.Ordinal) && result.TopSql is not null) ?? report.Cases.FirstOrDefault(result => result.TopSql is not null);
        if (top?.TopSql is { } statements)
        {
            md.AppendLine($"The statements of case `{top.Key}` ({top.Writes} writes), most frequent first:").AppendLine();
            md.AppendLine("| calls | category | statement |").AppendLine("| ---: | --- | --- |");
            foreach (var statement in statements)
            {
                md.AppendLine($"| {statement.Calls} | {statement.Category} | `{statement.Query.Replace("|", "\\|", StringComparison.Ordinal).Replace("`", "'", StringComparison.Ordinal)}` |");
            }

            md.AppendLine();
        }

        md.AppendLine("## Details per case").AppendLine();
        foreach (var result in report.Cases)
        {
            md.AppendLine($"- **{result.Key}** ({result.Title}): {result.Subscribers:N0} subscriber(s), {result.Observers:N0} observer(s), {result.Replicas} observers replica(s), "
                + $"{result.Writes} writes ({result.WritePattern}), {result.ExpectedFrames:N0} frames expected, write phase {result.WritePhaseSeconds:F1} s"
                + (result.SubscribeSeconds is { } s ? $", subscribed in {s:F2} s" : "")
                + (result.WarmUpSeconds is { } w ? $", warm-up frame at every subscriber {w:F2} s after its write's answer" : "")
                + $"; duplicates {result.Duplicates}, expired {result.Expired}, seq anomalies {result.SeqAnomalies}, write errors {result.WriteErrors}, subscribe errors {result.SubscribeErrors}.");
            if (result.WriteRoundTrip is { Received: > 0 } roundTrip)
            {
                md.AppendLine($"  - PATCH round trip (sent → answer read): p50 {Ms(roundTrip, roundTrip.P50)} ms, p99 {Ms(roundTrip, roundTrip.P99)} ms, max {Ms(roundTrip, roundTrip.Max)} ms");
            }

            if (result.LatencyFromSent is { } sent && result.Latency is not null)
            {
                md.AppendLine($"  - latency from the PATCH's sending instead of its answer: p50 {Ms(sent, sent.P50)} ms, p99 {Ms(sent, sent.P99)} ms; "
                    + $"frames read before their PATCH's answer: {result.FramesBeforeAnswer:N0}");
            }

            if (result.ConnectTimes is { Received: > 0 } connect && result.ObserveTimes is { Received: > 0 } observe)
            {
                md.AppendLine($"  - per subscriber: WebSocket connect p50 {Ms(connect, connect.P50)} ms, p99 {Ms(connect, connect.P99)} ms; "
                    + $"observe GET p50 {Ms(observe, observe.P50)} ms, p99 {Ms(observe, observe.P99)} ms ({observe.Received:N0} GETs)");
            }

            if (result.SubscribeCpuPercent is { } subscribing && result.SubscribeSeconds is > 0.5)
            {
                md.AppendLine($"  - CPU while subscribing: {Cpu(subscribing)}");
            }

            if (result.FirstSubscriberLatencies is { Length: > 0 and <= 200 } first)
            {
                md.AppendLine($"  - first subscriber's latency per write, in order (ms): {string.Join(" ", first.Select(ms => ms is { } v ? v.ToString("0", CultureInfo.InvariantCulture) : "·"))}");
            }

            foreach (var (name, value) in result.Extra)
            {
                md.AppendLine($"  - {name}: {value.ToString("0.###", CultureInfo.InvariantCulture)}");
            }

            foreach (var problem in result.Problems)
            {
                md.AppendLine($"  - PROBLEM: {problem}");
            }
        }

        md.AppendLine();
        md.AppendLine(Method);
        return md.ToString();
    }

    public static string GoalTable(IReadOnlyList<GoalCheck> goals)
    {
        var md = new StringBuilder();
        md.AppendLine("| case | criterion | goal | measured | verdict | explanation |");
        md.AppendLine("| --- | --- | --- | --- | --- | --- |");
        foreach (var goal in goals)
        {
            md.AppendLine($"| {goal.Case} | {goal.Criterion} | {goal.Goal} | {goal.Measured} | **{goal.Verdict}** | {goal.Explanation} |");
        }

        return md.ToString();
    }

    public static string ResultTable(IReadOnlyList<CaseResult> cases)
    {
        var md = new StringBuilder();
        md.AppendLine("| case | replicas | subscribers | observers | writes | p50 | p90 | p99 | max | lost | evaluations/write | SQL/write | RSS/subscriber | subscribe all | CPU (write phase) |");
        md.AppendLine("| --- | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
        foreach (var result in cases)
        {
            var latency = result.Latency;
            md.AppendLine($"| {result.Key} | {result.Replicas} | {result.Subscribers:N0} | {result.Observers:N0} | {result.Writes} at {result.WritePattern} "
                + $"| {Ms(latency, latency?.P50)} | {Ms(latency, latency?.P90)} | {Ms(latency, latency?.P99)} | {Ms(latency, latency?.Max)} "
                + $"| {(latency is null ? "—" : $"{latency.Lost:N0} of {result.ExpectedFrames:N0}")} "
                + $"| {Number(result.EvaluationsPerWrite, "F2")} | {Number(result.SqlPerWrite, "F1")} "
                + $"| {(result.RssPerSubscriberKib is { } k ? Goals.Format(k, "F1") + " KiB" : "—")} "
                + $"| {(result.SubscribeSeconds is { } s ? Goals.Format(s, "F2") + " s" : "—")} "
                + $"| {Cpu(result.CpuPercent)} |");
        }

        return md.ToString();
    }

    private static string ProcessTable(IReadOnlyList<CaseResult> cases)
    {
        string[] order = ["api", "observers", "postgres", "redis", "bench", UsageSample.Others, UsageSample.Machine];
        var labels = cases.Where(result => result.CpuPercent is not null).SelectMany(result => result.CpuPercent!.Keys).Distinct(StringComparer.Ordinal)
            .OrderBy(label => Array.FindIndex(order, prefix => label.StartsWith(prefix, StringComparison.Ordinal))).ThenBy(label => label, StringComparer.Ordinal)
            .ToList();
        var md = new StringBuilder();
        md.AppendLine("CPU % of one core over the write phase / resident memory (MiB, VmRSS) at its end, per process (postgres: the postmaster and all its "
            + "backends, their memory summed as Pss so that shared buffers count once; "
            + "bench: the benchmark process, i.e. all the clients and the in-process AppHost; "
            + "others: the rest of the machine's busy time, i.e. Aspire's DCP processes and any other work on the machine; machine: all of it, of "
            + $"{Environment.ProcessorCount * 100} %).").AppendLine();
        md.AppendLine("| case | " + string.Join(" | ", labels) + " |");
        md.AppendLine("| --- |" + string.Concat(labels.Select(_ => " ---: |")));
        foreach (var result in cases.Where(result => result.CpuPercent is not null))
        {
            md.AppendLine($"| {result.Key} | " + string.Join(" | ", labels.Select(label =>
                !result.CpuPercent!.TryGetValue(label, out var cpu) ? "—"
                : result.RssMib?.TryGetValue(label, out var rss) == true ? $"{Number(cpu, "F0")} % / {Number(rss, "F0")}"
                : $"{Number(cpu, "F0")} %")) + " |");
        }

        return md.ToString();
    }

    private static string SqlTable(IReadOnlyList<CaseResult> cases)
    {
        var md = new StringBuilder();
        md.AppendLine("| case | all | " + string.Join(" | ", SqlCategory.All) + " |");
        md.AppendLine("| --- | ---: |" + string.Concat(SqlCategory.All.Select(_ => " ---: |")));
        foreach (var result in cases.Where(result => result.SqlPerWrite is not null))
        {
            md.AppendLine($"| {result.Key} | {Number(result.SqlPerWrite, "F2")} | "
                + string.Join(" | ", SqlCategory.All.Select(category => Number(result.SqlPerWriteByCategory?.GetValueOrDefault(category), "F2"))) + " |");
        }

        return md.ToString();
    }

    private static string Ms(LatencySummary? latency, double? value) =>
        latency is null ? "—" : value is { } ms ? Goals.Format(ms, "F2") : "lost";

    private static string Number(double? value, string format) => value is { } v ? Goals.Format(v, format) : "—";

    private static string Cpu(Dictionary<string, double>? cpu) =>
        cpu is null ? "—" : string.Join(", ", cpu.Select(process => $"{process.Key} {Goals.Format(process.Value, "F0")} %"));

    private const string Method = """
        ## How it was measured

        - **The stack**: for each group of cases the real AppHost is started in process by `Aspire.Hosting.Testing`, as the integration tests do:
          `Infrastructure:Mode=LocalProcesses` (redis-server and postgres as local processes, data in a throwaway folder under /tmp, deleted at
          the end), the dashboard off, `Observers:Replicas` set per group; every other setting is the default. The case with 10,000 subscribers
          runs on its own stack with one observers process; the other cases share a stack with two.
        - **Direct connections**: the benchmark reads each service's process id from the resource snapshots (`executable.pid`) and the port that
          process listens on from /proc (its listening sockets' inodes among its file descriptors), and sends its HTTP requests and WebSockets
          there, not through Aspire's proxy. Subscribers are spread round-robin over the observers replicas; every GET (observe, polls,
          statistics) and every write goes to the API.
        - **Writes**: `PATCH /api/tasks/{id}` with `{"title": "c{case}w{index}"}`, so that a frame names the write it carries. Paced writes start
          on a fixed schedule (5 per second, open loop: a slow answer does not delay the next write), and go to the tasks of 50-task boards in
          turn, so that no task is written twice within 10 s. Before anything is timed, one warm-up write per board must reach every subscriber:
          every subscription is then attached and delivering.
        - **Latency**: from the moment the PATCH's whole answer is read by the client to the moment the frame carrying that write is read from
          the WebSocket, both `Stopwatch` timestamps in the benchmark process. The clients run on the same two cores as the servers, so their own
          scheduling delays are part of the figure. Percentiles are nearest-rank over every (subscriber, write) pair expected; frames still
          missing 10 s after the last write's answer are lost and count as infinitely late. All figures are rounded up, never down.
        - **Subscribe all**: from the first connection attempt to the last observe GET's answer, connecting 200 subscribers at a time (each
          opens its WebSocket, then GETs `/api/tasks?boardId=X&ordering=position&limit=50&observe={subscriber}`).
        - **Evaluations per write**: the sum of the `evaluations` counters (`GET /api/queryobserver/{observer}`) of the case's observers after
          the write phase minus before it, divided by the writes that succeeded.
        - **SQL per write**: `pg_stat_statements` (preloaded by the AppHost's local PostgreSQL) is reset when the write phase starts and read
          when it ends; all statements on `reactivedb` except the benchmark's own, divided by the writes that succeeded. With the default
          `pg_stat_statements.track = top`, statements run by the change-capture trigger are not counted separately.
        - **RSS per subscriber**: (the observers processes' VmRSS with the subscribers connected and warmed up − before they connected) /
          subscribers. It includes whatever the .NET GC grew and has not given back; with few subscribers it is noise.
        - **CPU per process**: utime + stime from /proc/{pid}/stat, over the write phase (first write until every expected frame arrived, or the
          deadline), as % of one core. PostgreSQL counts the postmaster and all its backends.
        - **Polling baseline**: one client GETs the same query (`boardId=X&ordering=position&limit=50`) every second, with no WebSocket, while
          the same paced writes run; a write's latency runs to the answer of the first poll that shows it.
        - **Write burst**: the PATCHes go out as fast as the API answers, 16 in flight, started in order over a 50-task board (each task is
          written several times). The observers may coalesce writes to one task into one evaluation, so intermediate titles need not arrive
          (`supersededFrames`); what must arrive is every task's last write. `finalStateSeconds`: from the first PATCH sent until every subscriber
          had every task's final title.
        - **Observers a write cannot affect**: a third on other boards (`boardId=Y`), a third on the target board with a title filter no row
          matches, a third on the whole table with such a filter; 100 queries per subscriber. After their first evaluations settle (two readings
          of their counters 2 s apart agree), the writes go to the target board, which one more observer (one subscriber) watches; the
          unaffected observers' counters must not move.
        - **Noisy neighbour (issue 17)**: on a stack of its own with the shipped per-user quotas and rates (the other stacks raise
          them, since one benchmark user plays thousands of clients there); full run only. The victim user's 100 subscribers of one board's query are timed over 100 writes at 5/s, first
          alone (`noisy-neighbour-quiet`, after 50 unreported warm-up writes), then (`noisy-neighbour`) while another user holds
          its quotas: 100 WebSockets with a subscriber id each, 1,000 observers of distinct queries it invents
          (`boardId=X&position__gte=-k&ordering=position&limit=50` over its 4 boards of 50 tasks with 300-character titles, 10
          per subscriber id), a `--heartbeat--` on every socket each 100 ms (its replies and frames read, so the 64-unread-reply
          cap does not close it; a server close is counted and the socket reconnects), and 40 writes a second to its boards,
          within its 50/s, so that its observers stay due. Five requests beyond each of those three quotas show them enforced
          (the stored-bytes quota is not reached: its results weigh about 40 MiB of 64); every refusal is counted by the
          `quota` its 429 problem names. Memory (api and observers RSS, Redis `used_memory` from `INFO memory`)
          is read once the noisy user holds its quotas and at the end of the noisy phase. Goals: the victim's p99 at most twice
          the quiet one; each memory figure at the end at most 1.10× the one at the quotas.
        """;
}
