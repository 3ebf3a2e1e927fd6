using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using ReactiveRest.ApiModel.Data;

namespace ReactiveRest.ApiModel;

/// <summary>
/// Who may see and change what: a user sees the boards they are a member of, and those boards' tasks and statistics.
/// The conditions run in the database; reads, writes and every observer's evaluation use the same ones.
/// </summary>
public static class BoardAccess
{
    public static Expression<Func<Board, bool>> ToBoard(DbContext db, string user) =>
        board => db.Set<BoardMember>().Any(member => member.BoardId == board.Id && member.User == user);

    public static Expression<Func<TaskItem, bool>> ToTask(DbContext db, string user) =>
        task => db.Set<BoardMember>().Any(member => member.BoardId == task.BoardId && member.User == user);

    public static Expression<Func<BoardStats, bool>> ToStats(DbContext db, string user) =>
        stats => db.Set<BoardMember>().Any(member => member.BoardId == stats.Id && member.User == user);

    /// <summary>The boards the user may see and change (the members endpoints check the board with it).</summary>
    public static IQueryable<Board> BoardsOf(this ReactiveDbContext db, string user) => db.Boards.Where(ToBoard(db, user));
}
