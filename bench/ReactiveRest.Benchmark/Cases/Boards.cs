namespace ReactiveRest.Benchmark.Cases;

/// <summary>Boards with tasks at positions 0..n-1, made through the API before a case measures anything.</summary>
internal static class Boards
{
    /// <returns>Per board, its id and its task ids in position order.</returns>
    public static async Task<(int Id, int[] Tasks)[]> CreateAsync(CaseContext context, int boards, int tasksPerBoard)
    {
        var created = new (int Id, int[] Tasks)[boards];
        await Parallel.ForEachAsync(Enumerable.Range(0, boards), new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = context.Cancellation }, async (board, token) =>
        {
            var id = await context.Api.CreateBoardAsync($"bench case {context.Number} board {board}", token);
            var tasks = new int[tasksPerBoard];
            for (var position = 0; position < tasksPerBoard; position++)
            {
                tasks[position] = await context.Api.CreateTaskAsync(id, $"t{position}", position, token);
            }

            created[board] = (id, tasks);
        });
        return created;
    }

    public static string Query(int boardId) => $"boardId={boardId}&ordering=position&limit=50";
}
