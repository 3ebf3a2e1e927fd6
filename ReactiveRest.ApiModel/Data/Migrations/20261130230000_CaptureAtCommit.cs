using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ReactiveRest.ApiModel.Data.Migrations
{
    /// <summary>
    /// Change capture at commit: the row triggers become deferred constraint triggers, so the capture time a change
    /// carries (and the write-to-push latency measured from it) is its commit's, not its statement's.
    /// </summary>
    public partial class CaptureAtCommit : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            foreach (var table in new[] { "boards", "tasks" })
            {
                migrationBuilder.Sql(Engine.Changes.ChangeCapture.DropTriggerSql(table));
                migrationBuilder.Sql(Engine.Changes.ChangeCapture.TriggerSql(table));
            }
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            foreach (var table in new[] { "boards", "tasks" })
            {
                migrationBuilder.Sql(Engine.Changes.ChangeCapture.DropTriggerSql(table));
                migrationBuilder.Sql(Engine.Changes.ChangeCapture.StatementTriggerSql(table));
            }
        }
    }
}
