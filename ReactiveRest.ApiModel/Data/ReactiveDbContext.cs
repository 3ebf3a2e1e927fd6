using Microsoft.EntityFrameworkCore;
using ReactiveRest.ApiModel;

namespace ReactiveRest.ApiModel.Data;

public sealed class ReactiveDbContext(DbContextOptions<ReactiveDbContext> options) : DbContext(options)
{
    public DbSet<Board> Boards => Set<Board>();

    public DbSet<TaskItem> Tasks => Set<TaskItem>();

    public DbSet<BoardMember> BoardMembers => Set<BoardMember>();

    public DbSet<Comment> Comments => Set<Comment>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Board>(board =>
        {
            board.ToTable("boards");
            board.Property(b => b.Id).HasColumnName("id");
            board.Property(b => b.Name).HasColumnName("name").HasMaxLength(Limits.NameLength);
        });

        modelBuilder.Entity<TaskItem>(task =>
        {
            task.ToTable("tasks");
            task.Property(t => t.Id).HasColumnName("id");
            task.Property(t => t.BoardId).HasColumnName("board_id");
            task.Property(t => t.Title).HasColumnName("title").HasMaxLength(Limits.TitleLength);
            task.Property(t => t.Done).HasColumnName("done");
            task.Property(t => t.Position).HasColumnName("position");
            task.Property(t => t.CreatedAt).HasColumnName("created_at");
            task.Property(t => t.UpdatedAt).HasColumnName("updated_at");
            // Deleting a board deletes its tasks, as a Django ForeignKey with on_delete=CASCADE does.
            task.HasOne<Board>().WithMany().HasForeignKey(t => t.BoardId).OnDelete(DeleteBehavior.Cascade);
            task.HasIndex(t => new { t.BoardId, t.Position });
        });

        modelBuilder.Entity<BoardMember>(member =>
        {
            member.ToTable("board_members");
            member.HasKey(m => new { m.BoardId, m.User });
            member.Property(m => m.BoardId).HasColumnName("board_id");
            member.Property(m => m.User).HasColumnName("user_name").HasMaxLength(Limits.UserNameLength);
            member.Property(m => m.AddedAt).HasColumnName("added_at");
            member.HasOne(m => m.Board).WithMany().HasForeignKey(m => m.BoardId).OnDelete(DeleteBehavior.Cascade);
            // Every read filters by the reader's memberships.
            member.HasIndex(m => m.User);
        });
    }
}
