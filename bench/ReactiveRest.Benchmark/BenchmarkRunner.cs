using System.Diagnostics;
using ReactiveRest.Benchmark.Cases;
using ReactiveRest.Benchmark.Clients;
using ReactiveRest.Benchmark.Measuring;
using ReactiveRest.Benchmark.Reporting;
using ReactiveRest.Benchmark.Stack;

namespace ReactiveRest.Benchmark;

/// <summary>
/// Runs a plan: one fresh stack per group of cases, the cases in order, each within its own deadline. A case that
/// throws or runs out of time is reported as such, and the run goes on with the next.
/// </summary>
internal static class BenchmarkRunner
{

    public static async Task<RunReport> RunAsync(BenchmarkPlan plan, BenchmarkOptions options, TextWriter log, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var date = DateTimeOffset.UtcNow;
        var loadAtStart = ProcFs.LoadAverage();
        var caseTimeout = plan.Quick ? TimeSpan.FromMinutes(2) : TimeSpan.FromMinutes(8);
        // A pause between cases, so that one's closing connections are not the next one's load.
        var quiet = plan.Quick ? TimeSpan.FromSeconds(1) : TimeSpan.FromSeconds(3);
        var results = new List<CaseResult>();
        var stacks = new List<StackStart>();
        var number = 0;
        foreach (var stackPlan in plan.Stacks.Where(stack => stack.Cases.Count > 0))
        {
            log.WriteLine($"[{DateTime.UtcNow:HH:mm:ss}] Starting the stack with {stackPlan.ObserverReplicas} observers replica(s)"
                + (stackPlan.Settings is { Count: > 0 } settings ? $" and {string.Join(", ", settings.Select(setting => $"{setting.Key}={setting.Value}"))}" : "")
                + $"; its logs go to {options.LogFile}");
            var starting = Stopwatch.GetTimestamp();
            AppStack stack;
            try
            {
                stack = await AppStack.StartAsync(stackPlan.ObserverReplicas, stackPlan.Settings ?? new Dictionary<string, string>(), options.LogFile, log, cancellationToken);
            }
            catch (Exception exception)
            {
                log.WriteLine($"  the stack did not start: {exception}");
                stacks.Add(new StackStart(stackPlan.ObserverReplicas, Stopwatch.GetElapsedTime(starting).TotalSeconds, exception.Message));
                foreach (var spec in stackPlan.Cases)
                {
                    results.Add(Failed(spec, stackPlan.ObserverReplicas, $"not run: the stack did not start ({exception.GetType().Name}: {exception.Message})"));
                }

                continue;
            }

            stacks.Add(new StackStart(stackPlan.ObserverReplicas, stack.StartDuration.TotalSeconds, null));
            await using (stack)
            {
                using var api = new ApiClient(stack.Api.BaseAddress);
                // One user for every case: subscribers of one query share one observer only when they run as one user.
                await api.AuthenticateAsync("bench", cancellationToken);
                var sql = new SqlStatements(stack.DatabaseConnectionString);
                await sql.InstallAsync(cancellationToken);
                foreach (var spec in stackPlan.Cases)
                {
                    number++;
                    log.WriteLine($"[{DateTime.UtcNow:HH:mm:ss}] Case {number}: {spec.Title}");
                    using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                    timeout.CancelAfter(caseTimeout);
                    var context = new CaseContext(stack, api, sql, number, log, timeout.Token);
                    try
                    {
                        results.AddRange(spec switch
                        {
                            PollingSpec polling => [await PollingCase.RunAsync(context, polling)],
                            SubscriptionSpec subscription => [await SubscriptionCase.RunAsync(context, subscription)],
                            SelectivitySpec selectivity => [await SelectivityCase.RunAsync(context, selectivity)],
                            IdleSpec idle => [await IdleCase.RunAsync(context, idle)],
                            NoisyNeighbourSpec noisy => await NoisyNeighbourCase.RunAsync(context, noisy),
                            _ => throw new NotSupportedException(spec.GetType().Name),
                        });
                    }
                    catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
                    {
                        log.WriteLine($"  TIMED OUT after {caseTimeout.TotalMinutes:F0} minutes");
                        results.Add(Failed(spec, stack.Observers.Count, $"timed out: the case did not finish within {caseTimeout.TotalMinutes:F0} minutes"));
                    }
                    catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
                    {
                        log.WriteLine($"  FAILED: {exception}");
                        results.Add(Failed(spec, stack.Observers.Count, $"failed: {exception.GetType().Name}: {exception.Message}"));
                    }

                    await Task.Delay(quiet, cancellationToken);
                }

                log.WriteLine($"[{DateTime.UtcNow:HH:mm:ss}] Stopping the stack");
            }
        }

        return new RunReport(date, plan.Quick, options.Commit, MachineInfo.Read(), stacks, results, Goals.Check(results), Stopwatch.GetElapsedTime(started).TotalSeconds,
            loadAtStart, ProcFs.LoadAverage());
    }

    private static CaseResult Failed(CaseSpec spec, int replicas, string problem)
    {
        var result = new CaseResult
        {
            Key = spec.Key,
            Title = spec.Title,
            Replicas = replicas,
            Subscribers = spec is SubscriptionSpec subscription ? subscription.Subscribers : 0,
            Observers = 0,
            Writes = 0,
            WritePattern = "—",
        };
        result.Problems.Add(problem);
        return result;
    }
}
