using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ReactiveRest.ApiModel.Data.Migrations
{
    /// <summary>
    /// Captures every write of boards and tasks in the write's own transaction (docs/architecture.md, "Change capture"):
    /// the outbox table, its trigger function, and a trigger per table.
    /// </summary>
    public partial class ChangeCapture : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(Engine.Changes.ChangeCapture.InstallSql);
            migrationBuilder.Sql(Engine.Changes.ChangeCapture.StatementTriggerSql("boards"));
            migrationBuilder.Sql(Engine.Changes.ChangeCapture.StatementTriggerSql("tasks"));
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(Engine.Changes.ChangeCapture.DropTriggerSql("tasks"));
            migrationBuilder.Sql(Engine.Changes.ChangeCapture.DropTriggerSql("boards"));
            migrationBuilder.Sql(Engine.Changes.ChangeCapture.UninstallSql);
        }
    }
}
